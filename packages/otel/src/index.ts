export { GenAICostSpanProcessor } from './GenAICostSpanProcessor.js';
export { GenAICostPricer } from './GenAICostPricer.js';
export { getAttribution, setAttribution, withAttribution, ATTRIBUTION_FIELDS } from './attribution.js';
export { MAX_TAGS, MAX_TAG_VALUE_LENGTH, TAG_ATTRIBUTE_PREFIX, isTagKey, isTagValue, mergeTags } from './attribution.js';
export type { Attribution, AttributionField } from './attribution.js';
export { getPricing, setPricing, withPricing } from './pricingHints.js';
export type { PricingHints } from './pricingHints.js';
export {
  DEFAULT_ATTRIBUTE_KEYS,
  DEFAULT_DROPS_CACHED_TOKENS_SCOPES,
  DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES,
  DEFAULT_MAX_COST_PER_SPAN_USD,
  DEFAULT_MAX_TOKENS_PER_SPAN,
  GenAICostConfigError,
  MAX_COST_CEILING_USD,
  PROCESSOR_OPTION_KEYS,
} from './options.js';
export { Pseudonymizer, isUserIdHmacKey, MIN_USER_ID_HMAC_KEY_BYTES } from './pseudonymize.js';
export { ATTRIBUTE_KEYS_STAMP, stampedAttributeKeys } from './attributeKeysStamp.js';
export { canonicalServiceTier, classify, providerId, readCall } from './usage.js';
export type { GenAICall, GenAISpanRole, NormalisedUsage, UnpricedReason, UsageReadOptions } from './usage.js';
export type {
  GenAICostSpanProcessorOptions,
  IncompleteUsage,
  PriceEndedSpansOptions,
  PricedSpan,
  PricingSpan,
  ProcessorStats,
  SpanCostEvent,
  ToolCallEvent,
} from './types.js';
export { readToolCall, GEN_AI_TOOL_NAME, GEN_AI_TOOL_CALL_ARGUMENTS, TOOL_NAME, INPUT_VALUE, AI_TOOL_CALL_NAME, AI_TOOL_CALL_ARGS } from './toolCall.js';
export type { ToolCallReading } from './toolCall.js';
export * from './semconv.js';
