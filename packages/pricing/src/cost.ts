import type { PricePeriod } from './catalog.js';
import type { CostBreakdown, Rates, TokenUsage } from './types.js';

/**
 * Costs are kept to 1e-10 USD: far below a cent even summed over billions of calls, and coarse
 * enough that float noise from `tokens × rate` never shows (0.1 + 0.2 style artefacts).
 */
export const USD_SCALE = 1e10;

/** USD of `tokens` at `usdPerMillion`, rounded to {@link USD_SCALE}. */
export function usd(tokens: number, usdPerMillion: number): number {
  return Math.round(tokens * usdPerMillion * (USD_SCALE / 1e6)) / USD_SCALE;
}

/** A sum of USD amounts, rounded to {@link USD_SCALE}. */
export function sumUsd(...parts: number[]): number {
  let total = 0;
  for (const p of parts) total += p;
  return Math.round(total * USD_SCALE) / USD_SCALE;
}

type TextRates = Pick<PricePeriod, 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'cacheWrite1h' | 'tiers'>;

/**
 * The rates that apply to a call with `inputTokens` of input (cache reads and writes included: the
 * whole prompt decides the context tier): the highest context-length tier whose threshold is
 * exceeded, else the base rates. Missing cache rates fall back to the input rate of the same tier;
 * the 1-hour write rate falls back to the 5-minute one.
 */
export function ratesFor(period: TextRates, inputTokens: number): Rates {
  let r: Omit<TextRates, 'tiers'> = period;
  const tiers = period.tiers;
  if (tiers !== undefined) {
    for (let i = tiers.length - 1; i >= 0; i--) {
      if (inputTokens > tiers[i]!.aboveInputTokens) {
        r = tiers[i]!;
        break;
      }
    }
  }
  const cacheWrite = r.cacheWrite ?? r.input;
  return { input: r.input, output: r.output, cacheRead: r.cacheRead ?? r.input, cacheWrite, cacheWrite1h: r.cacheWrite1h ?? cacheWrite };
}

/**
 * The USD cost of `usage` at `rates`. Uncached input is input minus cache reads and writes; it is
 * never negative (usage normalisers guarantee input includes the cache). Cache writes are priced
 * at the 5-minute rate except `cacheWrite1hTokens`, at the 1-hour rate; both land in `cacheWriteUsd`.
 */
export function computeCost(usage: TokenUsage, rates: Rates): CostBreakdown {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const cacheWrite1h = Math.min(cacheWrite, Math.max(0, usage.cacheWrite1hTokens ?? 0));
  const uncached = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  const inputUsd = usd(uncached, rates.input);
  const outputUsd = usd(usage.outputTokens, rates.output);
  const cacheReadUsd = usd(cacheRead, rates.cacheRead);
  const cacheWriteUsd = sumUsd(usd(cacheWrite - cacheWrite1h, rates.cacheWrite), usd(cacheWrite1h, rates.cacheWrite1h));
  const totalUsd = sumUsd(inputUsd, outputUsd, cacheReadUsd, cacheWriteUsd);
  return { inputUsd, outputUsd, cacheReadUsd, cacheWriteUsd, totalUsd };
}
