import type { AttributeValue, Attributes, HrTime, SpanContext, SpanKind } from '@opentelemetry/api';
import type { CacheWriteTtl, PriceCatalog, UserModelPriceInput } from '@genai-cost/pricing';
import type { Attribution, AttributionField } from './attribution.js';
import type { GenAISpanRole } from './classify.js';
import type { UnpricedReason } from './usage.js';

/** Options of `GenAICostSpanProcessor`; all optional. */
export interface GenAICostSpanProcessorOptions {
  /** The price catalog. Default: the built-in catalog, with `prices` and `priceFile` laid over it. */
  catalog?: PriceCatalog;
  /** Prices that add to or replace catalog prices (negotiated, fine-tuned, self-hosted). Default: none. */
  prices?: UserModelPriceInput[];
  /** A JSON or YAML price file, read once at construction; its entries beat `prices`. Default: none. */
  priceFile?: string;
  /** Span attribute key per attribution field. Default: `user.id`, `saas.tier`, `saas.feature`, `session.id`, `saas.tenant.id`. */
  attributeKeys?: Partial<Record<AttributionField, string>>;
  /** Put attribution on every span, not only GenAI spans. Default: false. */
  attributeAllSpans?: boolean;
  /**
   * Baggage keys to read attribution from, per field, for attribution set in another service.
   * Context attribution (`withAttribution`) wins over baggage. Default: none (baggage is not read).
   */
  baggageKeys?: Partial<Record<AttributionField, string>>;
  /** Recompute the cost of spans that already carry `gen_ai.usage.cost` from another tool. Default: false. */
  overrideExistingCost?: boolean;
  /**
   * Key for pseudonymous user ids: when set, `user.id` holds hex HMAC-SHA256(key, userId) instead of
   * the raw id. At least 16 bytes. Default: none (raw ids).
   */
  userIdHmacKey?: string | Uint8Array;
  /**
   * The TTL assumed for cache writes of spans that do not report their 5-minute / 1-hour split
   * (`1h`: all of them are 1-hour writes). Spans that report the split are priced by it. Default: `5m`.
   */
  cacheWriteTtl?: CacheWriteTtl;
  /**
   * Instrumentation scope name prefixes whose Anthropic spans report input tokens without cached
   * tokens. Default: `@traceloop/instrumentation-anthropic`, `openlit`.
   */
  inputExcludesCacheScopes?: string[];
  /** A token count above this marks the span's usage invalid. Default: 50,000,000. */
  maxTokensPerSpan?: number;
  /**
   * Ceiling in USD on one span's cost. A `gen_ai.usage.cost` that arrives with the span is kept
   * only when finite, ≥ 0 and at most this; otherwise the span is flagged `genai_cost.invalid_cost`
   * and priced from its tokens. A cost computed above it marks the usage invalid. Default: 1,000.
   */
  maxCostPerSpanUsd?: number;
  /**
   * Instrumentation scope name prefixes known to drop cached-token counts: their priced spans are
   * flagged `genai_cost.usage.incomplete = cache_read` where the model bills cache reads apart.
   * Default: `@opentelemetry/instrumentation-openai`, `@traceloop/instrumentation-openai`.
   */
  dropsCachedTokensScopes?: string[];
  /**
   * Bound on the model-call spans remembered while they are open, for the duplicate rule; past it
   * the oldest are forgotten. Default: 10,000.
   */
  maxOpenModelSpans?: number;
  /** Open model-call spans older than this are forgotten (spans that never end). Default: 600,000 (10 minutes). */
  maxOpenModelSpanAgeMs?: number;
  /**
   * Called synchronously for every priced model-call span, e.g. to feed live spend to a budget
   * guard. Keep it fast; an exception it throws is counted and logged, never rethrown. Default: none.
   */
  onSpanCost?: (event: SpanCostEvent) => void;
  /**
   * Called synchronously for every tool-call span (OTel GenAI `execute_tool`, OpenInference `TOOL`,
   * AI SDK `ai.toolCall`), e.g. to feed a budget guard's loop detection. An exception it throws is
   * counted and logged, never rethrown. Default: none.
   */
  onToolCall?: (event: ToolCallEvent) => void;
}

