/**
 * Attribute names. GenAI semantic conventions are at Development stability and moved out of
 * `@opentelemetry/semantic-conventions`, so the names this package reads are copied here
 * (OTel GenAI conventions as of semantic-conventions 1.41 plus the announced
 * `cache_write` rename; OpenInference 1.x; Vercel AI SDK 4–7; OpenLLMetry).
 */

// --- OTel GenAI semantic conventions -------------------------------------------------------
export const GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Deprecated in favour of `gen_ai.provider.name`; still emitted by many instrumentations. */
export const GEN_AI_SYSTEM = 'gen_ai.system';
export const GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** Deprecated (before 1.27). */
export const GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
/** Deprecated (before 1.27). */
export const GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
export const GEN_AI_USAGE_CACHE_READ = 'gen_ai.usage.cache_read.input_tokens';
export const GEN_AI_USAGE_CACHE_CREATION = 'gen_ai.usage.cache_creation.input_tokens';
/** The announced rename of `gen_ai.usage.cache_creation.input_tokens`. */
export const GEN_AI_USAGE_CACHE_WRITE = 'gen_ai.usage.cache_write.input_tokens';
export const GEN_AI_USAGE_REASONING = 'gen_ai.usage.reasoning.output_tokens';
/** OpenLLMetry and OpenLIT spellings before the cache attributes were standardised. */
export const GEN_AI_USAGE_CACHE_READ_LEGACY = 'gen_ai.usage.cache_read_input_tokens';
export const GEN_AI_USAGE_CACHE_CREATION_LEGACY = 'gen_ai.usage.cache_creation_input_tokens';
export const GEN_AI_USAGE_REASONING_LEGACY = 'gen_ai.usage.reasoning_tokens';
/**
 * Usage by modality (semantic-conventions-genai, 2026-08): audio and image tokens, each a part of
 * the input or output total; the cache-read parts are also in `gen_ai.usage.cache_read.input_tokens`.
 */
export const GEN_AI_USAGE_AUDIO_INPUT = 'gen_ai.usage.audio.input_tokens';
export const GEN_AI_USAGE_AUDIO_OUTPUT = 'gen_ai.usage.audio.output_tokens';
export const GEN_AI_USAGE_AUDIO_CACHE_READ = 'gen_ai.usage.audio.cache_read.input_tokens';
export const GEN_AI_USAGE_IMAGE_INPUT = 'gen_ai.usage.image.input_tokens';
export const GEN_AI_USAGE_IMAGE_OUTPUT = 'gen_ai.usage.image.output_tokens';
export const GEN_AI_USAGE_IMAGE_CACHE_READ = 'gen_ai.usage.image.cache_read.input_tokens';
/** Cost in USD as OpenLIT writes it and Langfuse reads it; also what this package writes. */
export const GEN_AI_USAGE_COST = 'gen_ai.usage.cost';

// --- OpenInference ------------------------------------------------------------------------
export const OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const LLM_MODEL_NAME = 'llm.model_name';
export const LLM_PROVIDER = 'llm.provider';
export const LLM_SYSTEM = 'llm.system';
export const LLM_TOKEN_COUNT_PROMPT = 'llm.token_count.prompt';
export const LLM_TOKEN_COUNT_COMPLETION = 'llm.token_count.completion';
export const LLM_TOKEN_COUNT_CACHE_READ = 'llm.token_count.prompt_details.cache_read';
export const LLM_TOKEN_COUNT_CACHE_WRITE = 'llm.token_count.prompt_details.cache_write';
export const LLM_TOKEN_COUNT_REASONING = 'llm.token_count.completion_details.reasoning';
/** Audio tokens of the prompt and of the completion (OpenAI's `audio_tokens` details). */
export const LLM_TOKEN_COUNT_PROMPT_AUDIO = 'llm.token_count.prompt_details.audio';
export const LLM_TOKEN_COUNT_COMPLETION_AUDIO = 'llm.token_count.completion_details.audio';
/** Model of an OpenInference EMBEDDING span. */
export const EMBEDDING_MODEL_NAME = 'embedding.model_name';

