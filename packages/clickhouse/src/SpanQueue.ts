import { createHash } from 'node:crypto';
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { BatchSender, SendAborted } from './BatchSender.js';
import type { SendOutcome } from './BatchSender.js';
import { ClickHouseConfigError } from './errors.js';
import { rejectRow } from './deadLetter.js';
import { unwatchExit, watchExit } from './exitDrain.js';
import type { Drainable } from './exitDrain.js';
import { registerQueueMetrics } from './queueMetrics.js';
import { resolveSpanQueueOptions } from './queueOptions.js';
import type { SpanQueueParams } from './queueOptions.js';
import { compileRowEncoder } from './sanitize.js';
import { DEDUPLICATION_TOKEN } from './spanInsert.js';
import { Spool, encodeBatch } from './spool.js';
import type { RejectRecord, SpoolLocation } from './spool.js';
import { SPAN_COLUMNS } from './tables.js';
import type { SpanRow } from './tables.js';
import type { DropReason, EnqueueResult, QueueReadiness, RefusalReason, SpanQueueOptions, SpanQueueStats } from './types.js';

const COLUMNS = Object.keys(SPAN_COLUMNS);
const encode = compileRowEncoder(SPAN_COLUMNS);

/** Longest caller-given deduplication token; split halves append to it. */
const MAX_TOKEN = 128;

interface Entry {
  id: number;
  token: string;
  /** Encoded rows; undefined when only the spool holds them. */
  lines: string[] | undefined;
  rejects: RejectRecord[];
  spans: number;
  bytes: number;
  enqueuedAt: number;
  location?: SpoolLocation;
}

/**
 * The same spans give the same token in any order, so a re-sent batch is recognised. Span ids
 * alone (64 random bits each) identify a batch; leaving the trace ids out halves the text sorted
 * and hashed, a measurable share of the exporter's CPU.
 */
export function rowsToken(rows: readonly Pick<SpanRow, 'SpanId'>[]): string {
  const ids = rows.map((r) => r.SpanId).sort();
  return createHash('sha256').update(ids.join(',')).digest('base64url');
}

/**
 * The durable queue in front of ClickHouse: `enqueue` answers as soon as a batch is safely queued
 * (in memory, or written and synced to the spool with `spoolDir`), and the queue ships batches in
 * the background, retrying transient failures with capped exponential backoff and jitter until
 * they succeed. Each batch keeps its `insert_deduplication_token` for life, in memory and in the
 * spool, so a retry or a replay after a restart is stored once, in `genai_spans` and in the rollups.
 *
 * Rows are made valid before they are queued (see `sanitize.ts`); rows that cannot be go to the
 * dead-letter table `genai_spans_rejected` with the reason, and so do rows ClickHouse still refuses,
 * found by splitting the batch.
 *
 * Drop policy: the queue never discards what it accepted to make room. When a batch would pass
 * the bound (`maxQueueBytes` in memory, `maxSpoolBytes` on disk), `enqueue` refuses that whole
 * batch with `queue_full` and a retry-after hint, and counts it. At `shutdown()` what could not be
 * sent within `shutdownTimeoutMs` stays in the spool for the next start, or, in memory, is counted
 * as dropped (`shutdown`) and logged. Every drop is logged once per reason with its count, then
 * only counted (`getStats()`, OTel metrics).
 *
 * Spool format and fsync policy: see `spool.ts` and the package README.
 */
export class SpanQueue implements Drainable {
  private readonly p: SpanQueueParams;
  private readonly sender: BatchSender;
  private readonly spool: Spool | undefined;
  private readonly stop = new AbortController();
  /** Batches not yet done, in id order (Map keeps insertion order). */
  private readonly outstanding = new Map<number, Entry>();
  private readonly waiting: Entry[] = [];
  private readonly sending = new Set<Promise<void>>();
  private readonly flushWaiters = new Set<() => void>();
  private readonly loggedDrops = new Set<string>();
  private readonly stopMetrics: () => void;
  private nextId: number;
  private memoryBytes = 0;
  private closed = false;
  private exitReported = false;
  private shutdownOnce: Promise<void> | undefined;
  private readonly counts = {
    acceptedSpans: 0,
    acceptedBatches: 0,
    spooledSpans: 0,
    replayedSpans: 0,
    storedSpans: 0,
    deadLetteredSpans: 0,
    queuedSpans: 0,
    queuedBytes: 0,
    refusedSpans: { queue_full: 0, shutdown: 0, spool: 0 } as Record<RefusalReason, number>,
    droppedSpans: { shutdown: 0, dead_letter_failed: 0, spool_damaged: 0, internal_error: 0 } as Record<DropReason, number>,
  };

