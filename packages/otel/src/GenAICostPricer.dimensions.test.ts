import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PriceCatalog } from '@genai-cost/pricing';
import { withPricing } from './pricingHints.js';
import { createTestTracing } from './test-support/tracing.js';

/** Round prices with every dimension, so each expected cost is plain arithmetic. */
const CATALOG = PriceCatalog.empty().withPrices([
  {
    provider: 'openai',
    model: 'gpt-dims',
    input: 2,
    output: 10,
    cacheRead: 0.5,
    serviceTiers: { flex: { multiplier: 0.5 }, batch: { multiplier: 0.5 }, priority: { input: 4, output: 20 } },
    regions: { 'data-zone': 1.1 },
    audio: { input: 40, output: 80 },
    image: { input: 5 },
  },
  { provider: 'anthropic', model: 'claude-dims', input: 3, output: 15, regions: { us: 1.1 }, serviceTiers: { fast: { multiplier: 6 } }, requests: { web_search: 10 } },
]);
const M = 1_000_000;

type Tracing = ReturnType<typeof createTestTracing>;
let t: Tracing;
beforeEach(() => {
  t = createTestTracing({ catalog: CATALOG });
});
afterEach(async () => {
  await t.close();
});

const chat = (model: string, extra: Attributes = {}): Attributes => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': model.startsWith('claude') ? 'anthropic' : 'openai',
  'gen_ai.request.model': model,
  'gen_ai.usage.input_tokens': M,
  'gen_ai.usage.output_tokens': 0,
  ...extra,
});

/** An AI SDK doGenerate span of 1M input tokens to claude-dims, with Anthropic's raw `usage` details in its provider metadata. */
const aiSdkAnthropic = (usage: Record<string, unknown>): Attributes => ({
  'ai.operationId': 'ai.generateText.doGenerate',
  'ai.model.provider': 'anthropic.messages',
  'ai.model.id': 'claude-dims',
  'ai.usage.inputTokens': M,
  'ai.usage.outputTokens': 0,
  'ai.response.providerMetadata': JSON.stringify({ anthropic: { usage: { input_tokens: M, output_tokens: 0, ...usage } } }),
});

function priced(attrs: Attributes, name = 'chat'): Attributes {
  t.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: attrs }).end();
  return t.span(name).attributes;
}

describe('service tiers', () => {
  it('prices the tier the response reports', () => {
    const a = priced(chat('gpt-dims', { 'openai.response.service_tier': 'flex' }));
    expect([a['gen_ai.usage.cost'], a['genai_cost.price.id'], a['genai_cost.service_tier']]).toEqual([1, 'openai/gpt-dims@1970-01-01+flex', 'flex']);
  });

  it('prices a tier with rates of its own', () => {
    expect(priced(chat('gpt-dims', { 'openai.response.service_tier': 'priority' }))['gen_ai.usage.cost']).toBe(4);
  });

  it('prices a tier the app declared on its own span, a batch result it records', () => {
    const a = priced(chat('gpt-dims', { 'genai_cost.service_tier': 'batch' }));
    expect([a['gen_ai.usage.cost'], a['genai_cost.price.id']]).toEqual([1, 'openai/gpt-dims@1970-01-01+batch']);
  });

  it('prices the tier of withPricing for spans that report none, and writes it on the span', () => {
    withPricing({ serviceTier: 'Batch' }, () => t.tracer.startSpan('chat', { kind: SpanKind.CLIENT, attributes: chat('gpt-dims') }).end());
    const a = t.span('chat').attributes;
    expect([a['gen_ai.usage.cost'], a['genai_cost.service_tier']]).toEqual([1, 'batch']);
  });

  it('lets the tier the response reports win over a declared one', () => {
    withPricing({ serviceTier: 'batch' }, () =>
      t.tracer.startSpan('chat', { kind: SpanKind.CLIENT, attributes: chat('gpt-dims', { 'openai.response.service_tier': 'default' }) }).end(),
    );
    expect(t.span('chat').attributes).toMatchObject({ 'gen_ai.usage.cost': 2, 'genai_cost.service_tier': 'standard', 'genai_cost.price.id': 'openai/gpt-dims@1970-01-01' });
  });

  it('prices Anthropic fast mode, reported by the AI SDK as a speed', () => {
    const a = priced(aiSdkAnthropic({ service_tier: 'standard', speed: 'fast' }));
    expect([a['gen_ai.usage.cost'], a['genai_cost.service_tier']]).toEqual([18, 'fast']);
  });

  it('prices a tier the model does not sell at its standard rates', () => {
    expect(priced(chat('claude-dims', { 'anthropic.response.service_tier': 'batch' }))['gen_ai.usage.cost']).toBe(3);
  });
});

