import type { MeterProvider } from '@opentelemetry/api';
import type { AttributionField } from '@genai-cost/otel';
import type { ClickHouseConnectionOptions } from './connection.js';
import type { ExportFailureKind } from './errors.js';

/**
 * What the exporter needs from a client: one statement, an INSERT with its rows inline.
 * `@clickhouse/client`'s client (server or chDB) satisfies it; tests pass doubles.
 */
export interface SpanInsertClient {
  command(params: { query: string; abort_signal: AbortSignal }): Promise<unknown>;
}

/** Options of `SpanQueue`; only `client` is required. */
export interface SpanQueueOptions {
  /** Client to insert with. The queue does not close it. */
  client: SpanInsertClient;
  /** Database of the spans and dead-letter tables. Default: `genai_cost`. */
  database?: string;
  /** Spans table. Default: `genai_spans`. */
  table?: string;
  /** Dead-letter table for rows that cannot be stored as they are. Default: `genai_spans_rejected`. */
  deadLetterTable?: string;
  /**
   * Bound of the queue in memory, bytes of encoded rows. Without `spoolDir` a batch that would
   * pass it is refused (and counted); with `spoolDir` it bounds only the rows also kept in memory,
   * the rest being read back from disk when sent. Default: 64 MiB.
   */
  maxQueueBytes?: number;
  /**
   * Directory of the disk spool. With it a batch is accepted once written (and synced, see
   * `spoolSync`) to an append-only segment file there, and batches not yet stored are sent again
   * by the next process started on the same directory. One process per directory. Default: none
   * (the queue is in memory only).
   */
  spoolDir?: string;
  /** Bound of the spool's files on disk, bytes; a batch that would pass it is refused (and counted). Default: 1 GiB. */
  maxSpoolBytes?: number;
  /** Size at which a spool segment is closed and a new one started, bytes. Default: 8 MiB. */
  spoolSegmentBytes?: number;
  /**
   * `fdatasync` each spool write before accepting its batches (batches queued in the same tick share
   * one). False survives a crash of the process but not of the machine. Default: true.
   */
  spoolSync?: boolean;
  /** Inserts sent at the same time. Default: 2. */
  maxConcurrentInserts?: number;
  /** Time one insert attempt may take before it is abandoned and retried, ms. Default: 30000. */
  insertTimeoutMs?: number;
  /** First delay before retrying a failed insert; doubled per attempt up to `retryMaxMs`, with jitter, ms. Default: 500. */
  retryInitialMs?: number;
  /** Longest delay between retries, ms. Retries go on until the insert succeeds. Default: 30000. */
  retryMaxMs?: number;
  /** Time `shutdown()` (and the drain when the process is about to exit) waits for the queue, ms. Default: 30000. */
  shutdownTimeoutMs?: number;
  /** Where the queue's metrics go. Default: the global meter provider. */
  meterProvider?: MeterProvider;
}

/**
 * Options of `ClickHouseSpanExporter`, all optional: the queue's, where to connect, and how spans
 * become rows. With no `client` the exporter opens its own connection on the first insert, from
 * `connection` and the environment (`CLICKHOUSE_URL`, `CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`,
 * `CLICKHOUSE_DATABASE`; embedded chDB in `./.genai-cost/chdb` when no URL is set).
 */
export interface ClickHouseSpanExporterOptions extends Omit<SpanQueueOptions, 'client' | 'database'> {
  /** Client to insert with, yours to open, migrate and close. Default: the exporter's own connection (see above). */
  client?: SpanInsertClient;
  /** Where the exporter's own connection goes, over the environment's settings; not with `client`. Default: the environment's. */
  connection?: Omit<ClickHouseConnectionOptions, 'database'>;
  /** Database of the spans and dead-letter tables. Default: `CLICKHOUSE_DATABASE` without `client`, else `genai_cost`. */
  database?: string;
  /**
   * Run the migrations (`migrate`) on the exporter's own connection before its first insert, as
   * the Collector's ClickHouse exporter does with `create_schema`. Set false where the app may not
   * change the schema and `genai-cost migrate` runs at deploy time; until it has, batches wait in
   * the queue. Not with `client`. Default: true.
   */
  createSchema?: boolean;
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
}

