import { createRequire } from 'node:module';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type OpenAIModule from 'openai';
import { InstrumentationPipeline, drain, expectOneCall, expectUnpricedCall, usd } from './support/pipeline.js';

// Prices from https://developers.openai.com/api/docs/pricing (USD per million tokens).
const O4_MINI = { input: 1.1, output: 4.4 };
const GPT_41_MINI = { input: 0.4, output: 1.6 };

const p = new InstrumentationPipeline();
let client: OpenAIModule;

beforeAll(async () => {
  await p.start();
  const instrumentation = new OpenAIInstrumentation();
  instrumentation.setTracerProvider(p.provider);
  const module = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAIModule };
  instrumentation.manuallyInstrument(module.OpenAI as never);
  client = new module.OpenAI({ apiKey: 'test-key', baseURL: p.fake.openaiBaseUrl, maxRetries: 0 });
});
afterAll(() => p.close());

describe('@traceloop/instrumentation-openai + openai', () => {
  it('prices a reasoning chat call at the uncached rate (the instrumentation drops cached tokens) and says so', async () => {
    p.fake.script.openai = { input: 1200, output: 300, cached: 1024, reasoning: 100 };
    const traced = await p.traced(() => client.chat.completions.create({ model: 'o4-mini', messages: [{ role: 'user', content: 'hi' }] }));
    expectOneCall(traced, {
      costUsd: usd(1200, O4_MINI.input) + usd(300, O4_MINI.output),
      tokens: { input: 1200, output: 300 },
      provider: 'openai',
      model: 'o4-mini-2025-04-14',
      incomplete: 'cache_read',
    });
  });

  it('prices a Responses API call', async () => {
    p.fake.script.openai = { input: 2000, output: 50 };
    const traced = await p.traced(() => client.responses.create({ model: 'gpt-4.1-mini', input: 'hi' }));
    expectOneCall(traced, {
      costUsd: usd(2000, GPT_41_MINI.input) + usd(50, GPT_41_MINI.output),
      tokens: { input: 2000, output: 50 },
      provider: 'openai',
      model: 'gpt-4.1-mini-2025-04-14',
      incomplete: 'cache_read',
    });
  });

  it('flags a streamed call unpriced: the instrumentation records no usage on streams', async () => {
    p.fake.script.openai = { input: 800, output: 120 };
    const traced = await p.traced(async () =>
      drain(await client.chat.completions.create({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] })),
    );
    expectUnpricedCall(traced, 'no_usage');
  });
});