  /** Throws `ClickHouseConfigError` for invalid options or a spool directory another live process holds. */
  constructor(options: SpanQueueOptions) {
    this.p = resolveSpanQueueOptions(options);
    this.sender = new BatchSender({ ...this.p, columns: COLUMNS }, this.stop.signal);
    this.nextId = 1;
    if (this.p.spool !== undefined) {
      const opened = Spool.open({ ...this.p.spool, memoryBytes: this.p.maxQueueBytes });
      this.spool = opened.spool;
      this.nextId = opened.nextId;
      if (opened.spool.corruptBytes > 0) {
        diag.error(`genai-cost ClickHouse exporter: skipped ${opened.spool.corruptBytes} damaged bytes in the spool ${this.p.spool.dir} (a write torn by a crash)`);
      }
      for (const { batch, location } of opened.recovered) {
        const entry: Entry = { ...batch, location };
        this.track(entry);
        this.counts.replayedSpans += entry.spans;
      }
      if (opened.recovered.length > 0) diag.info(`genai-cost ClickHouse exporter: replaying ${this.counts.replayedSpans} spans from the spool ${this.p.spool.dir}`);
    }
    this.stopMetrics = registerQueueMetrics(this.p.meterProvider.getMeter('@genai-cost/clickhouse'), () => this.getStats());
    watchExit(this);
    this.pump();
  }

  /**
   * Queues already-mapped rows under `deduplicationToken` (letters, digits, `_`, `-`, at most 128;
   * default: derived from the rows' trace and span ids). Resolves once the batch is safely queued
   * (in memory, or written and synced to the spool), or refused: `queue_full` when the bound is hit,
   * `shutdown` after `shutdown()`, `spool` when the spool cannot be written; a refusal carries a
   * retry-after hint. Rejects only for an invalid token. Rows that cannot be made valid are queued
   * for the dead-letter table and counted in `invalid`.
   */
  async enqueue(rows: readonly SpanRow[], options: { deduplicationToken?: string } = {}): Promise<EnqueueResult> {
    const token = options.deduplicationToken ?? rowsToken(rows);
    if (token.length > MAX_TOKEN || !DEDUPLICATION_TOKEN.test(token)) {
      throw new ClickHouseConfigError(`SpanQueue.enqueue "deduplicationToken": expected 1 to ${MAX_TOKEN} letters, digits, "_" or "-", got "${token.slice(0, 40)}"`);
    }
    if (this.closed) return this.refuse(rows.length, 'shutdown', 'the span queue is shut down');
    if (rows.length === 0) return { accepted: true, spans: 0, invalid: 0 };
    const lines: string[] = [];
    const rejects: RejectRecord[] = [];
    let bytes = 0;
    for (const row of rows) {
      const r = encode(row as unknown as Record<string, unknown>);
      if (r.ok) {
        lines.push(r.line);
        bytes += r.line.length + 1;
      } else {
        const reject = rejectRow(row as unknown as Record<string, unknown>, r.reason);
        rejects.push(reject);
        bytes += reject.row.length + reject.reason.length + 64;
      }
    }
    const entry: Entry = { id: this.nextId++, token, lines, rejects, spans: rows.length, bytes, enqueuedAt: Date.now() };
    if (this.spool === undefined) {
      if (this.counts.queuedBytes + bytes > this.p.maxQueueBytes) return this.full(rows.length, `${this.counts.queuedBytes} of ${this.p.maxQueueBytes} bytes queued`);
      this.track(entry);
      this.pump();
      return this.accepted(entry);
    }
    const payload = encodeBatch({ ...entry, lines });
    if (this.spool.diskBytes + Spool.recordBytes(payload.length) > this.p.spool!.maxBytes) {
      return this.full(rows.length, `the spool holds ${this.spool.diskBytes} of ${this.p.spool!.maxBytes} bytes`);
    }
    entry.bytes = payload.length;
    try {
      entry.location = await this.spool.append(payload);
    } catch (err) {
      diag.error(`genai-cost ClickHouse exporter: could not write to the spool ${this.p.spool!.dir}`, err);
      return this.refuse(rows.length, 'spool', `the spool could not be written: ${String(err)}`);
    }
    this.counts.spooledSpans += rows.length;
    if (this.memoryBytes + entry.bytes > this.p.maxQueueBytes) entry.lines = undefined;
    this.track(entry);
    this.pump();
    return this.accepted(entry);
  }

