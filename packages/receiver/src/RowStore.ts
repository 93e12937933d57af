import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { DEFAULT_DATABASE, TABLES, classifyInsertError, qualified, spanInsertSql } from '@genai-cost/clickhouse';
import type { ExportFailureKind, SpanRow } from '@genai-cost/clickhouse';

/** The answer of a {@link RowStore} to one batch of rows. */
export type StoreResult =
  | { status: 'accepted' }
  /** The store is full (its bound is hit): try again after `retryAfterMs`. Answered 429. */
  | { status: 'refused'; retryAfterMs: number; reason: string }
  /** The database cannot be written now: try again after `retryAfterMs`. Answered 503. */
  | { status: 'unavailable'; retryAfterMs: number; reason: string; kind: ExportFailureKind };

/**
 * Seam: "store these rows with this deduplication token". The same token given twice stores the
 * rows once, so a request re-sent by a client is idempotent. `accepted` means stored (or durably
 * queued); `refused` and `unavailable` mean nothing was taken and the caller may retry.
 */
export interface RowStore {
  /** Stores `rows` once per `deduplicationToken` ([A-Za-z0-9_-]+). Never rejects. */
  store(rows: readonly SpanRow[], deduplicationToken: string): Promise<StoreResult>;
  /** Whether a write can succeed now (answers `GET /readyz`). Never rejects. */
  ready(): Promise<boolean>;
  /** Rows taken but not yet stored: the queue depth. */
  pendingRows(): number;
  /** Resolves when every row taken so far is stored or has failed. */
  flush(): Promise<void>;
}

/** What {@link ClickHouseRowStore} needs of a client: `@clickhouse/client` (server or chDB) has both. */
export interface RowStoreClient {
  command(params: { query: string; abort_signal: AbortSignal }): Promise<unknown>;
  ping(): Promise<{ success: boolean }>;
}

/** Options of {@link ClickHouseRowStore}; only `client` is required. */
export interface ClickHouseRowStoreOptions {
  client: RowStoreClient;
  /** Database of `genai_spans`. Default: `genai_cost`. */
  database?: string;
  /** Rows in inserts still running above which new batches are refused. Default: 200,000. */
  maxPendingRows?: number;
  /** Time one insert may take, ms. Default: 30,000. */
  insertTimeoutMs?: number;
  /** Retry-After suggested when refusing or when ClickHouse cannot be written. Default: 5,000 ms. */
  retryAfterMs?: number;
}

/**
 * The seam over today's storage: one INSERT per batch, the statement the exporter uses
 * (`spanInsertSql`, JSONCompactEachRow with `insert_deduplication_token`), into `genai_spans` and
 * through its materialized views into the rollups. Memory is bounded by `maxPendingRows`; a
 * failed insert is not retried here: the caller answers 503 and the client (an SDK exporter or a
 * Collector's sending queue) retries with the same rows and so the same token.
 */
export class ClickHouseRowStore implements RowStore {
  private readonly client: RowStoreClient;
  private readonly table: string;
  private readonly maxPendingRows: number;
  private readonly insertTimeoutMs: number;
  private readonly retryAfterMs: number;
  private readonly inFlight = new Set<Promise<unknown>>();
  private pending = 0;
  private readonly logged = new Set<ExportFailureKind>();
  private readonly failures = new Map<ExportFailureKind, number>();

  constructor(options: ClickHouseRowStoreOptions) {
    this.client = options.client;
    this.table = qualified(options.database ?? DEFAULT_DATABASE, TABLES.spans);
    this.maxPendingRows = options.maxPendingRows ?? 200_000;
    this.insertTimeoutMs = options.insertTimeoutMs ?? 30_000;
    this.retryAfterMs = options.retryAfterMs ?? 5_000;
  }

  /** Inserts the rows in one statement carrying the token. */
  async store(rows: readonly SpanRow[], deduplicationToken: string): Promise<StoreResult> {
    if (rows.length === 0) return { status: 'accepted' };
    if (this.pending > 0 && this.pending + rows.length > this.maxPendingRows) {
      return { status: 'refused', retryAfterMs: this.retryAfterMs, reason: `${this.pending} rows are being stored (limit ${this.maxPendingRows})` };
    }
    this.pending += rows.length;
    const insert = context.with(suppressTracing(context.active()), () =>
      this.client.command({ query: spanInsertSql(this.table, rows, deduplicationToken), abort_signal: AbortSignal.timeout(this.insertTimeoutMs) }),
    );
    this.inFlight.add(insert);
    try {
      await insert;
      return { status: 'accepted' };
    } catch (err) {
      const { kind } = classifyInsertError(err);
      this.failures.set(kind, (this.failures.get(kind) ?? 0) + 1);
      if (!this.logged.has(kind)) {
        this.logged.add(kind);
        diag.error(`genai-cost receiver: could not insert ${rows.length} rows into ${this.table} (${kind}); answering 503. Further ${kind} failures are only counted.`, err);
      }
      return { status: 'unavailable', retryAfterMs: this.retryAfterMs, reason: `ClickHouse insert failed (${kind})`, kind };
    } finally {
      this.pending -= rows.length;
      this.inFlight.delete(insert);
    }
  }

  /** Pings ClickHouse. */
  async ready(): Promise<boolean> {
    try {
      return (await this.client.ping()).success;
    } catch {
      // A ping that throws means not ready, which is what the probe is asked.
      return false;
    }
  }

  /** Rows in inserts still running. */
  pendingRows(): number {
    return this.pending;
  }

  /** Waits for the inserts in progress. */
  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Failed inserts by kind since construction. */
  getFailures(): Partial<Record<ExportFailureKind, number>> {
    return Object.fromEntries(this.failures);
  }
}
