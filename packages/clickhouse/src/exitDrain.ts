import { diag } from '@opentelemetry/api';

/** A queue the process should not leave with spans in it. */
export interface Drainable {
  /** Spans not yet stored. */
  outstandingSpans(): number;
  /** Sends what it can within its shutdown timeout; resolves to what is still queued. */
  drainAtExit(): Promise<void>;
  /** Logs what an immediate exit leaves behind. */
  reportAtExit(): void;
}

const queues = new Set<Drainable>();
const drained = new WeakSet<Drainable>();
let installed = false;

/**
 * When the event loop empties with spans still queued (an app that ends without `shutdown()`, or a
 * SimpleSpanProcessor whose last export is being retried), keeps the process alive to send them,
 * up to each queue's shutdown timeout, once; on `process.exit()` reports what is left.
 */
export function watchExit(queue: Drainable): void {
  queues.add(queue);
  if (installed) return;
  installed = true;
  process.on('beforeExit', () => {
    for (const q of queues) {
      if (drained.has(q) || q.outstandingSpans() === 0) continue;
      drained.add(q);
      q.drainAtExit().catch((err: unknown) => diag.error('genai-cost ClickHouse exporter: draining at exit failed', err));
    }
  });
  process.on('exit', () => {
    for (const q of queues) if (q.outstandingSpans() > 0) q.reportAtExit();
  });
}

/** Stops watching a queue (after its shutdown). */
export function unwatchExit(queue: Drainable): void {
  queues.delete(queue);
}
