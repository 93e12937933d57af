import type { Meter } from '@opentelemetry/api';
import type { SpanQueueStats } from './types.js';

/**
 * The queue's OpenTelemetry metrics, all read from its stats when collected:
 * `genai_cost.exporter.spans` (counter, by `outcome`: stored, dead_lettered, refused, dropped,
 * and `reason` for the last two), `genai_cost.exporter.insert.failures` (by `error.type`),
 * `genai_cost.exporter.insert.retries`, and the gauges `genai_cost.exporter.queue.spans`,
 * `genai_cost.exporter.queue.bytes`, `genai_cost.exporter.queue.oldest_age` (s) and
 * `genai_cost.exporter.spool.bytes`. Returns a function that stops reporting.
 */
export function registerQueueMetrics(meter: Meter, stats: () => SpanQueueStats): () => void {
  const spans = meter.createObservableCounter('genai_cost.exporter.spans', { description: 'Spans by what became of them', unit: '{span}' });
  const failures = meter.createObservableCounter('genai_cost.exporter.insert.failures', { description: 'Failed insert attempts', unit: '{insert}' });
  const retries = meter.createObservableCounter('genai_cost.exporter.insert.retries', { description: 'Insert attempts repeated', unit: '{insert}' });
  const queueSpans = meter.createObservableGauge('genai_cost.exporter.queue.spans', { description: 'Spans waiting or being sent', unit: '{span}' });
  const queueBytes = meter.createObservableGauge('genai_cost.exporter.queue.bytes', { description: 'Bytes of rows waiting or being sent', unit: 'By' });
  const oldest = meter.createObservableGauge('genai_cost.exporter.queue.oldest_age', { description: 'Age of the oldest queued span', unit: 's' });
  const spool = meter.createObservableGauge('genai_cost.exporter.spool.bytes', { description: 'Bytes of the spool files', unit: 'By' });
  const observables = [spans, failures, retries, queueSpans, queueBytes, oldest, spool];
  const callback = (result: Parameters<Parameters<Meter['addBatchObservableCallback']>[0]>[0]) => {
    const s = stats();
    result.observe(spans, s.storedSpans, { outcome: 'stored' });
    result.observe(spans, s.deadLetteredSpans, { outcome: 'dead_lettered' });
    for (const [reason, n] of Object.entries(s.refusedSpans)) result.observe(spans, n, { outcome: 'refused', reason });
    for (const [reason, n] of Object.entries(s.droppedSpans)) result.observe(spans, n, { outcome: 'dropped', reason });
    for (const [kind, n] of Object.entries(s.failures)) if (n > 0) result.observe(failures, n, { 'error.type': kind });
    result.observe(retries, s.retries);
    result.observe(queueSpans, s.queuedSpans);
    result.observe(queueBytes, s.queuedBytes);
    result.observe(oldest, s.oldestQueuedMs / 1000);
    result.observe(spool, s.spoolBytes);
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
