import { periodAt } from './catalog.js';
import type { ModelMatch, ModelPrice, PriceCatalog, PricePeriod } from './catalog.js';
import { USD_SCALE, ratesFor, usd } from './cost.js';
import { WEEKDAYS } from './dimensions.js';
import type { ModalityRates, ServiceTier, ServiceTierPrice } from './dimensions.js';
import { regionClass } from './match.js';
import type { CostBreakdown, Rates, TokenUsage } from './types.js';

/** Token counts of one call, with the modality details some instrumentations report. */
export interface UsageToPrice extends TokenUsage {
  /** Reasoning tokens (a subset of `outputTokens`, priced as output). Default 0. */
  reasoningTokens?: number;
  /** Uncached input tokens that were audio (a subset of `inputTokens`). Default 0. */
  audioInputTokens?: number;
  /** Output tokens that were audio (a subset of `outputTokens`). Default 0. */
  audioOutputTokens?: number;
  /** Uncached input tokens that were images. Default 0. */
  imageInputTokens?: number;
  /** Output tokens that were images. Default 0. */
  imageOutputTokens?: number;
  /** Uncached input tokens that were video. Default 0. */
  videoInputTokens?: number;
  /** Output tokens that were video. Default 0. */
  videoOutputTokens?: number;
}

/** One call to price: what {@link priceUsage} reads. */
export interface PriceRequest {
  /** The model as the span names it (any platform spelling). */
  model: string;
  /** The provider as the span names it (`gen_ai.provider.name`, `aws.bedrock`, …). */
  provider?: string | undefined;
  /** When the call started, epoch ms; decides the price period and time-of-day window. Default: now. */
  at?: number | undefined;
  usage: UsageToPrice;
  /** Service tier the call ran in (`batch`, `flex`, `priority`, `fast`, `scale`); `default`/`standard`/`auto` mean standard. */
  serviceTier?: string | undefined;
  /** Region or data-residency hint (`us` inference geo, `us-gov-west-1`, `DataZone-Standard`); a Bedrock model id carries its own. */
  region?: string | undefined;
  /**
   * Counts of per-request charges by kind (`{ web_search: 3 }`). A `request` charge (a fee per API
   * request, as Perplexity's) applies once per call unless a count is given.
   */
  requests?: Readonly<Record<string, number>> | undefined;
}

/** A cost breakdown with the parts beyond text tokens. */
export interface UsageCost extends CostBreakdown {
  /** Per-request charges (web search, requests); part of `totalUsd`. */
  requestsUsd: number;
  /** Audio tokens, in and out; already part of `inputUsd` and `outputUsd`. */
  audioUsd: number;
  /** Image tokens, in and out; already part of `inputUsd` and `outputUsd`. */
  imageUsd: number;
  /** Video tokens, in and out; already part of `inputUsd` and `outputUsd`. */
  videoUsd: number;
}

/** The dimensions that decided a price. */
export interface AppliedDimensions {
  serviceTier?: ServiceTier;
  /** The region class whose multiplier applied. */
  region?: string;
  /** The time-of-day window the call fell in (or the base window's name). */
  timeWindow?: string;
  /** The context-length threshold whose tier applied. */
  aboveInputTokens?: number;
  /** The product of the tier, region and time-of-day multipliers. */
  multiplier: number;
}

/** The price of one call. */
export interface PricedCall {
  /** `provider/model@effectiveFrom` plus `+dimension` per dimension that applied, e.g. `openai/gpt-5@2025-08-07+flex`. */
  priceId: string;
  match: ModelMatch;
  model: ModelPrice;
  period: PricePeriod;
  applied: Readonly<AppliedDimensions>;
  /** Requested dimensions this price has no rate for, priced as standard (`serviceTier:flex`, `requests:web_search`). */
  ignored: readonly string[];
  /** Text token rates after every multiplier. */
  rates: Rates;
  cost: UsageCost;
}

const STANDARD_TIERS = new Set(['', 'default', 'standard', 'auto', 'on_demand', 'on-demand']);
// Shared results for the common case: pricing a plain call allocates little (it runs per span).
const NO_TIER: { name?: ServiceTier; price?: ServiceTierPrice; ignored?: string } = Object.freeze({});
const NO_MULTIPLIER: { name?: string; region?: string; multiplier: number; ignored?: string } = Object.freeze({ multiplier: 1 });
const NONE_IGNORED: readonly string[] = Object.freeze([]);
const NO_DIMENSIONS: Readonly<AppliedDimensions> = Object.freeze({ multiplier: 1 });
/** A tier name already lowercase and trimmed. */
const CANONICAL_NAME = /^[a-z_-]+$/;
/** Per-request charges are per 1,000 requests. */
const PER_REQUEST = 1e-3;

