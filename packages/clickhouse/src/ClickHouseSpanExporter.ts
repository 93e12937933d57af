import { diag } from '@opentelemetry/api';
import { ExportResultCode, globalErrorHandler } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES, DEFAULT_MAX_TOKENS_PER_SPAN } from '@genai-cost/otel';
import { ClickHouseConfigError, ClickHouseExportError, describeIssue } from './errors.js';
import { exporterConnection } from './exporterConnection.js';
import type { LazyConnection } from './LazyConnection.js';
import { queueOptionsShape } from './queueOptions.js';
import { SpanQueue } from './SpanQueue.js';
import { SpanRowMapper, isGenAISpan } from './spanRow.js';
import type { SpanRow } from './tables.js';
import type { ClickHouseSpanExporterOptions, EnqueueResult, ExporterStats, QueueReadiness } from './types.js';

const attributeKey = z.string().min(1, 'expected a non-empty attribute key').optional();
const optionsSchema = z.strictObject({
  ...queueOptionsShape,
  client: queueOptionsShape.client.optional(),
  connection: z.record(z.string(), z.unknown(), { error: 'expected connection options (url, username, password, tls, requestTimeoutMs)' }).optional(),
  createSchema: z.boolean().optional(),
  allSpans: z.boolean().optional(),
  attributeKeys: z
    .strictObject({ userId: attributeKey, tier: attributeKey, feature: attributeKey, sessionId: attributeKey, tenantId: attributeKey })
    .optional(),
  inputExcludesCacheScopes: z.array(z.string().min(1, 'expected a non-empty scope prefix')).optional(),
  maxTokensPerSpan: z.number().int().positive('expected a positive number of tokens').optional(),
});

/** The names of the exporter's options, for an entry point that splits one configuration between components. */
export const EXPORTER_OPTION_KEYS = Object.keys(optionsSchema.shape) as readonly (keyof ClickHouseSpanExporterOptions)[];

/**
 * OpenTelemetry span exporter that writes GenAI spans to ClickHouse (`genai_spans`) through a
 * durable {@link SpanQueue}. `export()` maps the spans to rows and calls back SUCCESS as soon as the
 * batch is safely queued (in memory, or written and synced to the spool with `spoolDir`), so the
 * BatchSpanProcessor in front never fills up; the queue stores batches in the background and
 * retries transient failures until they succeed. A batch's deduplication token is made from its
 * span ids and kept for life, so a retry, a replay after a restart, or the same batch exported
 * again is stored once. FAILED means the batch was refused (`queue_full`, `shutdown`, `spool`) and
 * counted. Never throws into the caller; its own I/O is not traced.
 *
 * Drop policy: the queue is bounded in bytes (`maxQueueBytes` in memory, `maxSpoolBytes` on disk)
 * and never discards what it accepted to make room; a batch that would pass the bound is refused
 * whole (FAILED, `queue_full`) and counted. At `shutdown()` what could not be sent within
 * `shutdownTimeoutMs` stays in the spool, or without one is counted as dropped. Each drop reason is
 * logged once with its count, then counted (`getStats()`, OTel metrics).
 *
 * Spool (`spoolDir`): append-only segment files of records, each a 13-byte header (`GCS1`, type,
 * length, CRC-32 of the payload) and a payload (a batch: a JSON header line with its id and
 * deduplication token, then its JSONCompactEachRow rows; or the ids of batches done). A damaged or
 * torn record ends the reading of its segment at start; the batches read are sent again first.
 * fsync policy: a batch is accepted once its record is written and `fdatasync`ed (`spoolSync`,
 * default true; batches of one tick share a sync); acknowledgements are not synced, as a lost one
 * only replays a batch that ClickHouse deduplicates. Details: `spool.ts` and the package README.
 *
 * Put it behind a BatchSpanProcessor, after the GenAICostSpanProcessor. Every insert writes a part
 * per table (spans and two rollups), so larger batches than the processor's default 512 pay off:
 * on chDB, `maxExportBatchSize: 8192` gave 3× the throughput.
 */
export class ClickHouseSpanExporter implements SpanExporter {
  /** The queue behind the exporter, for readiness checks and for writing rows mapped elsewhere. */
  readonly queue: SpanQueue;
  private readonly allSpans: boolean;
  private readonly mapper: SpanRowMapper;
  /** The connection the exporter opened itself (no `client` given), closed at shutdown. */
  private readonly ownConnection: LazyConnection | undefined;
  private shutdownOnce: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private loggedUnmappable = false;
  private readonly counts = { receivedSpans: 0, skippedSpans: 0, unmappableSpans: 0 };

