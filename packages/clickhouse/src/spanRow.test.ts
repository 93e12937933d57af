import { context, SpanKind, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES, DEFAULT_MAX_TOKENS_PER_SPAN } from '@genai-cost/otel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SpanRowMapper } from './spanRow.js';
import { CHAT_ATTRS, createTestTracing } from './test-support/tracing.js';

const mapper = new SpanRowMapper({
  attributeKeys: DEFAULT_ATTRIBUTE_KEYS,
  inputExcludesCacheScopes: DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES,
  maxTokensPerSpan: DEFAULT_MAX_TOKENS_PER_SPAN,
});

let t: ReturnType<typeof createTestTracing>;
beforeEach(() => {
  t = createTestTracing();
});
afterEach(async () => {
  await t.close();
});

const rowOf = (name: string) => mapper.row(t.spans().find((s) => s.name === name)!);

describe('SpanRowMapper', () => {
  it('stores the canonical provider, keeps the raw one in SpanAttributes and records the scope and tier', () => {
    t.span('chat', { ...CHAT_ATTRS, 'gen_ai.provider.name': 'openai.responses', 'openai.response.service_tier': 'flex' });
    const row = rowOf('chat');
    expect(row).toMatchObject({ Provider: 'openai', ServiceTier: 'flex', ScopeName: 'test-instrumentation', CostUsd: 0.0057, Priced: true });
    expect(row.SpanAttributes['gen_ai.provider.name']).toBe('openai.responses');
    expect(row.SpanAttributes['genai_cost.provider']).toBeUndefined();
  });

  it('stores a duplicate span of a model call without cost or tokens, under its own role', () => {
    const tracer = t.provider.getTracer('outer-instrumentation');
    const outer = tracer.startSpan('outer', { kind: SpanKind.INTERNAL, attributes: CHAT_ATTRS });
    tracer.startSpan('inner', { kind: SpanKind.CLIENT, attributes: CHAT_ATTRS }, trace.setSpan(context.active(), outer)).end();
    outer.end();
    expect(rowOf('inner')).toMatchObject({ SpanRole: 'duplicate', Priced: false, CostUsd: 0, InputTokens: 0 });
    expect(rowOf('outer')).toMatchObject({ SpanRole: 'inference', Priced: true, CostUsd: 0.0057, InputTokens: 1000, CacheReadTokens: 200 });
  });

  it('stores the tokens a span was priced with when genai-cost wrote them', () => {
    t.span('chat', {
      ...CHAT_ATTRS,
      'genai_cost.usage.input_tokens': 2000,
      'genai_cost.usage.output_tokens': 10,
      'genai_cost.usage.cache_read.input_tokens': 0,
      'genai_cost.usage.cache_write.input_tokens': 300,
      'genai_cost.usage.cache_write_1h.input_tokens': 100,
      'genai_cost.usage.reasoning.output_tokens': 0,
    });
    expect(rowOf('chat')).toMatchObject({ InputTokens: 2000, OutputTokens: 10, CacheReadTokens: 0, CacheWriteTokens: 300, CacheWrite1hTokens: 100 });
  });

  it('stores the billing details reprice needs: region, audio and image parts, web searches', () => {
    t.span('chat', {
      ...CHAT_ATTRS,
      'gen_ai.usage.audio.input_tokens': 300,
      'gen_ai.usage.image.output_tokens': 5,
      'genai_cost.region': 'DataZone-Standard',
      'genai_cost.requests.web_search': 2,
    });
    const row = rowOf('chat');
    // 1,000 input with 200 cached: the 300 audio tokens are uncached.
    expect(row).toMatchObject({ Region: 'DataZone-Standard', AudioInputTokens: 300, AudioOutputTokens: 0, ImageInputTokens: 0, ImageOutputTokens: 5, WebSearchRequests: 2 });
    expect(row.SpanAttributes['genai_cost.region']).toBeUndefined();
  });

  it('never stores a cost beyond the column, whoever set it', () => {
    // No genai-cost processor here: the span's own cost reaches the mapper as it came.
    const span = new BasicTracerProvider().getTracer('x').startSpan('preset', { attributes: { ...CHAT_ATTRS, 'gen_ai.usage.cost': 1e300 } });
    span.end();
    expect(mapper.row(span as unknown as ReadableSpan)).toMatchObject({ Priced: false, CostUsd: 0 });
  });

  it('takes valid saas.tag.<key> attributes into Tags and leaves the others in SpanAttributes', () => {
    t.span('chat', { ...CHAT_ATTRS, 'saas.tag.region': 'eu', 'saas.tag.plan_variant': 'b', 'saas.tag.bad key': 'x', 'saas.tag.empty': '', 'saas.tag.n': 7 });
    const row = rowOf('chat');
    expect(row.Tags).toEqual({ region: 'eu', plan_variant: 'b' });
    expect(Object.keys(row.SpanAttributes).filter((k) => k.startsWith('saas.tag.')).sort()).toEqual(['saas.tag.bad key', 'saas.tag.empty', 'saas.tag.n']);
  });
});
