import { describe, expect, it } from 'vitest';
import type { PricePeriod } from './catalog.js';
import { computeCost, ratesFor } from './cost.js';

const gemini25Pro: PricePeriod = {
  id: 'google/gemini-2.5-pro@2025-06-17',
  effectiveFrom: '2025-06-17',
  effectiveFromMs: Date.parse('2025-06-17T00:00:00Z'),
  input: 1.25,
  output: 10,
  cacheRead: 0.125,
  tiers: [{ aboveInputTokens: 200_000, input: 2.5, output: 15, cacheRead: 0.25 }],
};
const flat = (r: number) => ({ input: r, output: r, cacheRead: r, cacheWrite: r, cacheWrite1h: r });

describe('computeCost', () => {
  it('prices each kind of token and sums exactly', () => {
    const cost = computeCost(
      { inputTokens: 1234, outputTokens: 567, cacheReadTokens: 1000 },
      { input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 2.5, cacheWrite1h: 2.5 },
    );
    expect(cost).toEqual({ inputUsd: 0.000585, outputUsd: 0.00567, cacheReadUsd: 0.00125, cacheWriteUsd: 0, totalUsd: 0.007505 });
  });

  it('keeps decimal results free of float noise', () => {
    // 0.1 + 0.2 style: 3 × 0.1 USD per million tokens.
    const cost = computeCost({ inputTokens: 3_000_000, outputTokens: 0 }, { ...flat(0.1), output: 0 });
    expect(cost.totalUsd).toBe(0.3);
  });

  it('never bills negative uncached input', () => {
    const cost = computeCost({ inputTokens: 10, outputTokens: 0, cacheReadTokens: 20 }, flat(1));
    expect(cost.inputUsd).toBe(0);
  });

  it('prices the 1-hour part of cache writes at the 1-hour rate, the rest at the 5-minute rate', () => {
    // Claude Opus 4.6 (https://platform.claude.com/docs/en/about-claude/pricing): 5m writes $6.25, 1h writes $10.
    const rates = { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25, cacheWrite1h: 10 };
    const cost = computeCost({ inputTokens: 1_000_000, outputTokens: 0, cacheWriteTokens: 1_000_000, cacheWrite1hTokens: 400_000 }, rates);
    // 600k × $6.25 + 400k × $10 per million.
    expect(cost.cacheWriteUsd).toBe(3.75 + 4);
    expect(cost.totalUsd).toBe(7.75);
  });
});

describe('ratesFor', () => {
  it('uses the base rates up to the threshold and the tier above it', () => {
    expect(ratesFor(gemini25Pro, 200_000)).toEqual({ input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25, cacheWrite1h: 1.25 });
    expect(ratesFor(gemini25Pro, 200_001)).toEqual({ input: 2.5, output: 15, cacheRead: 0.25, cacheWrite: 2.5, cacheWrite1h: 2.5 });
  });

  it('prices a Gemini 2.5 Pro long-context call at the upper tier for every token', () => {
    const usage = { inputTokens: 250_000, outputTokens: 2_000, cacheReadTokens: 50_000 };
    const cost = computeCost(usage, ratesFor(gemini25Pro, usage.inputTokens));
    // 200k uncached × $2.50 + 50k cached × $0.25 + 2k out × $15, per million.
    expect(cost.totalUsd).toBe(0.5 + 0.0125 + 0.03);
  });

  it('gives the 5-minute write rate in cacheWrite and the 1-hour one in cacheWrite1h, falling back to the 5-minute one', () => {
    const period: PricePeriod = { ...gemini25Pro, tiers: undefined, cacheWrite: 3.75, cacheWrite1h: 6 };
    expect(ratesFor(period, 10)).toMatchObject({ cacheWrite: 3.75, cacheWrite1h: 6 });
    expect(ratesFor({ ...period, cacheWrite1h: undefined }, 10)).toMatchObject({ cacheWrite: 3.75, cacheWrite1h: 3.75 });
  });
});
