import { describe, expect, it } from 'vitest';
import { PriceCatalog } from './catalog.js';
import { priceUsage } from './priceUsage.js';
import type { PriceRequest } from './priceUsage.js';

// Costs are computed by hand from the provider page each test cites; the catalog must agree.
const catalog = PriceCatalog.builtin();
const NOV_25 = Date.parse('2026-11-25T12:00:00Z'); // a Wednesday
const M = 1_000_000;

function price(request: Omit<PriceRequest, 'at'> & { at?: number }) {
  const priced = priceUsage(catalog, { at: NOV_25, ...request });
  if (priced === undefined) throw new Error(`no price for ${request.model}`);
  return priced;
}

describe('pinned snapshots keep their own older price', () => {
  // https://mistral.ai/pricing (retired snapshot, as LiteLLM lists it): Mistral Large 2402 $4 in, $12 out.
  it('mistral-large-2402 at $4/$12, not Large 3 at $0.50/$1.50', () => {
    const p = price({ model: 'mistral-large-2402', provider: 'mistral_ai', usage: { inputTokens: M, outputTokens: M } });
    expect(p.cost.totalUsd).toBe(16);
    expect(p.priceId).toBe('mistral/mistral-large-2402@2024-02-26');
  });

  // https://mistral.ai/pricing: Medium 3 (2505) $0.40/$2; mistral-medium-latest is Medium 3.5 at $1.50/$7.50.
  it('mistral-medium-2505 stays at $0.40/$2 while mistral-medium-latest moved to $1.50/$7.50', () => {
    expect(price({ model: 'mistral-medium-2505', usage: { inputTokens: M, outputTokens: M } }).cost.totalUsd).toBe(2.4);
    expect(price({ model: 'mistral-medium-latest', usage: { inputTokens: M, outputTokens: M } }).cost.totalUsd).toBe(9);
  });

  // https://developers.openai.com/api/docs/pricing (legacy models): gpt-3.5-turbo-0613 $1.50/$2.00.
  it('gpt-3.5-turbo-0613 at $1.50/$2.00, not gpt-3.5-turbo at $0.50/$1.50', () => {
    expect(price({ model: 'gpt-3.5-turbo-0613', usage: { inputTokens: M, outputTokens: M } }).cost.totalUsd).toBe(3.5);
  });
});

