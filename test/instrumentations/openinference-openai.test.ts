import { createRequire } from 'node:module';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type OpenAIModule from 'openai';
import { InstrumentationPipeline, drain, expectOneCall, expectUnpricedCall, usd } from './support/pipeline.js';

// Prices from https://developers.openai.com/api/docs/pricing (USD per million tokens).
const O4_MINI = { input: 1.1, cachedInput: 0.275, output: 4.4 };
const GPT_41_MINI = { input: 0.4, cachedInput: 0.1, output: 1.6 };

const p = new InstrumentationPipeline();
let client: OpenAIModule;

beforeAll(async () => {
  await p.start();
  const instrumentation = new OpenAIInstrumentation({ tracerProvider: p.provider });
  const module = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAIModule };
  instrumentation.manuallyInstrument(module as never);
  client = new module.OpenAI({ apiKey: 'test-key', baseURL: p.fake.openaiBaseUrl, maxRetries: 0 });
});
afterAll(() => p.close());

describe('@arizeai/openinference-instrumentation-openai + openai', () => {
  it('prices a reasoning chat call with cached input exactly', async () => {
    p.fake.script.openai = { input: 1200, output: 300, cached: 1024, reasoning: 100 };
    const traced = await p.traced(() => client.chat.completions.create({ model: 'o4-mini', messages: [{ role: 'user', content: 'hi' }] }));
    // 176 uncached + 1,024 cached input; 300 output, of which 100 reasoning (billed as output).
    expectOneCall(traced, {
      costUsd: usd(176, O4_MINI.input) + usd(1024, O4_MINI.cachedInput) + usd(300, O4_MINI.output),
      tokens: { input: 1200, output: 300, cacheRead: 1024, reasoning: 100 },
      provider: 'openai',
      model: 'o4-mini-2025-04-14',
    });
  });

  it('prices a Responses API call exactly', async () => {
    p.fake.script.openai = { input: 1200, output: 300, cached: 1024 };
    const traced = await p.traced(() => client.responses.create({ model: 'gpt-4.1-mini', input: 'hi' }));
    expectOneCall(traced, {
      costUsd: usd(176, GPT_41_MINI.input) + usd(1024, GPT_41_MINI.cachedInput) + usd(300, GPT_41_MINI.output),
      tokens: { input: 1200, output: 300, cacheRead: 1024 },
      provider: 'openai',
      model: 'gpt-4.1-mini-2025-04-14',
    });
  });

  it('flags a streamed call unpriced: the instrumentation records no usage on streams', async () => {
    p.fake.script.openai = { input: 800, output: 120 };
    const traced = await p.traced(async () =>
      drain(await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] })),
    );
    expectUnpricedCall(traced, 'no_usage');
  });

  it('flags an embeddings call unpriced but names its model from embedding.model_name', async () => {
    p.fake.script.embeddingTokens = 500;
    const traced = await p.traced(() => client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' }));
    expectUnpricedCall(traced, 'no_usage');
    expect(traced.rows.find((r) => r.SpanRole === 'inference')?.Model).toBe('text-embedding-3-small');
  });
});
