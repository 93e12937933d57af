import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenAICostPricer } from './GenAICostPricer.js';
import { TEST_CATALOG, createTestTracing } from './test-support/tracing.js';
import type { PricingSpan } from './types.js';

type Tracing = ReturnType<typeof createTestTracing>;
let t: Tracing;

/** An instrumentation's Anthropic span: input without cache, no 5m/1h split. */
const OUTER: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.request.model': 'claude-test',
  'gen_ai.usage.input_tokens': 100,
  'gen_ai.usage.cache_read.input_tokens': 2000,
  'gen_ai.usage.cache_creation.input_tokens': 3000,
  'gen_ai.usage.output_tokens': 300,
};
/** The SDK's own span of the same call: input with cache, the split and the tier. */
const INNER: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'anthropic',
  'gen_ai.request.model': 'claude-test',
  'gen_ai.usage.input_tokens': 5100,
  'gen_ai.usage.cache_read.input_tokens': 2000,
  'gen_ai.usage.cache_write.input_tokens': 3000,
  'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 2000,
  'anthropic.response.service_tier': 'standard',
  'gen_ai.usage.output_tokens': 300,
};
// claude-test: 100 uncached × $3 + 2,000 read × $0.30 + 1,000 5m writes × $3.75 + 2,000 1h writes × $6 + 300 × $15, per million.
const EXACT = 0.02115; // 0.0003 + 0.0006 + 0.00375 + 0.012 + 0.0045
// Without the split every write is a 5-minute one: 3,000 × $3.75.
const WITHOUT_SPLIT = 0.01665; // 0.0003 + 0.0006 + 0.01125 + 0.0045

/** Starts the outer span, the inner one under it, and ends them in the given order. */
function nested(order: 'inner first' | 'outer first'): { outer: ReadableSpan; inner: ReadableSpan } {
  const outer = t.provider.getTracer('instrumentation').startSpan('outer', { kind: SpanKind.INTERNAL, attributes: OUTER });
  const inner = t.provider
    .getTracer('com.anthropic.sdk.typescript')
    .startSpan('anthropic.messages.create', { kind: SpanKind.CLIENT, attributes: INNER }, trace.setSpan(context.active(), outer));
  if (order === 'inner first') {
    inner.end();
    outer.end();
  } else {
    outer.end();
    inner.end();
  }
  return { outer: t.span('outer'), inner: t.span('anthropic.messages.create') };
}

const cost = (s: ReadableSpan) => s.attributes['gen_ai.usage.cost'];

afterEach(async () => {
  await t?.close();
});