describe('regions and data residency', () => {
  // https://platform.claude.com/docs/en/build-with-claude/claude-in-amazon-bedrock: Sonnet 4.5 global
  // endpoint $3/$15; regional endpoints and US/EU/JP/AU profiles +10%; GovCloud 1.2x (see providers.yaml).
  const usage = { inputTokens: M, outputTokens: 100_000 };

  it('prices a Bedrock us.anthropic… inference profile at +10%', () => {
    const p = price({ model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', provider: 'aws.bedrock', usage });
    // 1M × $3.30 + 100k × $16.50 per million.
    expect(p.cost.totalUsd).toBe(4.95);
    expect(p.applied.region).toBe('geo');
    expect(p.priceId).toBe('bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0@1970-01-01+geo');
  });

  it('prices the global profile at the list price and GovCloud at +20%', () => {
    expect(price({ model: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', provider: 'aws.bedrock', usage }).cost.totalUsd).toBe(3 + 1.5);
    const gov = 'arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0';
    expect(price({ model: gov, provider: 'aws.bedrock', usage }).cost.totalUsd).toBe(3.6 + 1.8);
  });

  // https://docs.aws.amazon.com/claude-platform/latest/userguide/data-residency.html: US inference geo 1.1x.
  it('prices Anthropic US-only inference at 1.1x', () => {
    const p = price({ model: 'claude-opus-4-6', provider: 'anthropic', region: 'us', usage: { inputTokens: M, outputTokens: 0 } });
    expect(p.cost.totalUsd).toBe(5.5);
    expect(p.priceId).toBe('anthropic/claude-opus-4-6@2026-02-05+us');
  });

  it('prices an Azure data-zone deployment at +10%', () => {
    const p = price({ model: 'gpt-4o-mini', provider: 'azure.ai.openai', region: 'DataZone-Standard', usage: { inputTokens: M, outputTokens: 0 } });
    expect(p.cost.totalUsd).toBe(0.165);
    expect(p.applied.region).toBe('data-zone');
  });
});

describe('service tiers', () => {
  // https://developers.openai.com/api/docs/pricing: GPT-5 $1.25/$10, Flex at 50% ($0.625/$5).
  it('prices an OpenAI flex call at 50%', () => {
    const p = price({ model: 'gpt-5-2025-08-07', provider: 'openai', serviceTier: 'flex', usage: { inputTokens: M, outputTokens: M } });
    expect(p.cost.totalUsd).toBe(0.625 + 5);
    expect(p.priceId).toBe('openai/gpt-5@2025-08-07+flex');
  });

  // https://openai.com/api-priority-processing/: GPT-5.5 priority $12.50/$75 against $5/$30 standard (2.5x).
  it('prices GPT-5.5 priority (fast) at 2.5x', () => {
    // 100k tokens each way, under the 272k long-context threshold.
    const usage = { inputTokens: 100_000, outputTokens: 100_000 };
    expect(price({ model: 'gpt-5.5', serviceTier: 'default', usage }).cost.totalUsd).toBe(3.5);
    const p = price({ model: 'gpt-5.5', serviceTier: 'fast', usage });
    expect(p.cost.totalUsd).toBe(8.75);
    expect(p.applied.serviceTier).toBe('priority');
  });

  // https://ai.google.dev/gemini-api/docs/pricing: Gemini 2.5 Flash $0.30 input; Priority 1.8x, Batch 50%.
  it('prices Gemini priority at 1.8x and batch at 50%', () => {
    expect(price({ model: 'gemini-2.5-flash', serviceTier: 'priority', usage: { inputTokens: M, outputTokens: 0 } }).cost.totalUsd).toBe(0.54);
    expect(price({ model: 'gemini-2.5-flash', serviceTier: 'batch', usage: { inputTokens: M, outputTokens: 0 } }).cost.totalUsd).toBe(0.15);
  });

  // https://platform.claude.com/docs/en/models/opus-5-5/overview: Opus 5.5 $4/$20, Batch API 50%; fast mode 2x.
  it('prices Anthropic batch at 50% and fast mode at its premium', () => {
    const usage = { inputTokens: M, outputTokens: M };
    expect(price({ model: 'claude-opus-5-5', serviceTier: 'batch', usage }).cost.totalUsd).toBe(12);
    expect(price({ model: 'claude-opus-5-5', serviceTier: 'fast', usage }).cost.totalUsd).toBe(48);
  });

  it('prices a tier the model does not sell at standard rates and says so', () => {
    const p = price({ model: 'claude-opus-5-5', serviceTier: 'flex', usage: { inputTokens: M, outputTokens: 0 } });
    expect(p.cost.totalUsd).toBe(4);
    expect(p.ignored).toEqual(['serviceTier:flex']);
    expect(p.priceId).toBe('anthropic/claude-opus-5-5@2026-09-22');
  });
});

describe('time of day', () => {
  // https://api-docs.deepseek.com/quick_start/pricing: from 16:00 UTC on 2026-08-16 V4 Pro costs $0.66 in,
  // $1.98 out off-peak and twice that in peak hours (01:00-04:00 and 06:00-10:00 UTC, Monday to Friday).
  const usage = { inputTokens: M, outputTokens: M };

  it('prices a DeepSeek call in peak hours at twice the off-peak rates', () => {
    const p = price({ model: 'deepseek-v4-pro', at: Date.parse('2026-11-25T02:30:00Z'), usage });
    expect(p.cost.totalUsd).toBe(5.28);
    expect(p.priceId).toBe('deepseek/deepseek-v4-pro@2026-08-16T16:00:00Z+peak');
  });

  it('prices a DeepSeek call off-peak, and on a weekend during peak hours, at the off-peak rates', () => {
    expect(price({ model: 'deepseek-v4-pro', at: Date.parse('2026-11-25T12:00:00Z'), usage }).cost.totalUsd).toBe(2.64);
    const saturday = price({ model: 'deepseek-v4-pro', at: Date.parse('2026-11-28T02:30:00Z'), usage });
    expect(saturday.cost.totalUsd).toBe(2.64);
    expect(saturday.applied.timeWindow).toBe('off-peak');
  });
});

describe('cache writes, modalities and per-request charges', () => {
  // https://platform.claude.com/docs/en/models/opus-5-5/overview: 5m cache write $5, 1h cache write $8.
  it('prices a 1-hour Anthropic cache write at the 1-hour rate', () => {
    const p = price({ model: 'claude-opus-5-5', usage: { inputTokens: M, outputTokens: 0, cacheWriteTokens: M, cacheWrite1hTokens: M } });
    expect(p.cost.cacheWriteUsd).toBe(8);
    const mixed = price({ model: 'claude-opus-5-5', usage: { inputTokens: M, outputTokens: 0, cacheWriteTokens: M, cacheWrite1hTokens: 250_000 } });
    expect(mixed.cost.cacheWriteUsd).toBe(0.75 * 5 + 0.25 * 8);
  });

  // https://ai.google.dev/gemini-api/docs/pricing: Gemini 2.5 Flash input $0.30 (text, image, video), $1.00 audio.
  it('prices Gemini audio input at its own rate', () => {
    const p = price({ model: 'gemini-2.5-flash', provider: 'gcp.gemini', usage: { inputTokens: 2 * M, outputTokens: 0, audioInputTokens: M } });
    expect(p.cost.inputUsd).toBe(1.3);
    expect(p.cost.audioUsd).toBe(1);
  });

  // https://platform.claude.com/docs/en/about-claude/pricing: web search $10 per 1,000 searches.
  it('adds per-request charges such as web search', () => {
    const p = price({ model: 'claude-sonnet-4-5', usage: { inputTokens: 0, outputTokens: 0 }, requests: { web_search: 3 } });
    expect(p.cost.requestsUsd).toBe(0.03);
    expect(p.cost.totalUsd).toBe(0.03);
    expect(price({ model: 'gpt-4o', usage: { inputTokens: 0, outputTokens: 0 }, requests: { web_search: 1 } }).ignored).toEqual(['requests:web_search']);
  });

  // https://docs.perplexity.ai/getting-started/pricing: Sonar $1/$1 per million tokens plus a request fee per
  // 1,000 requests ($12 at high search context, the one both reference catalogs list).
  it('charges a per-request fee once per call unless a count is given', () => {
    const p = price({ model: 'sonar', provider: 'perplexity', usage: { inputTokens: 1000, outputTokens: 1000 } });
    expect(p.cost.requestsUsd).toBe(0.012);
    expect(p.cost.totalUsd).toBe(0.002 + 0.012);
    expect(price({ model: 'sonar', provider: 'perplexity', usage: { inputTokens: 0, outputTokens: 0 }, requests: { request: 0 } }).cost.totalUsd).toBe(0);
    expect(price({ model: 'gpt-4o', usage: { inputTokens: 0, outputTokens: 0 } }).ignored).toEqual([]);
  });
});

describe('long-context tiers are decided on the whole prompt', () => {
  // https://ai.google.dev/gemini-api/docs/pricing: Gemini 2.5 Pro $1.25/$10 up to 200k prompt tokens,
  // $2.50/$15 (cached $0.25) above, for every token of the request.
  it('counts cached tokens towards the threshold', () => {
    const usage = { inputTokens: 210_000, outputTokens: 1_000, cacheReadTokens: 60_000 };
    const p = price({ model: 'gemini-2.5-pro', usage });
    // 150k × $2.50 + 60k × $0.25 + 1k × $15, per million: the uncached 150k alone is under 200k.
    expect(p.cost.totalUsd).toBe(0.375 + 0.015 + 0.015);
    expect(p.priceId).toBe('google/gemini-2.5-pro@2025-06-17+ctx>200k');
  });

  // https://docs.x.ai/developers/models/grok-4.20-0309: a prompt that reaches 200k tokens is billed at $2.50.
  it('bills Grok 4.20 at the upper rate from exactly 200k prompt tokens', () => {
    expect(price({ model: 'grok-4.20', usage: { inputTokens: 199_999, outputTokens: 0 } }).cost.totalUsd).toBe(0.24999875);
    expect(price({ model: 'grok-4.20', usage: { inputTokens: 200_000, outputTokens: 0 } }).cost.totalUsd).toBe(0.5);
  });

  // https://developers.openai.com/api/docs/pricing: GPT-6 Sol $2/$10; above 272k input tokens 2x input, 1.5x output.
  it('prices GPT-6 Sol above 272k input tokens at the long-context rates', () => {
    // 300k × $4 + 10k × $15 per million.
    expect(price({ model: 'gpt-6-sol', usage: { inputTokens: 300_000, outputTokens: 10_000 } }).cost.totalUsd).toBe(1.35);
  });
});
