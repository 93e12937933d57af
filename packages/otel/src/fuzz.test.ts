import { context, SpanKind, trace } from '@opentelemetry/api';
import type { AttributeValue, Attributes } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestTracing } from './test-support/tracing.js';

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = [
  'gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.system', 'gen_ai.request.model', 'gen_ai.response.model',
  'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_write.input_tokens',
  'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.cost',
  'anthropic.usage.cache_creation.ephemeral_1h_input_tokens', 'anthropic.usage.cache_creation.ephemeral_5m_input_tokens', 'anthropic.response.service_tier',
  'openai.response.service_tier', 'openinference.span.kind', 'llm.model_name', 'llm.token_count.prompt', 'llm.token_count.completion',
  'llm.token_count.prompt_details.cache_read', 'embedding.model_name', 'ai.operationId', 'ai.model.id', 'ai.model.provider', 'ai.usage.inputTokens',
  'ai.usage.outputTokens', 'ai.usage.tokens', 'ai.usage.inputTokenDetails.cacheWriteTokens', 'ai.response.providerMetadata',
  'genai_cost.usage.input_tokens', 'genai_cost.usage.cache_write_1h.input_tokens',
  'gen_ai.usage.audio.input_tokens', 'gen_ai.usage.audio.cache_read.input_tokens', 'gen_ai.usage.image.output_tokens', 'llm.token_count.prompt_details.audio',
  'genai_cost.service_tier', 'genai_cost.region', 'genai_cost.requests.web_search', 'genai_cost.usage.audio.input_tokens',
];
const STRINGS = ['chat', 'embeddings', 'invoke_agent', 'LLM', 'EMBEDDING', 'ai.generateText.doGenerate', 'ai.embed.doEmbed', 'claude-test', 'gpt-test', 'o-test',
  'anthropic', 'openai', 'Anthropic', 'priority', 'x'.repeat(100_000), '', '{"anthropic":{"usage":{"ephemeral_1h_input_tokens":1e400}}}', '{"serviceTier":"',
  '{"anthropic":{"usage":{"server_tool_use":{"web_search_requests":1e400},"inference_geo":"us","speed":"fast"}}}', 'DataZone-Standard', 'us.anthropic.claude-test-v1:0', 'aws.bedrock'];
const NUMBERS = [0, 1, 100, 5_000, 49_999_999, 50_000_001, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, -0, 2 ** 53, 0.000001, 999.99, 1000.01];

function value(r: () => number): AttributeValue {
  const pick = r();
  if (pick < 0.45) return NUMBERS[Math.floor(r() * NUMBERS.length)]!;
  if (pick < 0.85) return STRINGS[Math.floor(r() * STRINGS.length)]!;
  if (pick < 0.95) return r() < 0.5;
  return [1, 2, 3];
}

const t = createTestTracing();
afterAll(() => t.close());

describe('10,000 random attribute sets', () => {
  it('never throw into the caller and never write a non-finite, negative or absurd cost', () => {
    const r = random(20261129);
    const costs: unknown[] = [];
    for (let i = 0; i < 10_000; i++) {
      const attrs: Attributes = {};
      const n = 1 + Math.floor(r() * 10);
      for (let k = 0; k < n; k++) attrs[KEYS[Math.floor(r() * KEYS.length)]!] = value(r);
      const kind = r() < 0.5 ? SpanKind.CLIENT : SpanKind.INTERNAL;
      // Half nest under another random span, so the duplicate rule runs on random pairs too.
      expect(() => {
        if (r() < 0.5) {
          t.tracer.startSpan(`s${i}`, { kind, attributes: attrs }).end();
        } else {
          const outer = t.tracer.startSpan(`o${i}`, { kind, attributes: attrs });
          const inner = t.tracer.startSpan(`s${i}`, { kind, attributes: { ...attrs } }, trace.setSpan(context.active(), outer));
          if (r() < 0.5) inner.end();
          outer.end();
          inner.end();
        }
      }).not.toThrow();
      // A span with a price id carries a cost this processor wrote or kept.
      for (const s of t.exporter.getFinishedSpans()) if (s.attributes['genai_cost.price.id'] !== undefined) costs.push(s.attributes['gen_ai.usage.cost']);
      t.exporter.reset();
    }
    // Finite, ≥ 0 and within the default $1,000 ceiling.
    const bad = costs.filter((c) => typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 1_000);
    expect(bad).toEqual([]);
    expect(costs.length).toBeGreaterThan(100);
    expect(t.processor.getStats().internalErrors).toBe(0);
  });
});