  /**
   * Works with no options (see `ClickHouseSpanExporterOptions`): connects nowhere until the first
   * insert, so it never delays or breaks the app's start. Throws `ClickHouseConfigError` for invalid
   * options or a spool directory in use by another process.
   */
  constructor(options: ClickHouseSpanExporterOptions = {}) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ClickHouseConfigError(`ClickHouseSpanExporter: expected an options object or none, got ${Array.isArray(options) ? 'an array' : String(options)}`);
    }
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) throw new ClickHouseConfigError(`ClickHouseSpanExporter option ${describeIssue(parsed.error)}`);
    const { allSpans, attributeKeys, inputExcludesCacheScopes, maxTokensPerSpan, client, connection, createSchema, ...queueOptions } = options;
    if (client !== undefined && (connection !== undefined || createSchema !== undefined)) {
      throw new ClickHouseConfigError(
        `ClickHouseSpanExporter option "${connection !== undefined ? 'connection' : 'createSchema'}": expected no "client" with it (a client you pass is yours to open and migrate)`,
      );
    }
    this.allSpans = allSpans ?? false;
    const keys = { ...DEFAULT_ATTRIBUTE_KEYS };
    for (const [field, key] of Object.entries(attributeKeys ?? {})) if (key !== undefined) keys[field as keyof typeof keys] = key;
    this.mapper = new SpanRowMapper({
      attributeKeys: keys,
      inputExcludesCacheScopes: inputExcludesCacheScopes ?? DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES,
      maxTokensPerSpan: maxTokensPerSpan ?? DEFAULT_MAX_TOKENS_PER_SPAN,
    });
    if (client !== undefined) {
      this.queue = new SpanQueue({ ...queueOptions, client });
    } else {
      const own = exporterConnection({ connection, database: queueOptions.database, createSchema });
      this.ownConnection = own.client;
      this.queue = new SpanQueue({ ...queueOptions, client: own.client, database: own.database });
    }
  }

  /** Queues the batch's GenAI spans (all spans with `allSpans`); calls back SUCCESS once queued, FAILED if refused. */
  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.counts.receivedSpans += spans.length;
    const kept = this.allSpans ? spans : spans.filter(isGenAISpan);
    this.counts.skippedSpans += spans.length - kept.length;
    const rows: SpanRow[] = [];
    for (const span of kept) {
      try {
        rows.push(this.mapper.row(span));
      } catch (err) {
        this.unmappable(err);
      }
    }
    const queued: Promise<void> = this.queue.enqueue(rows).then(
      (result) => done(resultCallback, toExportResult(result)),
      (err: unknown) => done(resultCallback, { code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) }),
    );
    const tracked = queued.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Resolves once everything exported so far is stored or dead-lettered, or after `shutdownTimeoutMs`. */
  async forceFlush(): Promise<void> {
    await Promise.all([...this.inFlight]);
    await this.queue.forceFlush();
  }

  /**
   * Waits up to `shutdownTimeoutMs` for the queue, then stops: what is left stays in the spool, or
   * without one is counted as dropped. Later exports call back FAILED (`shutdown`). Runs once.
   */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= (async () => {
      await Promise.all([...this.inFlight]);
      await this.queue.shutdown();
      await this.ownConnection?.close();
    })();
    return this.shutdownOnce;
  }

  /** Whether spans can be stored now (see `SpanQueue.readiness`). */
  readiness(): QueueReadiness {
    return this.queue.readiness();
  }

  /** A copy of the counters: spans received, skipped, and what the queue did with the rest. */
  getStats(): ExporterStats {
    return { ...this.queue.getStats(), ...this.counts };
  }

  private unmappable(err: unknown): void {
    this.counts.unmappableSpans++;
    if (this.loggedUnmappable) return;
    this.loggedUnmappable = true;
    diag.error('genai-cost ClickHouse exporter: a span could not be read into a row; such spans are only counted (getStats().unmappableSpans)', err);
  }
}

function toExportResult(result: EnqueueResult): ExportResult {
  if (result.accepted) return { code: ExportResultCode.SUCCESS };
  return { code: ExportResultCode.FAILED, error: new ClickHouseExportError(result.reason, result.message) };
}

/** Calls back; a callback that throws is reported, not allowed to break the exporter. */
function done(resultCallback: (result: ExportResult) => void, result: ExportResult): void {
  try {
    resultCallback(result);
  } catch (err) {
    globalErrorHandler(err instanceof Error ? err : String(err));
  }
}
