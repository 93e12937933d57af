import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentationPipeline, drain, expectOneCall, usd } from './support/pipeline.js';

// Claude Haiku 4.5, https://platform.claude.com/docs/en/about-claude/pricing (USD per million tokens).
const HAIKU_45 = { input: 1, output: 5, cacheRead: 0.1, cacheWrite5m: 1.25, cacheWrite1h: 2 };

/** Anthropic's own counts: input excludes cache reads and writes. */
const USAGE = { input: 100, output: 300, cacheRead: 2000, cacheWrite5m: 1000, cacheWrite1h: 2000 };
const EXACT =
  usd(100, HAIKU_45.input) + usd(2000, HAIKU_45.cacheRead) + usd(1000, HAIKU_45.cacheWrite5m) + usd(2000, HAIKU_45.cacheWrite1h) + usd(300, HAIKU_45.output);
const TOKENS = { input: 5100, output: 300, cacheRead: 2000, cacheWrite: 3000, cacheWrite1h: 2000 };

const p = new InstrumentationPipeline();
let client: Anthropic;

beforeAll(async () => {
  await p.start();
  client = new Anthropic({ apiKey: 'test-key', baseURL: p.fake.anthropicBaseUrl, maxRetries: 0 });
  p.fake.script.anthropic = USAGE;
});
afterAll(() => p.close());

describe("@anthropic-ai/sdk's own spans", () => {
  it('price a call with cache reads and 5-minute and 1-hour writes at each rate', async () => {
    const traced = await p.traced(() => client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
    const span = expectOneCall(traced, { costUsd: EXACT, tokens: TOKENS, provider: 'anthropic', model: 'claude-haiku-4-5-20250929', serviceTier: 'standard' });
    expect(span.instrumentationScope.name).toBe('com.anthropic.sdk.typescript');
    // The SDK reports input with cache included (5,100), as the semantic conventions ask.
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(5100);
  });

  it('price a streamed call', async () => {
    const traced = await p.traced(async () => {
      const stream = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'hi' }] });
      await drain(stream);
    });
    expectOneCall(traced, { costUsd: EXACT, tokens: TOKENS, provider: 'anthropic', model: 'claude-haiku-4-5-20250929', serviceTier: 'standard' });
  });

  it('record the priority tier that served a call', async () => {
    p.fake.script.anthropicServiceTier = 'priority';
    try {
      const traced = await p.traced(() => client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }));
      expectOneCall(traced, { costUsd: EXACT, tokens: TOKENS, provider: 'anthropic', model: 'claude-haiku-4-5-20250929', serviceTier: 'priority' });
    } finally {
      p.fake.script.anthropicServiceTier = 'standard';
    }
  });
});