// --- Provider-specific details ------------------------------------------------------------
/** Cache writes with a 5-minute / 1-hour TTL, as `@anthropic-ai/sdk`'s own spans report them. */
export const ANTHROPIC_CACHE_WRITE_5M = 'anthropic.usage.cache_creation.ephemeral_5m_input_tokens';
export const ANTHROPIC_CACHE_WRITE_1H = 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens';
/** The service tier that served the call (`standard`, `priority`, `batch`). */
export const ANTHROPIC_RESPONSE_SERVICE_TIER = 'anthropic.response.service_tier';
/** The service tier that served the call (`default`, `flex`, `priority`, `scale`) and the one requested. */
export const OPENAI_RESPONSE_SERVICE_TIER = 'openai.response.service_tier';
export const OPENAI_REQUEST_SERVICE_TIER = 'openai.request.service_tier';
/** Semantic-conventions names before the `openai.*` ones (deprecated). */
export const GEN_AI_OPENAI_RESPONSE_SERVICE_TIER = 'gen_ai.openai.response.service_tier';
export const GEN_AI_OPENAI_REQUEST_SERVICE_TIER = 'gen_ai.openai.request.service_tier';

// --- OpenLLMetry before it moved to gen_ai.* -----------------------------------------------
export const LLM_REQUEST_TYPE = 'llm.request.type';
export const LLM_USAGE_PROMPT_TOKENS = 'llm.usage.prompt_tokens';
export const LLM_USAGE_COMPLETION_TOKENS = 'llm.usage.completion_tokens';

// --- Vercel AI SDK -------------------------------------------------------------------------
export const AI_OPERATION_ID = 'ai.operationId';
export const AI_MODEL_ID = 'ai.model.id';
export const AI_MODEL_PROVIDER = 'ai.model.provider';
export const AI_RESPONSE_MODEL = 'ai.response.model';
export const AI_USAGE_INPUT_TOKENS = 'ai.usage.inputTokens';
export const AI_USAGE_OUTPUT_TOKENS = 'ai.usage.outputTokens';
export const AI_USAGE_PROMPT_TOKENS = 'ai.usage.promptTokens';
export const AI_USAGE_COMPLETION_TOKENS = 'ai.usage.completionTokens';
export const AI_USAGE_CACHED_INPUT_TOKENS = 'ai.usage.cachedInputTokens';
export const AI_USAGE_REASONING_TOKENS = 'ai.usage.reasoningTokens';
/** AI SDK 5+: the parts of input and output. */
export const AI_USAGE_CACHE_READ_TOKENS = 'ai.usage.inputTokenDetails.cacheReadTokens';
export const AI_USAGE_CACHE_WRITE_TOKENS = 'ai.usage.inputTokenDetails.cacheWriteTokens';
export const AI_USAGE_OUTPUT_REASONING_TOKENS = 'ai.usage.outputTokenDetails.reasoningTokens';
/** The only usage of `ai.embed.doEmbed` / `ai.embedMany.doEmbed`. */
export const AI_USAGE_TOKENS = 'ai.usage.tokens';
/** JSON of the provider's own response details (OpenAI `serviceTier`, Anthropic raw `usage`). */
export const AI_RESPONSE_PROVIDER_METADATA = 'ai.response.providerMetadata';

// --- Written by this package ---------------------------------------------------------------
/** USD cost of uncached input tokens. */
export const ATTR_COST_INPUT = 'genai_cost.cost.input';
/** USD cost of output tokens (reasoning included). */
export const ATTR_COST_OUTPUT = 'genai_cost.cost.output';
/** USD cost of cache-read tokens. */
export const ATTR_COST_CACHE_READ = 'genai_cost.cost.cache_read';
/** USD cost of cache-write tokens. */
export const ATTR_COST_CACHE_WRITE = 'genai_cost.cost.cache_write';
/** USD of per-request charges (web search, a fee per request); part of `gen_ai.usage.cost`. */
export const ATTR_COST_REQUESTS = 'genai_cost.cost.requests';
/** USD of audio tokens, in and out; already part of `genai_cost.cost.input` / `.output`. */
export const ATTR_COST_AUDIO = 'genai_cost.cost.audio';
/** USD of image tokens, in and out; already part of `genai_cost.cost.input` / `.output`. */
export const ATTR_COST_IMAGE = 'genai_cost.cost.image';
/**
 * The price version used, `provider/model@effectiveFrom` (`openai/o3@2025-06-10`), with `+name`
 * for each billing dimension that applied: service tier (`+flex`, `+batch`), region (`+geo`,
 * `+us`, `+data-zone`), time of day (`+peak`, `+off-peak`), long context (`+ctx>200k`). Custom
 * prices have the provider they were given or `custom`. `span` when the cost came with the span.
 */
