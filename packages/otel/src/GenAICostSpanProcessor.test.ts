import { context, diag, propagation, SpanKind } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GenAICostSpanProcessor } from './GenAICostSpanProcessor.js';
import { withAttribution } from './attribution.js';
import { createTestTracing } from './test-support/tracing.js';
import type { SpanCostEvent } from './types.js';

type Tracing = ReturnType<typeof createTestTracing>;
let t: Tracing;

function chat(tracer: Tracing['tracer'], name: string, attrs: Record<string, unknown>, startTime?: Date): void {
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime, attributes: { 'gen_ai.operation.name': 'chat', ...attrs } as never });
  span.end();
}

afterEach(async () => {
  await t?.close();
  diag.disable();
});

describe('GenAICostSpanProcessor pricing', () => {
  beforeEach(() => {
    t = createTestTracing();
  });

  it('prices a chat span by kind of token and records the price used', () => {
    chat(t.tracer, 'chat gpt-test', {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.cache_read.input_tokens': 200,
      'gen_ai.usage.output_tokens': 500,
    });
    const a = t.span('chat gpt-test').attributes;
    expect(a['gen_ai.usage.cost']).toBe(0.0057);
    expect(a['genai_cost.cost.input']).toBe(0.0016);
    expect(a['genai_cost.cost.cache_read']).toBe(0.0001);
    expect(a['genai_cost.cost.output']).toBe(0.004);
    expect(a['genai_cost.cost.cache_write']).toBeUndefined();
    expect(a['genai_cost.price.id']).toBe('openai/gpt-test@1970-01-01');
    expect(a['genai_cost.span.role']).toBeUndefined();
    expect(a['genai_cost.unpriced']).toBeUndefined();
    expect(t.processor.getStats().pricedSpans).toBe(1);
  });

  it('uses the price in force at the span start', () => {
    const usage = { 'gen_ai.request.model': 'o-test', 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 1_000_000 };
    chat(t.tracer, 'before', usage, new Date('2025-06-09T23:59:59Z'));
    chat(t.tracer, 'after', usage, new Date('2025-06-10T00:00:00Z'));
    expect(t.span('before').attributes['gen_ai.usage.cost']).toBe(50);
    expect(t.span('after').attributes['gen_ai.usage.cost']).toBe(10);
    expect(t.span('before').attributes['genai_cost.price.id']).toBe('openai/o-test@2025-01-01');
    expect(t.span('after').attributes['genai_cost.price.id']).toBe('openai/o-test@2025-06-10');
  });

  it('adds back cached tokens that an Anthropic instrumentation left out of input', () => {
    const span = t.provider.getTracer('@traceloop/instrumentation-anthropic').startSpan('anthropic.chat', {
      attributes: {
        'gen_ai.system': 'Anthropic',
        'gen_ai.request.model': 'claude-test',
        'gen_ai.usage.input_tokens': 100,
        'gen_ai.usage.cache_read_input_tokens': 1000,
        'gen_ai.usage.cache_creation_input_tokens': 2000,
        'gen_ai.usage.output_tokens': 300,
      },
    });
    span.end();
    const a = t.span('anthropic.chat').attributes;
    // 100 uncached × $3 + 1,000 read × $0.30 + 2,000 written × $3.75 + 300 out × $15, per million.
    expect(a['gen_ai.usage.cost']).toBe(0.0126);
    expect(a['genai_cost.cost.cache_write']).toBe(0.0075);
  });

  it('flags an unknown model as unpriced, counts it and warns once', () => {
    const warn = vi.fn();
    diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() } as DiagLogger);
    for (const name of ['u1', 'u2']) {
      chat(t.tracer, name, { 'gen_ai.request.model': 'mystery-model', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 });
    }
    const a = t.span('u1').attributes;
    expect(a['gen_ai.usage.cost']).toBeUndefined();
    expect(a['genai_cost.unpriced']).toBe(true);
    expect(a['genai_cost.unpriced.reason']).toBe('unknown_model');
    expect(t.processor.getStats().unpricedSpans.unknown_model).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toContain('mystery-model');
  });

  it.each([
    ['a string count', { 'gen_ai.usage.input_tokens': '100', 'gen_ai.usage.output_tokens': 5 }, 'invalid_usage'],
    ['NaN', { 'gen_ai.usage.input_tokens': Number.NaN, 'gen_ai.usage.output_tokens': 5 }, 'invalid_usage'],
    ['a negative count', { 'gen_ai.usage.input_tokens': -1, 'gen_ai.usage.output_tokens': 5 }, 'invalid_usage'],
    ['a fractional count', { 'gen_ai.usage.input_tokens': 1.5, 'gen_ai.usage.output_tokens': 5 }, 'invalid_usage'],
    ['an absurd count', { 'gen_ai.usage.input_tokens': 1e12, 'gen_ai.usage.output_tokens': 5 }, 'invalid_usage'],
    ['no usage', {}, 'no_usage'],
  ])('leaves a span with %s unpriced and flagged', (_label, usage, reason) => {
    expect(() => chat(t.tracer, 'bad', { 'gen_ai.request.model': 'gpt-test', ...usage })).not.toThrow();
    const a = t.span('bad').attributes;
    expect(a['gen_ai.usage.cost']).toBeUndefined();
    expect(a['genai_cost.unpriced']).toBe(true);
    expect(a['genai_cost.unpriced.reason']).toBe(reason);
  });

  it('flags a model call without a model name', () => {
    chat(t.tracer, 'nomodel', { 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 });
    expect(t.span('nomodel').attributes['genai_cost.unpriced.reason']).toBe('missing_model');
  });

  it('does not price in-process agent and AI SDK root spans that repeat their children', () => {
    const usage = { 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.output_tokens': 10 };
    t.tracer.startSpan('agent', { kind: SpanKind.INTERNAL, attributes: { 'gen_ai.operation.name': 'invoke_agent', ...usage } }).end();
    t.tracer.startSpan('ai.generateText', { attributes: { 'ai.operationId': 'ai.generateText', 'ai.model.id': 'gpt-test', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 10 } }).end();
    t.tracer.startSpan('ai.generateText.doGenerate', { attributes: { 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-test', 'ai.usage.inputTokens': 100, 'ai.usage.outputTokens': 10 } }).end();
    t.tracer.startSpan('remote agent', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'invoke_agent', ...usage } }).end();
    expect(t.span('agent').attributes['gen_ai.usage.cost']).toBeUndefined();
    expect(t.span('agent').attributes['genai_cost.span.role']).toBe('wrapper');
    expect(t.span('agent').attributes['genai_cost.unpriced']).toBeUndefined();
    expect(t.span('ai.generateText').attributes['gen_ai.usage.cost']).toBeUndefined();
    expect(t.span('ai.generateText.doGenerate').attributes['gen_ai.usage.cost']).toBe(0.00028);
    expect(t.span('remote agent').attributes['gen_ai.usage.cost']).toBe(0.00028);
    expect(t.processor.getStats().wrapperSpans).toBe(2);
  });

  it('keeps a cost another tool already set', () => {
    chat(t.tracer, 'openlit', { 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 0, 'gen_ai.usage.cost': 0.5 });
    expect(t.span('openlit').attributes['gen_ai.usage.cost']).toBe(0.5);
    expect(t.span('openlit').attributes['genai_cost.price.id']).toBe('span');
    expect(t.processor.getStats().keptExistingCost).toBe(1);
  });
});

