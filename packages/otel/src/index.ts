export { GenAICostSpanProcessor } from './GenAICostSpanProcessor.js';
export { getAttribution, setAttribution, withAttribution, ATTRIBUTION_FIELDS } from './attribution.js';
export type { Attribution, AttributionField } from './attribution.js';
export { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES, DEFAULT_MAX_TOKENS_PER_SPAN, GenAICostConfigError } from './options.js';
export { classify, readCall } from './usage.js';
export type { GenAICall, GenAISpanRole, NormalisedUsage, UnpricedReason, UsageReadOptions } from './usage.js';
export type { GenAICostSpanProcessorOptions, ProcessorStats, SpanCostEvent } from './types.js';
export * from './semconv.js';