  /** Whether the queue can store now: accepting, with room, and ClickHouse answering. */
  readiness(): QueueReadiness {
    const last = this.sender.lastAttempt;
    const clickhouse = last === undefined ? 'unknown' : last.ok ? 'ok' : 'failing';
    const fill = this.spool === undefined ? this.counts.queuedBytes / this.p.maxQueueBytes : this.spool.diskBytes / this.p.spool!.maxBytes;
    const readiness: QueueReadiness = { ready: !this.closed && clickhouse !== 'failing' && fill < 1, accepting: !this.closed, clickhouse, fill: Math.min(1, fill), retryAfterMs: this.retryAfterMs() };
    if (last?.ok === false && last.error !== undefined) readiness.lastError = last.error;
    return readiness;
  }

  /** A copy of the counters and the queue's state now. */
  getStats(): SpanQueueStats {
    const oldest = this.outstanding.values().next().value;
    return {
      ...this.counts,
      refusedSpans: { ...this.counts.refusedSpans },
      droppedSpans: { ...this.counts.droppedSpans },
      inserts: this.sender.inserts,
      retries: this.sender.retries,
      failures: { ...this.sender.failures },
      oldestQueuedMs: oldest === undefined ? 0 : Math.max(0, Date.now() - oldest.enqueuedAt),
      spoolBytes: this.spool?.diskBytes ?? 0,
      spoolDamagedBytes: this.spool?.corruptBytes ?? 0,
    };
  }

  /**
   * Resolves once every batch queued before the call is stored or dead-lettered, or after
   * `timeoutMs` (default: `shutdownTimeoutMs`), logging what is still queued. Keeps the process
   * alive while it waits.
   */
  async forceFlush(timeoutMs = this.p.shutdownTimeoutMs): Promise<void> {
    const target = this.nextId - 1;
    const done = () => {
      const first = this.outstanding.keys().next();
      return first.done === true || first.value > target;
    };
    if (done()) return;
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let timer: NodeJS.Timeout | undefined;
    try {
      const finished = await new Promise<boolean>((resolve) => {
        const check = () => {
          if (!done()) return;
          this.flushWaiters.delete(check);
          resolve(true);
        };
        this.flushWaiters.add(check);
        timer = setTimeout(() => {
          this.flushWaiters.delete(check);
          resolve(false);
        }, timeoutMs);
      });
      if (!finished) diag.warn(`genai-cost ClickHouse exporter: flush timed out after ${timeoutMs} ms with ${this.counts.queuedSpans} spans still queued${this.spool === undefined ? '' : ' (kept in the spool)'}`);
    } finally {
      clearInterval(keepAlive);
      clearTimeout(timer);
    }
  }