describe('GenAICostSpanProcessor attribution', () => {
  it('writes the merged attribution of nested scopes onto GenAI spans only', () => {
    t = createTestTracing();
    withAttribution({ userId: 'u1', tier: 'solo', tenantId: 'acme' }, () => {
      withAttribution({ feature: 'summarise', sessionId: 's1' }, () => {
        t.tracer.startSpan('http').end();
        chat(t.tracer, 'llm', { 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 });
      });
    });
    expect(t.span('llm').attributes).toMatchObject({
      'user.id': 'u1',
      'saas.tier': 'solo',
      'saas.feature': 'summarise',
      'session.id': 's1',
      'saas.tenant.id': 'acme',
    });
    expect(t.span('http').attributes['user.id']).toBeUndefined();
  });

  it('writes tags as saas.tag.<key>, the inner scope winning per key', () => {
    t = createTestTracing();
    withAttribution({ userId: 'u1', tags: { region: 'eu', plan_variant: 'a' } }, () => {
      withAttribution({ tags: { plan_variant: 'b' } }, () => {
        t.tracer.startSpan('http').end();
        chat(t.tracer, 'llm', { 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 });
      });
    });
    expect(t.span('llm').attributes).toMatchObject({ 'user.id': 'u1', 'saas.tag.region': 'eu', 'saas.tag.plan_variant': 'b' });
    expect(Object.keys(t.span('http').attributes).filter((k) => k.startsWith('saas.'))).toEqual([]);
  });

  it('takes the attribution of the context the span started in, wherever it ends', () => {
    t = createTestTracing();
    const span = withAttribution({ userId: 'u1' }, () =>
      t.tracer.startSpan('late', { attributes: { 'gen_ai.operation.name': 'chat' } }),
    );
    withAttribution({ userId: 'someone-else' }, () => span.end());
    expect(t.span('late').attributes['user.id']).toBe('u1');
  });

  it('attributes every span when asked, under custom keys', () => {
    t = createTestTracing({ attributeAllSpans: true, attributeKeys: { tier: 'app.plan' } });
    withAttribution({ userId: 'u1', tier: 'team' }, () => t.tracer.startSpan('db').end());
    expect(t.span('db').attributes).toMatchObject({ 'user.id': 'u1', 'app.plan': 'team' });
  });

  it('never puts attribution in baggage, and reads baggage only when asked', () => {
    t = createTestTracing({ baggageKeys: { tenantId: 'tenant', userId: 'uid' } });
    withAttribution({ userId: 'u1' }, () => {
      expect(propagation.getBaggage(context.active())).toBeUndefined();
    });
    const bag = propagation.createBaggage({ tenant: { value: 'acme' }, uid: { value: 'from-baggage' } });
    context.with(propagation.setBaggage(context.active(), bag), () =>
      withAttribution({ userId: 'u1' }, () => chat(t.tracer, 'llm', { 'gen_ai.request.model': 'gpt-test' })),
    );
    expect(t.span('llm').attributes).toMatchObject({ 'user.id': 'u1', 'saas.tenant.id': 'acme' });
  });

  it('ignores baggage by default', () => {
    t = createTestTracing();
    const bag = propagation.createBaggage({ 'user.id': { value: 'leaked' } });
    context.with(propagation.setBaggage(context.active(), bag), () => chat(t.tracer, 'llm', { 'gen_ai.request.model': 'gpt-test' }));
    expect(t.span('llm').attributes['user.id']).toBeUndefined();
  });

  it('writes pseudonymous user ids under a key', () => {
    t = createTestTracing({ userIdHmacKey: 'a-secret-of-32-bytes-or-so-here!' });
    withAttribution({ userId: 'alice' }, () => chat(t.tracer, 'llm', { 'gen_ai.request.model': 'gpt-test' }));
    // `echo -n alice | openssl dgst -sha256 -hmac <key>`
    expect(t.span('llm').attributes['user.id']).toBe('bc5b110a335f9a1795358e7cb19d29f0e7251b80acb456a4ba6b3c8e58b1de6c');
  });
});