describe('regions', () => {
  it('prices the region of withPricing (an Azure data-zone deployment) and writes it for the row', () => {
    withPricing({ region: 'DataZone-Standard' }, () => t.tracer.startSpan('chat', { kind: SpanKind.CLIENT, attributes: chat('gpt-dims') }).end());
    const a = t.span('chat').attributes;
    expect([a['gen_ai.usage.cost'], a['genai_cost.region'], a['genai_cost.price.id']]).toEqual([2.2, 'DataZone-Standard', 'openai/gpt-dims@1970-01-01+data-zone']);
  });

  it('prices the region declared on a span over that of the context', () => {
    withPricing({ region: 'eu' }, () => t.tracer.startSpan('chat', { kind: SpanKind.CLIENT, attributes: chat('claude-dims', { 'genai_cost.region': 'us' }) }).end());
    expect(t.span('chat').attributes['gen_ai.usage.cost']).toBe(3.3);
  });

  it("prices Anthropic's inference geo reported in the AI SDK's provider metadata", () => {
    const a = priced(aiSdkAnthropic({ inference_geo: 'us', server_tool_use: { web_search_requests: 3 } }));
    // 1M × $3 × 1.1, plus 3 searches at $10 per 1,000. The row mapper reads both from the metadata as the pricer did.
    expect([a['gen_ai.usage.cost'], a['genai_cost.cost.requests'], a['genai_cost.price.id']]).toEqual([3.33, 0.03, 'anthropic/claude-dims@1970-01-01+us']);
  });

  it('prices a Bedrock call by the inference profile it was made with, not the vendor name of the response', () => {
    const bedrock = PriceCatalog.empty().withPrices([{ provider: 'bedrock', model: 'anthropic.claude-dims-v1:0', input: 3, output: 15, regions: { geo: 1.1 } }]);
    t = createTestTracing({ catalog: bedrock });
    const a = priced(chat('us.anthropic.claude-dims-v1:0', { 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.response.model': 'claude-dims' }));
    expect([a['gen_ai.usage.cost'], a['genai_cost.price.id']]).toEqual([3.3, 'bedrock/anthropic.claude-dims-v1:0@1970-01-01+geo']);
  });
});

describe('modalities and per-request charges', () => {
  it('prices OTel GenAI audio and image tokens at their rates, their cached part at the cache rate', () => {
    const a = priced(
      chat('gpt-dims', {
        'gen_ai.usage.input_tokens': 3 * M,
        'gen_ai.usage.cache_read.input_tokens': M,
        'gen_ai.usage.audio.input_tokens': M,
        'gen_ai.usage.audio.cache_read.input_tokens': 500_000,
        'gen_ai.usage.image.input_tokens': 500_000,
        'gen_ai.usage.output_tokens': M,
        'gen_ai.usage.audio.output_tokens': 250_000,
      }),
    );
    // Input: 2M uncached = 500k audio × $40 + 500k image × $5 + 1M text × $2; 1M cached × $0.50.
    // Output: 250k audio × $80 + 750k text × $10.
    expect(a).toMatchObject({
      'genai_cost.cost.input': 24.5,
      'genai_cost.cost.cache_read': 0.5,
      'genai_cost.cost.output': 27.5,
      'genai_cost.cost.audio': 40,
      'genai_cost.cost.image': 2.5,
      'gen_ai.usage.cost': 52.5,
    });
  });

  it('reads OpenInference audio details', () => {
    const a = priced({
      'openinference.span.kind': 'LLM',
      'llm.provider': 'openai',
      'llm.model_name': 'gpt-dims',
      'llm.token_count.prompt': M,
      'llm.token_count.prompt_details.audio': 250_000,
      'llm.token_count.completion': 0,
    });
    expect(a['gen_ai.usage.cost']).toBe(0.25 * 40 + 0.75 * 2);
  });

  it('adds web searches the app declared on the span', () => {
    const a = priced(chat('claude-dims', { 'gen_ai.usage.input_tokens': 0, 'genai_cost.requests.web_search': 4 }));
    expect([a['gen_ai.usage.cost'], a['genai_cost.cost.requests']]).toEqual([0.04, 0.04]);
  });

  it('flags audio counts that are not counts as invalid usage', () => {
    expect(priced(chat('gpt-dims', { 'gen_ai.usage.audio.input_tokens': -5 }))['genai_cost.unpriced.reason']).toBe('invalid_usage');
  });

  it('carries the audio tokens and web searches of a duplicate span to the priced one, and writes them', () => {
    const outer = t.tracer.startSpan('outer', { kind: SpanKind.INTERNAL, attributes: chat('gpt-dims', { 'gen_ai.usage.input_tokens': M }) });
    t.tracer
      .startSpan('inner', { kind: SpanKind.CLIENT, attributes: chat('gpt-dims', { 'gen_ai.usage.audio.input_tokens': 500_000, 'genai_cost.requests.web_search': 2 }) }, trace.setSpan(context.active(), outer))
      .end();
    outer.end();
    const a = t.span('outer').attributes;
    expect(t.span('inner').attributes['genai_cost.span.role']).toBe('duplicate');
    expect(a).toMatchObject({ 'gen_ai.usage.cost': 21, 'genai_cost.usage.audio.input_tokens': 500_000, 'genai_cost.requests.web_search': 2 });
  });
});