describe('one priced span per model call', () => {
  beforeEach(() => {
    t = createTestTracing();
  });

  it.each(['inner first', 'outer first'] as const)('prices the span that ends last with the fuller usage of the two (%s)', (order) => {
    const { outer, inner } = nested(order);
    const [dup, priced] = order === 'inner first' ? [inner, outer] : [outer, inner];
    expect(dup.attributes['genai_cost.span.role']).toBe('duplicate');
    expect(cost(dup)).toBeUndefined();
    expect(dup.attributes['genai_cost.unpriced']).toBeUndefined();
    expect(cost(priced)).toBe(EXACT);
    expect(priced.attributes['genai_cost.service_tier']).toBe('standard');
    expect(priced.attributes['genai_cost.provider']).toBe('anthropic');
    expect(priced.attributes['genai_cost.usage.incomplete']).toBeUndefined();
    expect(t.processor.getStats()).toMatchObject({ pricedSpans: 1, duplicateSpans: 1, internalErrors: 0 });
  });

  it('writes the usage it priced with where the priced span lacks it', () => {
    const { outer } = nested('inner first');
    expect(outer.attributes).toMatchObject({
      'genai_cost.usage.input_tokens': 5100,
      'genai_cost.usage.cache_write.input_tokens': 3000,
      'genai_cost.usage.cache_write_1h.input_tokens': 2000,
      'genai_cost.usage.cache_read.input_tokens': 2000,
      'genai_cost.usage.output_tokens': 300,
    });
  });

  it('does not write usage the priced span already carries', () => {
    const { inner } = nested('outer first');
    expect(inner.attributes['genai_cost.usage.input_tokens']).toBeUndefined();
  });

  it('prices a model call alone, without the split, and says the split is missing', () => {
    t.provider.getTracer('instrumentation').startSpan('alone', { attributes: OUTER }).end();
    const a = t.span('alone').attributes;
    expect(a['gen_ai.usage.cost']).toBe(WITHOUT_SPLIT);
    expect(a['genai_cost.usage.incomplete']).toBe('cache_write_ttl');
    expect(t.processor.getStats().incompleteUsageSpans.cache_write_ttl).toBe(1);
  });

  it('prices an embeddings root without usage through its child with usage, flagging nothing unpriced', () => {
    const tracer = t.provider.getTracer('ai');
    const embedAttrs = { 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-test' };
    const root = tracer.startSpan('embeddings gpt-test', { kind: SpanKind.CLIENT, attributes: embedAttrs });
    tracer.startSpan('embeddings gpt-test inner', { kind: SpanKind.CLIENT, attributes: { ...embedAttrs, 'gen_ai.usage.input_tokens': 500 } }, trace.setSpan(context.active(), root)).end();
    root.end();
    const spans = t.exporter.getFinishedSpans();
    expect(spans.filter((s) => s.attributes['genai_cost.unpriced'] !== undefined)).toEqual([]);
    // 500 × $2 per million, once.
    expect(spans.map(cost).filter((c) => c !== undefined)).toEqual([0.001]);
  });

  it('prices calls under a span that wraps several of them each on their own', () => {
    const tracer = t.provider.getTracer('instrumentation');
    const parent = tracer.startSpan('parent', { attributes: OUTER });
    const ctx = trace.setSpan(context.active(), parent);
    const a = tracer.startSpan('a', { attributes: INNER }, ctx);
    const b = tracer.startSpan('b', { attributes: INNER }, ctx);
    parent.end();
    a.end();
    b.end();
    expect(t.span('parent').attributes['genai_cost.span.role']).toBe('duplicate');
    expect(cost(t.span('a'))).toBe(EXACT);
    expect(cost(t.span('b'))).toBe(EXACT);
  });

  it('forgets open spans past its bound, so spans that never end cannot grow it', () => {
    t = createTestTracing({ maxOpenModelSpans: 2 });
    const tracer = t.provider.getTracer('instrumentation');
    for (let i = 0; i < 5; i++) tracer.startSpan(`open-${i}`, { attributes: INNER });
    tracer.startSpan('last', { attributes: INNER }).end();
    expect(cost(t.span('last'))).toBe(EXACT);
  });
});

describe('preset costs', () => {
  beforeEach(() => {
    t = createTestTracing();
  });

  it.each([
    ['Infinity', Number.POSITIVE_INFINITY],
    ['NaN', Number.NaN],
    ['a negative cost', -1],
    ['1e300', 1e300],
    ['above the ceiling', 1_000.01],
    ['a string', '0.5'],
  ])('rejects %s, flags it and prices the span from its tokens', (_label, preset) => {
    t.tracer.startSpan('preset', { attributes: { ...INNER, 'gen_ai.usage.cost': preset as number } }).end();
    const a = t.span('preset').attributes;
    expect(a['genai_cost.invalid_cost']).toBe(true);
    expect(a['gen_ai.usage.cost']).toBe(EXACT);
    expect(t.processor.getStats().invalidPresetCosts).toBe(1);
  });

  it('keeps a sane preset cost', () => {
    t.tracer.startSpan('preset', { attributes: { ...INNER, 'gen_ai.usage.cost': 0.5 } }).end();
    expect(t.span('preset').attributes).toMatchObject({ 'gen_ai.usage.cost': 0.5, 'genai_cost.price.id': 'span' });
  });

  it('flags an invalid preset cost on a span it cannot price and leaves it unpriced', () => {
    t.tracer.startSpan('preset', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'claude-test', 'gen_ai.usage.cost': 1e300 } }).end();
    expect(t.span('preset').attributes).toMatchObject({ 'genai_cost.invalid_cost': true, 'genai_cost.unpriced': true, 'genai_cost.unpriced.reason': 'no_usage' });
  });
});

