import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTE_KEYS } from '@genai-cost/otel';
import { AttributionReader } from './attribution.js';
import { ProcessorBatchPricer } from './BatchPricer.js';
import { CHAT, TEST_CATALOG, receivedSpan } from './test-support/spans.js';

const attribution = new AttributionReader({ attributeKeys: DEFAULT_ATTRIBUTE_KEYS, extraAttributeKeys: {}, headerKeys: {} });
const pricer = (keepAllSpans = false, hmac?: string) =>
  new ProcessorBatchPricer({ processor: { catalog: TEST_CATALOG, ...(hmac === undefined ? {} : { userIdHmacKey: hmac }) }, attribution, keepAllSpans });

describe('ProcessorBatchPricer', () => {
  it('prices model calls with the span processor and writes the attribution it read', () => {
    const span = receivedSpan({ ...CHAT, 'langfuse.user.id': 'u1' });
    const batch = pricer().price([span], { tier: 'pro' });
    expect(batch).toMatchObject({ kept: [span], dropped: 0, priced: 1, unpriced: 0 });
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.cost': 0.0028, 'user.id': 'u1', 'saas.tier': 'pro', 'genai_cost.price.id': expect.stringMatching(/^openai\/gpt-test@/) });
  });

  it('keeps a cost that came with the span, flags an unknown model, and does not price an agent wrapper', () => {
    const withCost = receivedSpan({ ...CHAT, 'gen_ai.usage.cost': 0.5 });
    const unknown = receivedSpan({ ...CHAT, 'gen_ai.request.model': 'no-such-model' });
    const wrapper = receivedSpan({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 5000 }, { kind: SpanKind.INTERNAL });
    const batch = pricer().price([withCost, unknown, wrapper], undefined);
    expect(batch).toMatchObject({ dropped: 0, priced: 1, unpriced: 1 });
    expect(withCost.attributes).toMatchObject({ 'gen_ai.usage.cost': 0.5, 'genai_cost.price.id': 'span' });
    expect(unknown.attributes).toMatchObject({ 'genai_cost.unpriced': true, 'genai_cost.unpriced.reason': 'unknown_model' });
    expect(wrapper.attributes['genai_cost.span.role']).toBe('wrapper');
    expect(wrapper.attributes['gen_ai.usage.cost']).toBeUndefined();
  });

  it('drops non-GenAI spans unless all are kept, and then attributes them too', () => {
    const http = () => receivedSpan({ 'http.route': '/x', 'user.id': 'u2' }, { kind: SpanKind.SERVER });
    expect(pricer().price([http()], undefined)).toMatchObject({ kept: [], dropped: 1 });
    const kept = http();
    expect(pricer(true).price([kept], { tenantId: 't1' })).toMatchObject({ kept: [kept], dropped: 0 });
    expect(kept.attributes).toMatchObject({ 'user.id': 'u2', 'saas.tenant.id': 't1' });
  });

  it('pseudonymises user ids when the processor is given an HMAC key', () => {
    const span = receivedSpan({ ...CHAT, 'user.id': 'alice' });
    pricer(false, 'a-key-of-sixteen-bytes').price([span], undefined);
    expect(span.attributes['user.id']).toMatch(/^[0-9a-f]{64}$/);
  });
});