export const ATTR_PRICE_ID = 'genai_cost.price.id';
/** true on a GenAI model-call span that could not be priced. */
export const ATTR_UNPRICED = 'genai_cost.unpriced';
/** Why it could not be priced: see `UnpricedReason`. */
export const ATTR_UNPRICED_REASON = 'genai_cost.unpriced.reason';
/**
 * `wrapper` on agent and workflow spans whose usage repeats their children's; `duplicate` on a
 * model-call span that describes the same call as another model-call span (its parent or child),
 * which carries the cost. Neither is priced.
 */
export const ATTR_SPAN_ROLE = 'genai_cost.span.role';
/** Canonical provider id (`openai`, `anthropic`, …; the lowercased raw name where none is known). */
export const ATTR_PROVIDER = 'genai_cost.provider';
/**
 * The service tier that served the call, canonical: `standard`, `flex`, `priority`, `batch`,
 * `scale`, `fast`, … An app may set it on a span itself (a batch result it records, a tier its
 * instrumentation does not report); a tier the provider's response reports wins over it.
 */
export const ATTR_SERVICE_TIER = 'genai_cost.service_tier';
/**
 * Where the call ran, when that changes its price and the model id does not say it: an Anthropic
 * inference geo (`us`), an Azure deployment type (`DataZone-Standard`), an AWS or Azure region
 * (`us-gov-west-1`). Set by the app (on the span or with `withPricing`) or read from the
 * provider's response; the processor writes the one it priced with.
 */
export const ATTR_REGION = 'genai_cost.region';
/** Web searches the call made (billed per 1,000 by Anthropic and Perplexity); set by the app or read from the response. */
export const ATTR_REQUESTS_WEB_SEARCH = 'genai_cost.requests.web_search';
/**
 * A usage detail that changes the price and that the span's instrumentation is known to drop or
 * did not report, so the cost may be off: `cache_read` (cached input looks uncached) or
 * `cache_write_ttl` (cache writes without their 5-minute / 1-hour split).
 */
export const ATTR_USAGE_INCOMPLETE = 'genai_cost.usage.incomplete';
/** true when the span arrived with a `gen_ai.usage.cost` that was not finite, negative or above the ceiling. */
export const ATTR_INVALID_COST = 'genai_cost.invalid_cost';
/**
 * The normalised usage a span was priced with, written only where its own attributes do not say it
 * (usage merged from a duplicate span, or the 1-hour split the `cacheWriteTtl` option decided);
 * row mappers prefer them over the span's own counts.
 */
export const ATTR_USAGE_INPUT = 'genai_cost.usage.input_tokens';
export const ATTR_USAGE_OUTPUT = 'genai_cost.usage.output_tokens';
export const ATTR_USAGE_CACHE_READ = 'genai_cost.usage.cache_read.input_tokens';
export const ATTR_USAGE_CACHE_WRITE = 'genai_cost.usage.cache_write.input_tokens';
export const ATTR_USAGE_CACHE_WRITE_1H = 'genai_cost.usage.cache_write_1h.input_tokens';
export const ATTR_USAGE_REASONING = 'genai_cost.usage.reasoning.output_tokens';
/** Uncached audio and image input tokens and audio and image output tokens a span was priced with. */
export const ATTR_USAGE_AUDIO_INPUT = 'genai_cost.usage.audio.input_tokens';
export const ATTR_USAGE_AUDIO_OUTPUT = 'genai_cost.usage.audio.output_tokens';
export const ATTR_USAGE_IMAGE_INPUT = 'genai_cost.usage.image.input_tokens';
export const ATTR_USAGE_IMAGE_OUTPUT = 'genai_cost.usage.image.output_tokens';