/** One tool call, as passed to `onToolCall`. */
export interface ToolCallEvent {
  spanContext: SpanContext;
  /** Attribution with raw (not pseudonymised) ids. */
  attribution: Readonly<Attribution>;
  /** The user id as stored (the pseudonym with `userIdHmacKey`), for checks that the reader pseudonymises alike. */
  storedUserId: string | undefined;
  /** `gen_ai.tool.name`, `tool.name` or `ai.toolCall.name`. */
  toolName: string;
  /** The call's arguments as the span carries them (`gen_ai.tool.call.arguments`, `input.value`, `ai.toolCall.args`), else undefined. */
  arguments: string | undefined;
  /** Span start, epoch ms. */
  startTimeMs: number;
}

/** One priced model call, as passed to `onSpanCost`. */
export interface SpanCostEvent {
  spanContext: SpanContext;
  /** Attribution with raw (not pseudonymised) ids. */
  attribution: Readonly<Attribution>;
  /** The user id as stored (the pseudonym with `userIdHmacKey`), for checks that the reader pseudonymises alike. */
  storedUserId: string | undefined;
  /** USD. */
  costUsd: number;
  /** Catalog id of the price used, or `span` for a cost that came with the span. */
  priceId: string;
  model: string | undefined;
  /** Span start, epoch ms. */
  startTimeMs: number;
}

/** Counters kept by the processor since it was created. */
export interface ProcessorStats {
  /** Model-call spans given a cost by this processor. */
  pricedSpans: number;
  /** Model-call spans that kept a cost set by another tool. */
  keptExistingCost: number;
  /** Model-call spans left without cost, by reason. */
  unpricedSpans: Record<UnpricedReason, number>;
  /** Agent and workflow spans not priced because their children are. */
  wrapperSpans: number;
  /** Model-call spans not priced because another span of the same call is (`genai_cost.span.role = duplicate`). */
  duplicateSpans: number;
  /** Spans that arrived with a non-finite, negative or too large `gen_ai.usage.cost`. */
  invalidPresetCosts: number;
  /** Priced spans flagged `genai_cost.usage.incomplete`, by missing detail. */
  incompleteUsageSpans: Record<IncompleteUsage, number>;
  /** Unexpected failures inside the processor (the span is left as it was). */
  internalErrors: number;
}

/** A usage detail that changes the price and that a span lacks: see `genai_cost.usage.incomplete`. */
export type IncompleteUsage = 'cache_read' | 'cache_write_ttl';

/**
 * The part of a span the pricing reads and writes. The SDK's `Span` satisfies it, so the
 * in-process processor passes its spans as they are; a receiver of spans that ended elsewhere
 * (OTLP) gives objects of this shape to `GenAICostPricer.priceEndedSpans`.
 */
export interface PricingSpan {
  /** Read for usage and attribution; written through `setAttribute`. */
  readonly attributes: Attributes;
  readonly kind: SpanKind;
  /** Its name tells which instrumentation made the span (some bend the conventions). */
  readonly instrumentationScope: { readonly name: string };
  /** The price in force at the start applies. */
  readonly startTime: HrTime;
  /** Orders a batch of ended spans for the duplicate rule; not read in process. */
  readonly endTime: HrTime;
  spanContext(): SpanContext;
  /** The parent's ids; undefined for a root span. */
  readonly parentSpanContext?: SpanContext | undefined;
  setAttribute(key: string, value: AttributeValue): unknown;
}

/** What the pricing made of one span. */
export interface PricedSpan {
  span: PricingSpan;
  /** `duplicate` when another span of the same call carries the cost; undefined for non-GenAI spans. */
  role: GenAISpanRole | 'duplicate' | undefined;
  /** USD, set when the span carries a cost (computed, or its own preset one). */
  costUsd?: number | undefined;
  /** The price used (`provider/model@effectiveFrom` and the dimensions that applied, `+flex`, `+geo`, …), or `span` for a preset cost kept. */
  priceId?: string | undefined;
  /** Set when a model call was left without a cost. */
  unpricedReason?: UnpricedReason | undefined;
}

/** Options of `GenAICostPricer.priceEndedSpans`. */
export interface PriceEndedSpansOptions {
  /**
   * Attribution per span, written with the configured attribute keys as the processor does from
   * context. Default: read back from the span's own attributes (an app that set `user.id`,
   * `saas.tier`, … itself), for `onSpanCost` only.
   */
  attribution?: (span: PricingSpan) => Readonly<Attribution> | undefined;
  /**
   * Whether a model-call span's call is already carried by a span priced earlier, outside this
   * batch (a receiver's memory of recent requests). Such a span is marked `duplicate` and counted
   * as one, with its attribution written; it takes no part in the duplicate rule of the batch.
   */
  knownDuplicate?: (span: PricingSpan) => boolean;
}
