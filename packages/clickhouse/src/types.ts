import type { AttributionField } from '@genai-cost/otel';
import type { ExportFailureKind } from './errors.js';

/**
 * What the exporter needs from a client: one statement, an INSERT with its rows inline.
 * `@clickhouse/client`'s client (server or chDB) satisfies it; tests pass doubles.
 */
export interface SpanInsertClient {
  command(params: { query: string; abort_signal: AbortSignal }): Promise<unknown>;
}

/** Options of `ClickHouseSpanExporter`; only `client` is required. */
export interface ClickHouseSpanExporterOptions {
  /** Client to insert with. The exporter does not close it. */
  client: SpanInsertClient;
  /** Database of the spans table. Default: `genai_cost`. */
  database?: string;
  /** Spans table. Default: `genai_spans`. */
  table?: string;
  /**
   * Store every span. Default: false: only GenAI spans, i.e. spans with `genai_cost.span.role`,
   * `gen_ai.usage.cost` or `genai_cost.unpriced`; others are counted as skipped.
   */
  allSpans?: boolean;
  /** Span attribute key per attribution field, as given to the processor. Default: `user.id`, `saas.tier`, `saas.feature`, `session.id`, `saas.tenant.id`. */
  attributeKeys?: Partial<Record<AttributionField, string>>;
  /** Instrumentation scope prefixes whose Anthropic spans report input without cached tokens, as given to the processor. Default: `@traceloop/instrumentation-anthropic`, `openlit`. */
  inputExcludesCacheScopes?: string[];
  /** A token count above this is invalid and stored as 0 tokens, as given to the processor. Default: 50,000,000. */
  maxTokensPerSpan?: number;
  /** Time one export may take, retries included, ms. Default: 30000. */
  exportTimeoutMs?: number;
  /** Retries of a failed insert within the timeout. Default: 5. */
  maxRetries?: number;
  /** Spans held by exports still in progress; a batch that would exceed it is dropped and counted. Default: 100000. */
  maxPendingSpans?: number;
}

/** Counters kept by the exporter since it was created. */
export interface ExporterStats {
  /** Spans stored (a retried batch counts once). */
  exportedSpans: number;
  /** Inserts that succeeded. */
  exportedBatches: number;
  /** Non-GenAI spans left out because `allSpans` is false. */
  skippedSpans: number;
  /** Spans of batches that failed, dropped ones included. */
  failedSpans: number;
  /** Batches that failed, by why. */
  failures: Record<ExportFailureKind, number>;
  /** Insert attempts repeated after a transient failure. */
  retries: number;
}
