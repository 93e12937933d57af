import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { embed, embedMany, generateText, streamText } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentationPipeline, expectOneCall, usd } from './support/pipeline.js';

// https://developers.openai.com/api/docs/pricing and https://platform.claude.com/docs/en/about-claude/pricing (USD per million tokens).
const O4_MINI = { input: 1.1, cachedInput: 0.275, output: 4.4 };
const GPT_4O_MINI = { input: 0.15, cachedInput: 0.075, output: 0.6 };
const EMBEDDING_3_SMALL = { input: 0.02 };
const HAIKU_45 = { input: 1, output: 5, cacheRead: 0.1, cacheWrite5m: 1.25, cacheWrite1h: 2 };

const telemetry = { experimental_telemetry: { isEnabled: true, functionId: 'summarise' } };
const p = new InstrumentationPipeline();
let openai: ReturnType<typeof createOpenAI>;
let anthropic: ReturnType<typeof createAnthropic>;

beforeAll(async () => {
  await p.start();
  openai = createOpenAI({ apiKey: 'test-key', baseURL: p.fake.openaiBaseUrl });
  anthropic = createAnthropic({ apiKey: 'test-key', baseURL: `${p.fake.anthropicBaseUrl}/v1` });
});
afterAll(() => p.close());

describe('the AI SDK (ai 6) with experimental_telemetry', () => {
  it('generateText (OpenAI Responses): prices the doGenerate span with cached and reasoning tokens, not its root', async () => {
    p.fake.script.openai = { input: 1200, output: 300, cached: 1024, reasoning: 100 };
    const traced = await p.traced(() => generateText({ model: openai('o4-mini'), prompt: 'hi', ...telemetry }));
    const span = expectOneCall(traced, {
      costUsd: usd(176, O4_MINI.input) + usd(1024, O4_MINI.cachedInput) + usd(300, O4_MINI.output),
      tokens: { input: 1200, output: 300, cacheRead: 1024, reasoning: 100 },
      provider: 'openai',
      model: 'o4-mini-2025-04-14',
      serviceTier: 'standard',
    });
    expect(span.name).toBe('ai.generateText.doGenerate');
    expect(traced.spans.find((s) => s.name === 'ai.generateText')?.attributes['genai_cost.span.role']).toBe('wrapper');
  });

  it('streamText (OpenAI Chat Completions): prices the doStream span from the streamed usage', async () => {
    p.fake.script.openai = { input: 1200, output: 300, cached: 1024 };
    const traced = await p.traced(async () => {
      const result = streamText({ model: openai.chat('gpt-4o-mini'), prompt: 'hi', ...telemetry });
      await result.consumeStream();
      await result.usage;
    });
    const span = expectOneCall(traced, {
      costUsd: usd(176, GPT_4O_MINI.input) + usd(1024, GPT_4O_MINI.cachedInput) + usd(300, GPT_4O_MINI.output),
      tokens: { input: 1200, output: 300, cacheRead: 1024 },
      provider: 'openai',
      model: 'gpt-4o-mini-2025-04-14',
    });
    expect(span.name).toBe('ai.streamText.doStream');
  });

  it.each(['generateText', 'streamText'] as const)('%s (Anthropic): bills cache writes as writes, 1-hour ones at the 1-hour rate', async (fn) => {
    p.fake.script.anthropic = { input: 100, output: 300, cacheRead: 2000, cacheWrite5m: 1000, cacheWrite1h: 2000 };
    const traced = await p.traced(async () => {
      if (fn === 'generateText') return generateText({ model: anthropic('claude-haiku-4-5'), prompt: 'hi', ...telemetry });
      const result = streamText({ model: anthropic('claude-haiku-4-5'), prompt: 'hi', ...telemetry });
      await result.consumeStream();
      return result.usage;
    });
    expectOneCall(traced, {
      costUsd:
        usd(100, HAIKU_45.input) + usd(2000, HAIKU_45.cacheRead) + usd(1000, HAIKU_45.cacheWrite5m) + usd(2000, HAIKU_45.cacheWrite1h) + usd(300, HAIKU_45.output),
      tokens: { input: 5100, output: 300, cacheRead: 2000, cacheWrite: 3000, cacheWrite1h: 2000 },
      provider: 'anthropic',
      model: 'claude-haiku-4-5-20250929',
      serviceTier: 'standard',
    });
  });

  it('embed: prices the doEmbed span from ai.usage.tokens', async () => {
    p.fake.script.embeddingTokens = 500;
    const traced = await p.traced(() => embed({ model: openai.embedding('text-embedding-3-small'), value: 'hi', ...telemetry }));
    const span = expectOneCall(traced, { costUsd: usd(500, EMBEDDING_3_SMALL.input), tokens: { input: 500, output: 0 }, provider: 'openai', model: 'text-embedding-3-small' });
    expect(span.name).toBe('ai.embed.doEmbed');
  });

  it('embedMany: prices the doEmbed span of the batch', async () => {
    p.fake.script.embeddingTokens = 500;
    const traced = await p.traced(() => embedMany({ model: openai.embedding('text-embedding-3-small'), values: ['a', 'b'], ...telemetry }));
    expectOneCall(traced, { costUsd: usd(1000, EMBEDDING_3_SMALL.input), tokens: { input: 1000, output: 0 }, provider: 'openai', model: 'text-embedding-3-small' });
  });
});
