import { metrics } from '@opentelemetry/api';
import type { Counter, Histogram, MeterProvider } from '@opentelemetry/api';
import { VERSION } from './version.js';

/** Counters kept by the receiver since it started. */
export interface ReceiverStats {
  /** Spans decoded from requests, rejected ones included. */
  receivedSpans: number;
  /** Spans refused as bad data (reported in `partial_success`). */
  rejectedSpans: number;
  /** Non-GenAI spans left out. */
  droppedSpans: number;
  /** Model calls that carry a cost. */
  pricedSpans: number;
  /** Model calls left without a cost. */
  unpricedSpans: number;
  /** Model-call spans marked duplicate because a span of an earlier request carries their call. */
  duplicateSpans: number;
  /** Spans handed to the queue, which stores them (a request re-sent and deduplicated counts each time it is accepted). */
  acceptedSpans: number;
  /** Requests answered 429 or 503, by why. */
  refusedRequests: Record<RefusalReason, number>;
  /** Requests by answered HTTP status. */
  requests: Record<string, number>;
}

/** What became of received spans, as counted. */
export type SpanOutcome = 'received' | 'rejected' | 'dropped' | 'priced' | 'unpriced' | 'duplicate' | 'accepted';

/** Why a request was not taken, for a client to retry. */
export type RefusalReason = 'overloaded' | 'unavailable' | 'shutting_down' | 'internal_error';

/**
 * The receiver's own telemetry: OpenTelemetry instruments on the given (or global) meter provider,
 * which `genai-cost serve` exports in Prometheus text, and the same counts in {@link ReceiverStats}.
 */
export class ReceiverMetrics {
  private readonly stats: ReceiverStats = {
    receivedSpans: 0,
    rejectedSpans: 0,
    droppedSpans: 0,
    pricedSpans: 0,
    unpricedSpans: 0,
    duplicateSpans: 0,
    acceptedSpans: 0,
    refusedRequests: { overloaded: 0, unavailable: 0, shutting_down: 0, internal_error: 0 },
    requests: {},
  };
  private readonly spans: Counter;
  private readonly refused: Counter;
  private readonly duration: Histogram;

  constructor(meterProvider: MeterProvider | undefined, queueDepth: () => number) {
    const meter = (meterProvider ?? metrics).getMeter('@genai-cost/receiver', VERSION);
    this.spans = meter.createCounter('genai_cost.receiver.spans', {
      description: 'Spans received over OTLP, by outcome: received, rejected, dropped, priced, unpriced, duplicate (across requests), accepted',
      unit: '{span}',
    });
    this.refused = meter.createCounter('genai_cost.receiver.refused_requests', {
      description: 'Export requests answered 429 or 503 for the client to retry, by reason',
      unit: '{request}',
    });
    this.duration = meter.createHistogram('http.server.request.duration', {
      description: 'Duration of OTLP/HTTP requests',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] },
    });
    meter
      .createObservableGauge('genai_cost.receiver.queue.depth', { description: 'Spans accepted but not yet stored in ClickHouse', unit: '{span}' })
      .addCallback((result) => result.observe(queueDepth()));
  }

  /** Counts spans by outcome. */
  count(outcome: SpanOutcome, n: number): void {
    if (n === 0) return;
    this.stats[`${outcome}Spans`] += n;
    this.spans.add(n, { outcome });
  }

  /** Counts a request the client is asked to retry. */
  refuse(reason: RefusalReason): void {
    this.stats.refusedRequests[reason]++;
    this.refused.add(1, { reason });
  }

  /** Records one answered request; `route` must come from a fixed set (label cardinality). */
  request(method: string | undefined, route: string, status: number, seconds: number): void {
    this.stats.requests[status] = (this.stats.requests[status] ?? 0) + 1;
    // As the HTTP semantic conventions ask: known methods by name, any other as _OTHER.
    const m = method === 'GET' || method === 'POST' || method === 'HEAD' ? method : '_OTHER';
    this.duration.record(seconds, { 'http.request.method': m, 'http.route': route, 'http.response.status_code': status });
  }

  /** A copy of the counters. */
  getStats(): ReceiverStats {
    return { ...this.stats, refusedRequests: { ...this.stats.refusedRequests }, requests: { ...this.stats.requests } };
  }
}