/** Why a batch was refused by `enqueue`: the bound (`queue_full`), a closed queue, or a spool write that failed. */
export type RefusalReason = 'queue_full' | 'shutdown' | 'spool';

/**
 * Why accepted spans were lost: `shutdown` (still in memory at shutdown), `dead_letter_failed`
 * (bad rows the dead-letter table refused too), `spool_damaged` (a spool record that could not be
 * read back), `internal_error` (a bug while sending; logged with its stack).
 */
export type DropReason = 'shutdown' | 'dead_letter_failed' | 'spool_damaged' | 'internal_error';

/** What `enqueue` answers. */
export type EnqueueResult =
  | {
      accepted: true;
      /** Spans queued: rows for the spans table plus rows that go to the dead-letter table. */
      spans: number;
      /** Of those, rows already known to be invalid, queued for the dead-letter table. */
      invalid: number;
    }
  | {
      accepted: false;
      reason: RefusalReason;
      /** When trying again may succeed, ms (an HTTP receiver's `Retry-After`). */
      retryAfterMs: number;
      message: string;
    };

/** Whether the queue can store now; for health checks and load balancers. */
export interface QueueReadiness {
  /** Accepting, with room, and the last insert (if any) succeeded. */
  ready: boolean;
  /** False once shut down. */
  accepting: boolean;
  /** `ok`: the last insert succeeded; `failing`: it failed and is being retried; `unknown`: none yet. */
  clickhouse: 'ok' | 'failing' | 'unknown';
  /** The last insert failure, while `failing`. */
  lastError?: string;
  /** Fraction of the bound in use (bytes), 0 to 1. */
  fill: number;
  /** Suggested wait before sending again when not ready, ms. */
  retryAfterMs: number;
}

/** Counters of the queue since it was created, and its state now. */
export interface SpanQueueStats {
  /** Spans accepted by `enqueue` (rows, valid or not). */
  acceptedSpans: number;
  /** Batches accepted. */
  acceptedBatches: number;
  /** Spans refused by `enqueue`, by reason; `queue_full` is what the bound dropped. */
  refusedSpans: Record<RefusalReason, number>;
  /** Spans written to the spool. */
  spooledSpans: number;
  /** Spans found in the spool at start, left by an earlier process. */
  replayedSpans: number;
  /** Spans stored in the spans table. */
  storedSpans: number;
  /** Successful inserts into the spans table. */
  inserts: number;
  /** Spans stored in the dead-letter table (invalid values, or refused by ClickHouse). */
  deadLetteredSpans: number;
  /** Accepted spans lost, by reason. */
  droppedSpans: Record<DropReason, number>;
  /** Insert attempts repeated after a failure. */
  retries: number;
  /** Failed insert attempts, by kind. */
  failures: Record<ExportFailureKind, number>;
  /** Spans waiting or being sent. */
  queuedSpans: number;
  /** Bytes of encoded rows waiting or being sent. */
  queuedBytes: number;
  /** Age of the oldest span waiting, ms; 0 when empty. */
  oldestQueuedMs: number;
  /** Bytes of the spool's files (0 without `spoolDir`). */
  spoolBytes: number;
  /** Damaged spool bytes skipped at start. */
  spoolDamagedBytes: number;
}

/** Counters of the exporter: the queue's, plus what happened before spans reached it. */
export interface ExporterStats extends SpanQueueStats {
  /** Spans passed to `export`. */
  receivedSpans: number;
  /** Non-GenAI spans left out because `allSpans` is false. */
  skippedSpans: number;
  /** Spans whose attributes could not be read into a row at all (a bug; logged once). */
  unmappableSpans: number;
}
