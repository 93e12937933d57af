import type { SpanContext } from '@opentelemetry/api';
import type { CacheWriteTtl, PriceCatalog, UserModelPriceInput } from '@genai-cost/pricing';
import type { Attribution, AttributionField } from './attribution.js';
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
  /** Which Anthropic cache-write price applies to cache-write tokens. Default: `5m`. */
  cacheWriteTtl?: CacheWriteTtl;
  /**
   * Instrumentation scope name prefixes whose Anthropic spans report input tokens without cached
   * tokens. Default: `@traceloop/instrumentation-anthropic`, `openlit`.
   */
  inputExcludesCacheScopes?: string[];
  /** A token count above this marks the span's usage invalid. Default: 50,000,000. */
  maxTokensPerSpan?: number;
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
  /** Unexpected failures inside the processor (the span is left as it was). */
  internalErrors: number;
}
