import { createRequire } from 'node:module';
import { AnthropicInstrumentation } from '@arizeai/openinference-instrumentation-anthropic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type AnthropicModule from '@anthropic-ai/sdk';
import { InstrumentationPipeline, drain, expectOneCall, usd } from './support/pipeline.js';

// Claude Haiku 4.5, https://platform.claude.com/docs/en/about-claude/pricing (USD per million tokens).
const HAIKU_45 = { input: 1, output: 5, cacheRead: 0.1, cacheWrite5m: 1.25, cacheWrite1h: 2 };
const USAGE = { input: 100, output: 300, cacheRead: 2000, cacheWrite5m: 1000, cacheWrite1h: 2000 };
const EXACT =
  usd(100, HAIKU_45.input) + usd(2000, HAIKU_45.cacheRead) + usd(1000, HAIKU_45.cacheWrite5m) + usd(2000, HAIKU_45.cacheWrite1h) + usd(300, HAIKU_45.output);
// Without the split every write is billed at the 5-minute rate.
const NO_SPLIT = usd(100, HAIKU_45.input) + usd(2000, HAIKU_45.cacheRead) + usd(3000, HAIKU_45.cacheWrite5m) + usd(300, HAIKU_45.output);
const MODEL = 'claude-haiku-4-5-20250929';

const p = new InstrumentationPipeline();
let sdk: typeof AnthropicModule;

beforeAll(async () => {
  await p.start();
  const instrumentation = new AnthropicInstrumentation({ tracerProvider: p.provider });
  const module = createRequire(import.meta.url)('@anthropic-ai/sdk') as { default: typeof AnthropicModule };
  instrumentation.manuallyInstrument(module as never);
  sdk = module.default;
  p.fake.script.anthropic = USAGE;
});
afterAll(() => p.close());

const ask = (client: AnthropicModule, stream = false) =>
  stream
    ? client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] }).then(drain)
    : client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });

describe('@arizeai/openinference-instrumentation-anthropic with the SDK tracing itself', () => {
  const client = () => new sdk({ apiKey: 'test-key', baseURL: p.fake.anthropicBaseUrl, maxRetries: 0 });

  it.each([false, true])('prices one call once, with the 1-hour split the SDK span has (stream: %s)', async (stream) => {
    const traced = await p.traced(() => ask(client(), stream));
    const llm = traced.spans.filter((s) => s.attributes['openinference.span.kind'] === 'LLM' || s.attributes['gen_ai.operation.name'] === 'chat');
    expect(llm.map((s) => s.instrumentationScope.name).sort()).toEqual(['@arizeai/openinference-instrumentation-anthropic', 'com.anthropic.sdk.typescript']);
    expectOneCall(traced, { costUsd: EXACT, tokens: { input: 5100, output: 300, cacheRead: 2000, cacheWrite: 3000, cacheWrite1h: 2000 }, provider: 'anthropic', model: MODEL, serviceTier: 'standard' });
    const duplicates = traced.spans.filter((s) => s.attributes['genai_cost.span.role'] === 'duplicate');
    expect(duplicates).toHaveLength(1);
    expect(traced.rows.filter((r) => r.SpanRole === 'duplicate')).toHaveLength(1);
  });
});

describe('@arizeai/openinference-instrumentation-anthropic alone (SDK tracing off)', () => {
  const client = () => new sdk({ apiKey: 'test-key', baseURL: p.fake.anthropicBaseUrl, maxRetries: 0, openTelemetry: false });

  it('prices cache writes at the 5-minute rate and says the split is missing', async () => {
    const traced = await p.traced(() => ask(client()));
    const span = expectOneCall(traced, {
      costUsd: NO_SPLIT,
      tokens: { input: 5100, output: 300, cacheRead: 2000, cacheWrite: 3000 },
      provider: 'anthropic',
      model: MODEL,
      incomplete: 'cache_write_ttl',
    });
    // OpenInference's prompt count includes cache reads and writes.
    expect(span.attributes['llm.token_count.prompt']).toBe(5100);
  });
});