describe('GenAICostSpanProcessor contract', () => {
  it('feeds each priced span to onSpanCost and survives a listener that throws', () => {
    const events: SpanCostEvent[] = [];
    t = createTestTracing({
      onSpanCost: (e) => {
        events.push(e);
        throw new Error('listener bug');
      },
    });
    diag.setLogger({ warn: vi.fn(), error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() } as DiagLogger);
    withAttribution({ userId: 'u1', tier: 'free' }, () =>
      chat(t.tracer, 'llm', { 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 0 }),
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ costUsd: 2, priceId: 'openai/gpt-test', attribution: { userId: 'u1', tier: 'free' } });
    expect(t.span('llm').attributes['gen_ai.usage.cost']).toBe(2);
    expect(t.processor.getStats().internalErrors).toBe(1);
  });

  it('rejects a bad option with its name and the expected form', () => {
    expect(() => new GenAICostSpanProcessor({ cacheWriteTtl: '2h' as never })).toThrow(/option "cacheWriteTtl"/);
    expect(() => new GenAICostSpanProcessor({ userIdHmacKey: 'short' })).toThrow(/"userIdHmacKey": expected a key of at least 16 bytes/);
    expect(() => new GenAICostSpanProcessor({ attributeKeys: { tier: '' } })).toThrow(/"attributeKeys.tier"/);
  });

  it('prices the Anthropic 1-hour cache write when configured', () => {
    t = createTestTracing({ cacheWriteTtl: '1h' });
    chat(t.tracer, 'llm', {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-test',
      'gen_ai.usage.input_tokens': 1_000_000,
      'gen_ai.usage.cache_creation.input_tokens': 1_000_000,
      'gen_ai.usage.output_tokens': 0,
    });
    expect(t.span('llm').attributes['gen_ai.usage.cost']).toBe(6);
  });
});