describe('GenAICostPricer.priceEndedSpans', () => {
  it('prices ended spans as the processor does, the duplicate rule in end-time order', async () => {
    // Record the spans of a trace without pricing them, as an OTLP receiver would get them.
    t = createTestTracing({ catalog: TEST_CATALOG });
    await t.close();
    const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const memory = new InMemorySpanExporter();
    const raw = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(memory)] });
    const outer = raw.getTracer('instrumentation').startSpan('outer', { startTime: [1_800_000_000, 0], attributes: { ...OUTER, 'user.id': 'u-1', 'saas.tier': 'pro', 'saas.tag.region': 'eu' } });
    const inner = raw.getTracer('sdk').startSpan('inner', { startTime: [1_800_000_000, 1], attributes: INNER }, trace.setSpan(context.active(), outer));
    inner.end([1_800_000_001, 0]);
    outer.end([1_800_000_002, 0]);
    const ended = memory.getFinishedSpans();
    const view = ended.map((s) => toView(s));

    const events: unknown[] = [];
    const pricer = new GenAICostPricer({ catalog: TEST_CATALOG, onSpanCost: (e) => events.push(e) });
    // Given out of order: the rule follows the end times, not the array.
    const results = pricer.priceEndedSpans([view[1]!, view[0]!]);
    expect(results.map((r) => [r.span.attributes['gen_ai.usage.input_tokens'], r.role, r.costUsd])).toEqual([
      [100, 'inference', EXACT],
      [5100, 'duplicate', undefined],
    ]);
    expect(view[1]!.attributes['genai_cost.price.id']).toBe('anthropic/claude-test@1970-01-01');
    expect(events).toMatchObject([{ costUsd: EXACT, attribution: { userId: 'u-1', tier: 'pro', tags: { region: 'eu' } } }]);
    expect(pricer.getStats()).toMatchObject({ pricedSpans: 1, duplicateSpans: 1, internalErrors: 0 });
    await raw.shutdown();
  });

  it('marks a call already carried elsewhere as a duplicate with its attribution, and prices the rest of the batch', () => {
    const events: unknown[] = [];
    const pricer = new GenAICostPricer({ catalog: TEST_CATALOG, userIdHmacKey: 'a-key-of-16-bytes-or-more', onSpanCost: (e) => events.push(e) });
    const [known, fresh] = [toView(undefined), toView(undefined)];
    const results = pricer.priceEndedSpans([known, fresh], { attribution: () => ({ userId: 'u-1', tier: 'pro' }), knownDuplicate: (s) => s === known });
    expect(results.map((r) => [r.role, r.costUsd])).toEqual([
      ['duplicate', undefined],
      ['inference', EXACT],
    ]);
    expect(known.attributes).toMatchObject({ 'genai_cost.span.role': 'duplicate', 'saas.tier': 'pro', 'user.id': pricer.storedUserId('u-1') });
    expect(known.attributes['gen_ai.usage.cost']).toBeUndefined();
    expect(known.attributes['genai_cost.price.id']).toBeUndefined();
    expect(events).toHaveLength(1);
    expect(pricer.getStats()).toMatchObject({ pricedSpans: 1, duplicateSpans: 1, unpricedSpans: { no_usage: 0, unknown_model: 0 } });
  });

  it('counts a span that cannot be read and goes on with the batch', () => {
    const pricer = new GenAICostPricer({ catalog: TEST_CATALOG });
    const broken = { ...toView(undefined), spanContext: () => { throw new Error('broken'); } } as PricingSpan;
    const results = pricer.priceEndedSpans([broken, toView(undefined)]);
    expect(results[1]!.costUsd).toBe(EXACT);
    expect(pricer.getStats().internalErrors).toBe(1);
  });
});

let nextId = 0;
/** A plain object with the shape an OTLP receiver gives: attributes copied, writes kept. */
function toView(s: ReadableSpan | undefined): PricingSpan {
  const attributes: Attributes = { ...(s?.attributes ?? INNER) };
  const ctx = s?.spanContext() ?? { traceId: '1'.repeat(32), spanId: (++nextId).toString(16).padStart(16, '0'), traceFlags: 1 };
  return {
    attributes,
    kind: s?.kind ?? SpanKind.CLIENT,
    instrumentationScope: { name: s?.instrumentationScope.name ?? 'sdk' },
    startTime: s?.startTime ?? [1_800_000_000, 0],
    endTime: s?.endTime ?? [1_800_000_001, 0],
    spanContext: () => ctx,
    parentSpanContext: s?.parentSpanContext,
    setAttribute(key, value) {
      attributes[key] = value;
    },
  };
}
