import type { PricePeriod } from './catalog.js';
import type { CostBreakdown, Rates, TokenUsage } from './types.js';

/**
 * Costs are kept to 1e-10 USD: far below a cent even summed over billions of calls, and coarse
 * enough that float noise from `tokens × rate` never shows (0.1 + 0.2 style artefacts).
 */
const SCALE = 1e10;

function usd(tokens: number, usdPerMillion: number): number {
  return Math.round(tokens * usdPerMillion * (SCALE / 1e6)) / SCALE;
}

/**
 * The rates that apply to a call with `inputTokens` of input (cached included): the highest
 * context-length tier whose threshold is exceeded, else the base rates. Missing cache rates fall
 * back to the input rate of the same tier; a missing 1-hour write rate to the 5-minute one.
 */
export function ratesFor(period: PricePeriod, inputTokens: number): Rates {
  let r: Omit<PricePeriod, 'id' | 'effectiveFrom' | 'effectiveFromMs' | 'tiers' | 'source' | 'checked'> = period;
  const tiers = period.tiers;
  if (tiers !== undefined) {
    for (let i = tiers.length - 1; i >= 0; i--) {
      if (inputTokens > tiers[i]!.aboveInputTokens) {
        r = tiers[i]!;
        break;
      }
    }
  }
  const write = r.cacheWrite ?? r.input;
  return { input: r.input, output: r.output, cacheRead: r.cacheRead ?? r.input, cacheWrite: write, cacheWrite1h: r.cacheWrite1h ?? write };
}

/**
 * The USD cost of `usage` at `rates`. Uncached input is input minus cache reads and writes; it is
 * never negative (usage normalisers guarantee input includes the cache). Cache writes are priced
 * at the 5-minute rate except `cacheWrite1hTokens` of them, at the 1-hour rate (clamped to the writes).
 */
export function computeCost(usage: TokenUsage, rates: Rates): CostBreakdown {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const uncached = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  const inputUsd = usd(uncached, rates.input);
  const outputUsd = usd(usage.outputTokens, rates.output);
  const cacheReadUsd = usd(cacheRead, rates.cacheRead);
  const write1h = Math.min(cacheWrite, Math.max(0, usage.cacheWrite1hTokens ?? 0));
  const cacheWriteUsd = Math.round((usd(cacheWrite - write1h, rates.cacheWrite) + usd(write1h, rates.cacheWrite1h)) * SCALE) / SCALE;
  const totalUsd = Math.round((inputUsd + outputUsd + cacheReadUsd + cacheWriteUsd) * SCALE) / SCALE;
  return { inputUsd, outputUsd, cacheReadUsd, cacheWriteUsd, totalUsd };
}
