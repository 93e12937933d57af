import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, diag } from '@opentelemetry/api';
import { ExportResultCode, globalErrorHandler, suppressTracing } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { ClickHouseConfigError, ClickHouseExportError, classifyInsertError, describeIssue } from './errors.js';
import type { ExportFailureKind } from './errors.js';
import { spanInsertSql } from './spanInsert.js';
import { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES, DEFAULT_MAX_TOKENS_PER_SPAN } from '@genai-cost/otel';
import { SpanRowMapper, isGenAISpan } from './spanRow.js';
import { DEFAULT_DATABASE, TABLES, qualified } from './tables.js';
import type { SpanRow } from './tables.js';
import type { ClickHouseSpanExporterOptions, ExporterStats, SpanInsertClient } from './types.js';

/** First retry delay; doubled per attempt up to MAX_BACKOFF_MS, with jitter. */
const BASE_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

const attributeKey = z.string().min(1, 'expected a non-empty attribute key').optional();
const optionsSchema = z.strictObject({
  client: z.custom<SpanInsertClient>((c) => typeof (c as SpanInsertClient | null)?.command === 'function', 'expected a ClickHouse client'),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected letters, digits and underscores').optional(),
  table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected letters, digits and underscores').optional(),
  allSpans: z.boolean().optional(),
  attributeKeys: z
    .strictObject({ userId: attributeKey, tier: attributeKey, feature: attributeKey, sessionId: attributeKey, tenantId: attributeKey })
    .optional(),
  inputExcludesCacheScopes: z.array(z.string().min(1, 'expected a non-empty scope prefix')).optional(),
  maxTokensPerSpan: z.number().int().positive('expected a positive number of tokens').optional(),
  exportTimeoutMs: z.number().int().positive('expected a positive number of milliseconds').optional(),
  maxRetries: z.number().int().nonnegative('expected 0 or more').optional(),
  maxPendingSpans: z.number().int().positive('expected a positive number of spans').optional(),
});

const FAILURE_KINDS: readonly ExportFailureKind[] = ['network', 'timeout', 'overloaded', 'schema', 'auth', 'rejected', 'queue_full', 'shutdown', 'unknown'];

/**
 * OpenTelemetry span exporter that writes GenAI spans to ClickHouse (`genai_spans`), one insert
 * per export (JSONCompactEachRow, see `spanInsertSql`). A batch carries a deduplication token made
 * from its span ids, so retrying it (here, or by a caller) stores it once. Transient failures are
 * retried with exponential backoff within `exportTimeoutMs`; `export` never throws, it calls back
 * FAILED. Put it behind a BatchSpanProcessor, after the GenAICostSpanProcessor. Every insert writes
 * a part per table (spans and two rollups), so larger batches than the processor's default 512
 * pay off: on chDB, `maxExportBatchSize: 8192` gave 3× the throughput.
 */
export class ClickHouseSpanExporter implements SpanExporter {
  private readonly client: SpanInsertClient;
  private readonly table: string;
  private readonly allSpans: boolean;
  private readonly exportTimeoutMs: number;
  private readonly maxRetries: number;
  private readonly maxPendingSpans: number;
  private readonly mapper: SpanRowMapper;
  private readonly inFlight = new Set<Promise<void>>();
  private pendingSpans = 0;
  private shutdownOnce: Promise<void> | undefined;
  private readonly logged = new Set<ExportFailureKind>();
  private readonly stats: ExporterStats = {
    exportedSpans: 0,
    exportedBatches: 0,
    skippedSpans: 0,
    failedSpans: 0,
    failures: Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<ExportFailureKind, number>,
    retries: 0,
  };

  /** Throws `ClickHouseConfigError` for invalid options. */
  constructor(options: ClickHouseSpanExporterOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw new ClickHouseConfigError(`ClickHouseSpanExporter option ${describeIssue(parsed.error)}`);
    const o = parsed.data;
    this.client = options.client;
    this.table = qualified(o.database ?? DEFAULT_DATABASE, o.table ?? TABLES.spans);
    this.allSpans = o.allSpans ?? false;
    this.exportTimeoutMs = o.exportTimeoutMs ?? 30_000;
    this.maxRetries = o.maxRetries ?? 5;
    this.maxPendingSpans = o.maxPendingSpans ?? 100_000;
    const keys = { ...DEFAULT_ATTRIBUTE_KEYS };
    for (const [field, key] of Object.entries(o.attributeKeys ?? {})) if (key !== undefined) keys[field as keyof typeof keys] = key;
    this.mapper = new SpanRowMapper({
      attributeKeys: keys,
      inputExcludesCacheScopes: o.inputExcludesCacheScopes ?? DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES,
      maxTokensPerSpan: o.maxTokensPerSpan ?? DEFAULT_MAX_TOKENS_PER_SPAN,
    });
  }