  /**
   * Stops accepting, waits up to `shutdownTimeoutMs` for the queue to be sent, then stops. What is
   * left stays in the spool, or in memory is counted as dropped (`shutdown`). Runs once; later calls
   * return the same promise.
   */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.close();
    return this.shutdownOnce;
  }

  /** Spans not yet stored (for the exit drain). */
  outstandingSpans(): number {
    return this.counts.queuedSpans;
  }

  /** Sends what it can before the process exits (see `exitDrain.ts`). */
  async drainAtExit(): Promise<void> {
    await this.forceFlush();
    if (this.counts.queuedSpans > 0) this.reportAtExit();
  }

  /** Logs the spans an exiting process leaves behind, once. */
  reportAtExit(): void {
    if (this.exitReported) return;
    this.exitReported = true;
    const where = this.spool === undefined ? 'are lost (no spoolDir)' : `stay in the spool ${this.p.spool!.dir} for the next start`;
    diag.error(`genai-cost ClickHouse exporter: the process is exiting with ${this.counts.queuedSpans} spans not yet stored; they ${where}. Call shutdown() before exiting.`);
  }

  private async close(): Promise<void> {
    this.closed = true;
    await this.forceFlush();
    this.stop.abort();
    await Promise.allSettled([...this.sending]);
    if (this.spool === undefined && this.counts.queuedSpans > 0) {
      const lost = this.counts.queuedSpans;
      this.counts.droppedSpans.shutdown += lost;
      this.logDrop('shutdown', lost, 'still queued in memory at shutdown (no spoolDir)');
      for (const e of this.outstanding.values()) this.untrack(e);
    }
    await this.spool?.close();
    this.stopMetrics();
    unwatchExit(this);
  }

  private track(entry: Entry): void {
    this.outstanding.set(entry.id, entry);
    this.waiting.push(entry);
    this.counts.queuedSpans += entry.spans;
    this.counts.queuedBytes += entry.bytes;
    if (entry.lines !== undefined) this.memoryBytes += entry.bytes;
  }

  private untrack(entry: Entry): void {
    this.outstanding.delete(entry.id);
    this.counts.queuedSpans -= entry.spans;
    this.counts.queuedBytes -= entry.bytes;
    if (entry.lines !== undefined) this.memoryBytes -= entry.bytes;
  }

  private pump(): void {
    const last = this.sender.lastAttempt;
    // While ClickHouse fails, the batches in flight probe it; the rest wait rather than pile on.
    const limit = last?.ok === false ? 1 : this.p.maxConcurrentInserts;
    while (!this.stop.signal.aborted && this.sending.size < limit && this.waiting.length > 0) {
      const entry = this.waiting.shift()!;
      const sending: Promise<void> = context.with(suppressTracing(context.active()), () => this.ship(entry)).finally(() => {
        this.sending.delete(sending);
        this.pump();
      });
      this.sending.add(sending);
    }
  }

  private async ship(entry: Entry): Promise<void> {
    let outcome: SendOutcome;
    try {
      const lines = entry.lines ?? (await this.readBack(entry));
      if (lines === undefined) return this.finish(entry, { stored: 0, deadLettered: 0, lost: 0 }, entry.spans);
      outcome = await this.sender.send(lines, entry.rejects, entry.token);
    } catch (err) {
      if (err instanceof SendAborted) return;
      // A bug of ours, not ClickHouse's answer: sending the batch again would fail the same way.
      diag.error('genai-cost ClickHouse exporter: internal error while sending a batch', err);
      this.counts.droppedSpans.internal_error += entry.spans;
      this.logDrop('internal_error', entry.spans, 'lost to an internal error');
      outcome = { stored: 0, deadLettered: 0, lost: 0 };
    }
    this.finish(entry, outcome, 0);
  }

  private async readBack(entry: Entry): Promise<string[] | undefined> {
    try {
      return (await this.spool!.read(entry.location!)).lines;
    } catch (err) {
      diag.error(`genai-cost ClickHouse exporter: could not read a batch back from the spool`, err);
      return undefined;
    }
  }

  private finish(entry: Entry, outcome: SendOutcome, damaged: number): void {
    this.counts.storedSpans += outcome.stored;
    this.counts.deadLetteredSpans += outcome.deadLettered;
    if (outcome.lost > 0) {
      this.counts.droppedSpans.dead_letter_failed += outcome.lost;
      this.logDrop('dead_letter_failed', outcome.lost, 'refused by the dead-letter table too');
    }
    if (damaged > 0) {
      this.counts.droppedSpans.spool_damaged += damaged;
      this.logDrop('spool_damaged', damaged, 'unreadable in the spool');
    }
    this.untrack(entry);
    if (entry.location !== undefined) this.spool!.ack([{ id: entry.id, location: entry.location }]);
    for (const check of [...this.flushWaiters]) check();
  }

  private accepted(entry: Entry): EnqueueResult {
    this.counts.acceptedSpans += entry.spans;
    this.counts.acceptedBatches++;
    return { accepted: true, spans: entry.spans, invalid: entry.rejects.length };
  }

  private full(spans: number, state: string): EnqueueResult {
    return this.refuse(spans, 'queue_full', `the span queue is full: ${state}`);
  }

  private refuse(spans: number, reason: RefusalReason, message: string): EnqueueResult {
    this.counts.refusedSpans[reason] += spans;
    this.logDrop(`refused:${reason}`, spans, `refused: ${message}`);
    return { accepted: false, reason, retryAfterMs: this.retryAfterMs(), message };
  }

  private retryAfterMs(): number {
    const retryAt = this.sender.lastAttempt?.retryAt;
    return Math.max(1_000, retryAt === undefined ? 0 : retryAt - Date.now());
  }

  private logDrop(reason: string, spans: number, what: string): void {
    if (this.loggedDrops.has(reason)) return;
    this.loggedDrops.add(reason);
    diag.warn(`genai-cost ClickHouse exporter: ${spans} spans ${what}. Further ones are only counted (getStats(), genai_cost.exporter.spans).`);
  }
}
