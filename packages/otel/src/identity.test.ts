import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTRIBUTE_KEYS_STAMP, stampedAttributeKeys } from './attributeKeysStamp.js';
import { withAttribution } from './attribution.js';
import { GenAICostSpanProcessor } from './GenAICostSpanProcessor.js';
import { DEFAULT_ATTRIBUTE_KEYS } from './options.js';
import { createTestTracing } from './test-support/tracing.js';
import type { SpanCostEvent } from './types.js';

const KEY = 'a-secret-key-of-32-bytes-length!';
const CHAT = { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 0 };
const hmac = (id: string) => createHmac('sha256', KEY).update(id).digest('hex');

let tracing: ReturnType<typeof createTestTracing> | undefined;
afterEach(async () => {
  await tracing?.close();
  tracing = undefined;
});

describe('one user identity', () => {
  it('writes the pseudonym, and hands listeners the raw id with the stored one', () => {
    const events: SpanCostEvent[] = [];
    tracing = createTestTracing({ userIdHmacKey: KEY, onSpanCost: (e) => events.push(e) });
    withAttribution({ userId: 'alice', tier: 'pro' }, () => tracing!.tracer.startSpan('chat', { attributes: CHAT }).end());
    expect(tracing.span('chat').attributes['user.id']).toBe(hmac('alice'));
    expect(events[0]).toMatchObject({ attribution: { userId: 'alice', tier: 'pro' }, storedUserId: hmac('alice') });
    expect(tracing.processor.pricer.storedUserId('alice')).toBe(hmac('alice'));
    expect(new GenAICostSpanProcessor().pricer.storedUserId('alice')).toBe('alice');
  });

  it('stamps every GenAI span with the keys its attribution was written under, and no other span', () => {
    tracing = createTestTracing({ attributeKeys: { userId: 'app.user.id' } });
    withAttribution({ userId: 'alice' }, () => {
      tracing!.tracer.startSpan('chat', { attributes: CHAT }).end();
      tracing!.tracer.startSpan('GET /', {}).end();
    });
    const keys = stampedAttributeKeys(tracing.span('chat'));
    expect(keys).toEqual({ ...DEFAULT_ATTRIBUTE_KEYS, userId: 'app.user.id' });
    expect(tracing.span('chat').attributes['app.user.id']).toBe('alice');
    expect(ATTRIBUTE_KEYS_STAMP in tracing.span('GET /')).toBe(false);
    expect(ATTRIBUTE_KEYS_STAMP).toBe(Symbol.for('@genai-cost/otel attribute keys'));
  });

  it('refuses a short key or a misspelt one, naming the option', () => {
    expect(() => new GenAICostSpanProcessor({ userIdHmacKey: 'short' })).toThrow('GenAICostSpanProcessor option "userIdHmacKey": expected a key of at least 16 bytes');
    expect(() => new GenAICostSpanProcessor({ userIDHmacKey: KEY } as never)).toThrow('GenAICostSpanProcessor option "userIDHmacKey": not an option (a typo?)');
  });
});
