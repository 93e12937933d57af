import type { UsageCost } from '@genai-cost/pricing';
import * as sc from './semconv.js';
import type { PricingSpan } from './types.js';
import type { NormalisedUsage } from './usage.js';

/**
 * Writes a call's cost: the total, the parts of the breakdown that are not zero (absent means $0:
 * each `setAttribute` costs the traced request about 0.15 µs) and the price id, which names the
 * price period and every billing dimension that applied.
 */
export function writeCost(span: PricingSpan, cost: UsageCost, priceId: string): void {
  span.setAttribute(sc.GEN_AI_USAGE_COST, cost.totalUsd);
  if (cost.inputUsd !== 0) span.setAttribute(sc.ATTR_COST_INPUT, cost.inputUsd);
  if (cost.outputUsd !== 0) span.setAttribute(sc.ATTR_COST_OUTPUT, cost.outputUsd);
  if (cost.cacheReadUsd !== 0) span.setAttribute(sc.ATTR_COST_CACHE_READ, cost.cacheReadUsd);
  if (cost.cacheWriteUsd !== 0) span.setAttribute(sc.ATTR_COST_CACHE_WRITE, cost.cacheWriteUsd);
  if (cost.requestsUsd !== 0) span.setAttribute(sc.ATTR_COST_REQUESTS, cost.requestsUsd);
  if (cost.audioUsd !== 0) span.setAttribute(sc.ATTR_COST_AUDIO, cost.audioUsd);
  if (cost.imageUsd !== 0) span.setAttribute(sc.ATTR_COST_IMAGE, cost.imageUsd);
  span.setAttribute(sc.ATTR_PRICE_ID, priceId);
}

/**
 * Writes the usage a span was priced with where its own attributes do not say it (usage merged
 * from a duplicate span, the 1-hour split the `cacheWriteTtl` option decided), so the row mapper
 * stores the tokens the cost was computed from. Modality parts and web searches only when not 0.
 */
export function writeUsage(span: PricingSpan, u: NormalisedUsage, write1h: number): void {
  span.setAttribute(sc.ATTR_USAGE_INPUT, u.inputTokens);
  span.setAttribute(sc.ATTR_USAGE_OUTPUT, u.outputTokens);
  span.setAttribute(sc.ATTR_USAGE_CACHE_READ, u.cacheReadTokens);
  span.setAttribute(sc.ATTR_USAGE_CACHE_WRITE, u.cacheWriteTokens);
  span.setAttribute(sc.ATTR_USAGE_CACHE_WRITE_1H, write1h);
  span.setAttribute(sc.ATTR_USAGE_REASONING, u.reasoningTokens);
  if (u.audioInputTokens !== 0) span.setAttribute(sc.ATTR_USAGE_AUDIO_INPUT, u.audioInputTokens);
  if (u.audioOutputTokens !== 0) span.setAttribute(sc.ATTR_USAGE_AUDIO_OUTPUT, u.audioOutputTokens);
  if (u.imageInputTokens !== 0) span.setAttribute(sc.ATTR_USAGE_IMAGE_INPUT, u.imageInputTokens);
  if (u.imageOutputTokens !== 0) span.setAttribute(sc.ATTR_USAGE_IMAGE_OUTPUT, u.imageOutputTokens);
  if (u.webSearchRequests !== 0) span.setAttribute(sc.ATTR_REQUESTS_WEB_SEARCH, u.webSearchRequests);
}
