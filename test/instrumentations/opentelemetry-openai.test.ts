import { createRequire } from 'node:module';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incompleteUsage } from '@genai-cost/clickhouse';
import type OpenAIModule from 'openai';
import { InstrumentationPipeline, drain, expectOneCall, usd } from './support/pipeline.js';

// Prices from https://developers.openai.com/api/docs/pricing (USD per million tokens).
const GPT_4O_MINI = { input: 0.15, cachedInput: 0.075, output: 0.6 };
const GPT_41_MINI = { input: 0.4, cachedInput: 0.1, output: 1.6 };
const EMBEDDING_3_SMALL = { input: 0.02 };

const p = new InstrumentationPipeline();
let client: OpenAIModule;

beforeAll(async () => {
  await p.start([new OpenAIInstrumentation()]);
  // Required after registration so the instrumentation's require hook patches the SDK.
  const { OpenAI } = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAIModule };
  client = new OpenAI({ apiKey: 'test-key', baseURL: p.fake.openaiBaseUrl, maxRetries: 0 });
});
afterAll(() => p.close());

describe('@opentelemetry/instrumentation-openai + openai', () => {
  it('prices a chat call whose cached tokens the instrumentation drops at the uncached rate, and says so', async () => {
    p.fake.script.openai = { input: 1200, output: 300, cached: 1024 };
    const traced = await p.traced(() => client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    // The span says 1,200 input tokens and nothing of the 1,024 cached: all billed as uncached.
    expectOneCall(traced, {
      costUsd: usd(1200, GPT_4O_MINI.input) + usd(300, GPT_4O_MINI.output),
      tokens: { input: 1200, output: 300 },
      provider: 'openai',
      model: 'gpt-4o-mini-2025-04-14',
      incomplete: 'cache_read',
    });
    // What it would have cost with the cache known, for the README's "prefer" advice.
    expect(usd(176, GPT_4O_MINI.input) + usd(1024, GPT_4O_MINI.cachedInput) + usd(300, GPT_4O_MINI.output)).toBeLessThan(0.00036);
  });

  it('prices a streamed chat call from its usage chunk', async () => {
    p.fake.script.openai = { input: 800, output: 120 };
    const traced = await p.traced(async () => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'hi' }],
      });
      await drain(stream);
    });
    expectOneCall(traced, {
      costUsd: usd(800, GPT_4O_MINI.input) + usd(120, GPT_4O_MINI.output),
      tokens: { input: 800, output: 120 },
      provider: 'openai',
      model: 'gpt-4o-mini-2025-04-14',
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

  it('prices an embeddings call; an embedding model has no cache rate, so nothing is missing', async () => {
    p.fake.script.embeddingTokens = 500;
    const traced = await p.traced(() => client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' }));
    expectOneCall(traced, { costUsd: usd(500, EMBEDDING_3_SMALL.input), tokens: { input: 500, output: 0 }, provider: 'openai', model: 'text-embedding-3-small' });
  });

  it('reports how many priced calls have incomplete usage, and from which instrumentation', async () => {
    const rows = await incompleteUsage(p.chdb.client, p.database, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000) });
    expect(rows).toEqual([{ scope: '@opentelemetry/instrumentation-openai', detail: 'cache_read', calls: 3 }]);
  });
});