function chooseServiceTier(period: PricePeriod, requested: string | undefined): { name?: ServiceTier; price?: ServiceTierPrice; ignored?: string } {
  // Spans mostly name the standard tier, already in canonical form: no string work for them.
  if (requested === undefined || STANDARD_TIERS.has(requested)) return NO_TIER;
  const want = CANONICAL_NAME.test(requested) ? requested : requested.trim().toLowerCase();
  if (STANDARD_TIERS.has(want)) return NO_TIER;
  const tiers = period.serviceTiers;
  const own = tiers?.[want as ServiceTier];
  if (own !== undefined) return { name: want as ServiceTier, price: own };
  // OpenAI renamed priority processing to fast mode; either spelling names either entry.
  const other = want === 'priority' ? 'fast' : want === 'fast' ? 'priority' : undefined;
  const alias = other === undefined ? undefined : tiers?.[other];
  return alias !== undefined ? { name: other, price: alias } : { ignored: `serviceTier:${want}` };
}

function minutesOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function timeWindowAt(period: PricePeriod, at: number): { name?: string; multiplier: number } {
  const windows = period.timeWindows;
  if (windows === undefined) return NO_MULTIPLIER;
  const d = new Date(at);
  const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
  const day = WEEKDAYS[d.getUTCDay()]!;
  for (const w of windows) {
    const start = minutesOfDay(w.start);
    const end = minutesOfDay(w.end);
    const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
    // A window that wraps midnight belongs to the day it starts on.
    const startDay = start > end && minute < end ? WEEKDAYS[(d.getUTCDay() + 6) % 7]! : day;
    if (inside && (w.days === undefined || w.days.includes(startDay))) return { name: w.name, multiplier: w.multiplier };
  }
  return { name: period.baseWindow, multiplier: 1 };
}

function scale(r: Rates, m: number): Rates {
  if (m === 1) return r;
  return { input: r.input * m, output: r.output * m, cacheRead: r.cacheRead * m, cacheWrite: r.cacheWrite * m, cacheWrite1h: r.cacheWrite1h * m };
}

/** A modality's rate after the multipliers, or the text rate where it has none. */
function modalRate(r: ModalityRates | undefined, kind: 'input' | 'output', text: number, multiplier: number): number {
  const own = r?.[kind];
  return own === undefined ? text : own * multiplier;
}

/** A sum of USD amounts, rounded as `usd` rounds. */
function roundUsd(x: number): number {
  return Math.round(x * USD_SCALE) / USD_SCALE;
}

function contextThreshold(tiers: readonly { aboveInputTokens: number }[] | undefined, inputTokens: number): number | undefined {
  if (tiers === undefined) return undefined;
  for (let i = tiers.length - 1; i >= 0; i--) if (inputTokens > tiers[i]!.aboveInputTokens) return tiers[i]!.aboveInputTokens;
  return undefined;
}

function regionMultiplier(period: PricePeriod, match: ModelMatch, hint: string | undefined): { region?: string; multiplier: number; ignored?: string } {
  const regions = period.regions;
  if (regions === undefined && hint === undefined) return NO_MULTIPLIER;
  const hinted = hint === undefined || hint === '' ? undefined : regionClass(hint);
  for (const cls of [hinted, match.region]) {
    if (cls !== undefined && regions?.[cls] !== undefined) return { region: cls, multiplier: regions[cls] };
  }
  return hinted !== undefined && hinted !== 'global' && regions !== undefined ? { multiplier: 1, ignored: `region:${hinted}` } : NO_MULTIPLIER;
}

/** Per-request charges of `period` for `counts`; `request` (a fee per API request) counts one per call by default. */
function requestCharges(period: PricePeriod, counts: Readonly<Record<string, number>> | undefined, ignored: string[] | undefined): { usd: number; ignored: string[] | undefined } {
  let total = 0;
  const charges = period.requests;
  if (charges !== undefined) {
    for (const kind in charges) {
      const count = counts?.[kind] ?? (kind === 'request' ? 1 : 0);
      if (count > 0) total += Math.round(count * charges[kind]! * PER_REQUEST * USD_SCALE) / USD_SCALE;
    }
  }
  if (counts !== undefined) {
    for (const kind in counts) {
      if (counts[kind]! > 0 && kind !== 'request' && charges?.[kind] === undefined) (ignored ??= []).push(`requests:${kind}`);
    }
  }
  return { usd: roundUsd(total), ignored };
}

/**
 * Prices one call with every billing dimension its price carries: the period in force at `at`,
 * the context-length tier decided on the whole input (cache reads and writes included), the
 * service tier (own rates or a multiplier), the region class (from the model id or a hint), the
 * time-of-day window, audio / image / video token rates and per-request charges. Undefined when
 * the model has no price. Pure: the span processor and `reprice` both price through it.
 */
