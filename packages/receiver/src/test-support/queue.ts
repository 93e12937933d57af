import type { EnqueueResult, QueueReadiness, SpanQueueStats, SpanRow } from '@genai-cost/clickhouse';
import type { ReceiverQueue } from '../types.js';

/**
 * A queue double that keeps what it is given, for tests of what the receiver sends to the queue
 * (the real `SpanQueue` is exercised against chDB in test/receiver). `refuse` makes the next
 * enqueues answer with that refusal; `clickhouse` is what readiness reports.
 */
export class CapturingQueue implements ReceiverQueue {
  readonly batches: { rows: SpanRow[]; token: string | undefined }[] = [];
  refuse: Extract<EnqueueResult, { accepted: false }> | undefined;
  clickhouse: QueueReadiness['clickhouse'] = 'unknown';
  closed = false;

  /** Every row enqueued, in order. */
  get rows(): SpanRow[] {
    return this.batches.flatMap((b) => b.rows);
  }

  enqueue(rows: readonly SpanRow[], options: { deduplicationToken?: string } = {}): Promise<EnqueueResult> {
    if (this.refuse !== undefined) return Promise.resolve(this.refuse);
    this.batches.push({ rows: [...rows], token: options.deduplicationToken });
    return Promise.resolve({ accepted: true, spans: rows.length, invalid: 0 });
  }

  readiness(): QueueReadiness {
    return { ready: !this.closed && this.clickhouse !== 'failing', accepting: !this.closed, clickhouse: this.clickhouse, fill: 0, retryAfterMs: 1_000 };
  }

  getStats(): SpanQueueStats {
    const accepted = this.rows.length;
    return {
      acceptedSpans: accepted,
      acceptedBatches: this.batches.length,
      refusedSpans: { queue_full: 0, shutdown: 0, spool: 0 },
      spooledSpans: 0,
      replayedSpans: 0,
      storedSpans: accepted,
      inserts: this.batches.length,
      deadLetteredSpans: 0,
      droppedSpans: { shutdown: 0, dead_letter_failed: 0, spool_damaged: 0, internal_error: 0 },
      retries: 0,
      failures: { network: 0, timeout: 0, overloaded: 0, schema: 0, auth: 0, bad_data: 0, rejected: 0, queue_full: 0, spool: 0, shutdown: 0, unknown: 0 },
      queuedSpans: 0,
      queuedBytes: 0,
      oldestQueuedMs: 0,
      spoolBytes: 0,
      spoolDamagedBytes: 0,
    };
  }

  shutdown(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