  /** Inserts the batch's GenAI spans (all spans with `allSpans`) and calls back once stored or failed. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutdownOnce !== undefined) {
      return this.fail(spans.length, new ClickHouseExportError('shutdown', 'the ClickHouse span exporter is shut down'), resultCallback);
    }
    let rows: SpanRow[];
    try {
      const kept = this.allSpans ? spans : spans.filter(isGenAISpan);
      this.stats.skippedSpans += spans.length - kept.length;
      rows = kept.map((s) => this.mapper.row(s));
    } catch (err) {
      return this.fail(spans.length, new ClickHouseExportError('rejected', 'could not map spans to rows', { cause: err }), resultCallback);
    }
    if (rows.length === 0) return done(resultCallback, { code: ExportResultCode.SUCCESS });
    if (this.pendingSpans + rows.length > this.maxPendingSpans) {
      const error = new ClickHouseExportError(
        'queue_full',
        `dropped ${rows.length} spans: ${this.pendingSpans} spans are still being exported (maxPendingSpans ${this.maxPendingSpans})`,
      );
      return this.fail(rows.length, error, resultCallback);
    }
    this.pendingSpans += rows.length;
    const insert: Promise<void> = context
      .with(suppressTracing(context.active()), () => this.insert(rows))
      .then(
        () => undefined,
        (err: unknown) => err as ClickHouseExportError,
      )
      .then((error) => {
        // Released before calling back, so the caller's next batch sees the room.
        this.pendingSpans -= rows.length;
        this.inFlight.delete(insert);
        if (error !== undefined) return this.fail(rows.length, error, resultCallback);
        this.stats.exportedSpans += rows.length;
        this.stats.exportedBatches++;
        done(resultCallback, { code: ExportResultCode.SUCCESS });
      });
    this.inFlight.add(insert);
  }

  /** Waits for inserts in progress, then answers every later export FAILED. Runs once; later calls return the same promise. */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.forceFlush();
    return this.shutdownOnce;
  }

  /** Resolves when the inserts in progress have finished (stored or failed). */
  async forceFlush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** A copy of the counters kept since construction. */
  getStats(): ExporterStats {
    return { ...this.stats, failures: { ...this.stats.failures } };
  }

  /** Rejects only with a ClickHouseExportError. */
  private async insert(rows: SpanRow[]): Promise<void> {
    const query = spanInsertSql(this.table, rows, batchToken(rows));
    const deadline = Date.now() + this.exportTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        const remaining = Math.max(1, deadline - Date.now());
        await this.client.command({ query, abort_signal: AbortSignal.timeout(remaining) });
        return;
      } catch (err) {
        const { kind, retryable } = classifyInsertError(err);
        const delay = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
        if (!retryable || attempt >= this.maxRetries || Date.now() + delay >= deadline) {
          const tries = attempt + 1;
          throw new ClickHouseExportError(kind, `could not insert ${rows.length} spans into ${this.table} after ${tries} attempt${tries > 1 ? 's' : ''}`, {
            cause: err,
          });
        }
        this.stats.retries++;
        await sleep(delay, undefined, { ref: false });
      }
    }
  }

  private fail(spanCount: number, error: ClickHouseExportError, resultCallback: (result: ExportResult) => void): void {
    this.stats.failedSpans += spanCount;
    this.stats.failures[error.kind]++;
    if (!this.logged.has(error.kind)) {
      this.logged.add(error.kind);
      diag.error(
        `genai-cost ClickHouse exporter: ${error.message} (${error.kind}). Further ${error.kind} failures are only counted (getStats()).`,
        error.cause ?? error,
      );
    }
    done(resultCallback, { code: ExportResultCode.FAILED, error });
  }
}

/** The same spans give the same token in any order, so a re-sent batch is recognised. */
function batchToken(rows: SpanRow[]): string {
  const ids = rows.map((r) => r.TraceId + r.SpanId).sort();
  return createHash('sha256').update(ids.join(',')).digest('base64url');
}

/** Calls back; a callback that throws is reported, not allowed to break the exporter. */
function done(resultCallback: (result: ExportResult) => void, result: ExportResult): void {
  try {
    resultCallback(result);
  } catch (err) {
    globalErrorHandler(err instanceof Error ? err : String(err));
  }
}