export function priceUsage(catalog: PriceCatalog, request: PriceRequest): PricedCall | undefined {
  const match = catalog.match(request.model, request.provider);
  if (match === undefined) return undefined;
  const at = request.at ?? Date.now();
  const period = periodAt(match.model, at);
  const u = request.usage;
  let ignored: string[] | undefined;

  const tier = chooseServiceTier(period, request.serviceTier);
  if (tier.ignored !== undefined) (ignored ??= []).push(tier.ignored);
  const ownRates = tier.price !== undefined && !('multiplier' in tier.price) ? tier.price : undefined;
  const tierMultiplier = tier.price !== undefined && 'multiplier' in tier.price ? tier.price.multiplier : 1;
  const base = ownRates ?? period;
  const region = regionMultiplier(period, match, request.region);
  if (region.ignored !== undefined) (ignored ??= []).push(region.ignored);
  const window = timeWindowAt(period, at);
  const multiplier = tierMultiplier * region.multiplier * window.multiplier;
  const rates = scale(ratesFor(base, u.inputTokens), multiplier);
  const aboveInputTokens = contextThreshold(base.tiers, u.inputTokens);

  const cacheRead = u.cacheReadTokens ?? 0;
  const cacheWrite = u.cacheWriteTokens ?? 0;
  const cacheWrite1h = Math.min(cacheWrite, Math.max(0, u.cacheWrite1hTokens ?? 0));
  const uncached = Math.max(0, u.inputTokens - cacheRead - cacheWrite);
  const aIn = u.audioInputTokens ?? 0;
  const iIn = u.imageInputTokens ?? 0;
  const vIn = u.videoInputTokens ?? 0;
  const aOut = u.audioOutputTokens ?? 0;
  const iOut = u.imageOutputTokens ?? 0;
  const vOut = u.videoOutputTokens ?? 0;

  let inputUsd: number;
  let outputUsd: number;
  let audioUsd = 0;
  let imageUsd = 0;
  let videoUsd = 0;
  if (aIn + iIn + vIn + aOut + iOut + vOut === 0) {
    inputUsd = usd(uncached, rates.input);
    outputUsd = usd(u.outputTokens, rates.output);
  } else {
    const audioIn = usd(aIn, modalRate(period.audio, 'input', rates.input, multiplier));
    const audioOut = usd(aOut, modalRate(period.audio, 'output', rates.output, multiplier));
    const imageIn = usd(iIn, modalRate(period.image, 'input', rates.input, multiplier));
    const imageOut = usd(iOut, modalRate(period.image, 'output', rates.output, multiplier));
    const videoIn = usd(vIn, modalRate(period.video, 'input', rates.input, multiplier));
    const videoOut = usd(vOut, modalRate(period.video, 'output', rates.output, multiplier));
    inputUsd = roundUsd(usd(Math.max(0, uncached - aIn - iIn - vIn), rates.input) + audioIn + imageIn + videoIn);
    outputUsd = roundUsd(usd(Math.max(0, u.outputTokens - aOut - iOut - vOut), rates.output) + audioOut + imageOut + videoOut);
    audioUsd = roundUsd(audioIn + audioOut);
    imageUsd = roundUsd(imageIn + imageOut);
    videoUsd = roundUsd(videoIn + videoOut);
  }
  const cacheReadUsd = usd(cacheRead, rates.cacheRead);
  const cacheWriteUsd = cacheWrite === 0 ? 0 : roundUsd(usd(cacheWrite - cacheWrite1h, rates.cacheWrite) + usd(cacheWrite1h, rates.cacheWrite1h));
  let requestsUsd = 0;
  if (period.requests !== undefined || request.requests !== undefined) {
    const charged = requestCharges(period, request.requests, ignored);
    requestsUsd = charged.usd;
    ignored = charged.ignored;
  }
  const totalUsd = roundUsd(inputUsd + outputUsd + cacheReadUsd + cacheWriteUsd + requestsUsd);

  let priceId = period.id;
  let applied = NO_DIMENSIONS;
  if (tier.name !== undefined || region.region !== undefined || window.name !== undefined || aboveInputTokens !== undefined) {
    const dims: AppliedDimensions = { multiplier };
    if (tier.name !== undefined) priceId += `+${(dims.serviceTier = tier.name)}`;
    if (region.region !== undefined) priceId += `+${(dims.region = region.region)}`;
    if (window.name !== undefined) priceId += `+${(dims.timeWindow = window.name)}`;
    if (aboveInputTokens !== undefined) priceId += `+ctx>${formatTokens((dims.aboveInputTokens = aboveInputTokens))}`;
    applied = dims;
  }
  return {
    priceId,
    match,
    model: match.model,
    period,
    applied,
    ignored: ignored ?? NONE_IGNORED,
    rates,
    cost: { inputUsd, outputUsd, cacheReadUsd, cacheWriteUsd, totalUsd, requestsUsd, audioUsd, imageUsd, videoUsd },
  };
}

function formatTokens(n: number): string {
  return n % 1000 === 0 ? `${n / 1000}k` : String(n);
}
