import { isGenAISpan } from '@genai-cost/clickhouse';
import { GenAICostPricer, classify } from '@genai-cost/otel';
import type { Attribution, GenAICostSpanProcessorOptions, PricedSpan, PricingSpan, ProcessorStats } from '@genai-cost/otel';
import type { AttributionReader } from './attribution.js';
import type { RecentModelCalls } from './RecentModelCalls.js';
import type { ReceivedSpan } from './ReceivedSpan.js';

/** What pricing made of one request's spans. */
export interface PricedRequest {
  /** The spans to store, priced and attributed in place: GenAI spans, or every span when all are kept. */
  kept: ReceivedSpan[];
  /** Non-GenAI spans left out. */
  dropped: number;
  /** Model calls that carry a cost (computed, or kept from the span). */
  priced: number;
  /** Model calls left without a cost (`genai_cost.unpriced`). */
  unpriced: number;
  /** Model-call spans marked `duplicate` because a span of an earlier request carries their call. */
  lateDuplicates: number;
  /** Span ids this request added to the recent model calls: forgotten if the request is not accepted. */
  remembered: string[];
}

/** Options of {@link RequestPricer}. */
export interface RequestPricerOptions {
  /** The pricing options (catalog, prices, attribute keys, HMAC key, …). */
  pricing: GenAICostSpanProcessorOptions;
  /** Reads attribution from span and resource attributes and headers. */
  attribution: AttributionReader;
  /** Store non-GenAI spans too (attributed, unpriced). */
  keepAllSpans: boolean;
  /** Model calls of recent requests, for duplicates across requests; undefined to look within each request only. */
  recent: RecentModelCalls | undefined;
}

/**
 * Prices one request's spans with `GenAICostPricer.priceEndedSpans`, the processor's own code: the
 * request's spans are one batch, so the duplicate rule holds between the spans of one call sent
 * together. Across requests, a model-call span whose parent or child carried its call in a recent
 * request ({@link RecentModelCalls}) is marked `duplicate` instead of being priced again.
 */
export class RequestPricer {
  private readonly pricer: GenAICostPricer;
  private readonly attribution: AttributionReader;
  private readonly keepAllSpans: boolean;
  private readonly recent: RecentModelCalls | undefined;

  /** Throws the pricing's `GenAICostConfigError` or `PricingError` for invalid options. */
  constructor(options: RequestPricerOptions) {
    this.attribution = options.attribution;
    this.keepAllSpans = options.keepAllSpans;
    this.recent = options.recent;
    // With all spans kept, non-GenAI spans are attributed too, as the processor does in-process.
    this.pricer = new GenAICostPricer({ ...options.pricing, attributeAllSpans: options.keepAllSpans });
  }

  /** Prices and attributes `spans` in place and says which to store. Never throws for a span it cannot price. */
  price(spans: readonly ReceivedSpan[], headerAttribution: Readonly<Attribution> | undefined): PricedRequest {
    const out: PricedRequest = { kept: [], dropped: 0, priced: 0, unpriced: 0, lateDuplicates: 0, remembered: [] };
    const nowMs = Date.now();
    this.recent?.prune(nowMs);
    const attribution = (span: PricingSpan): Readonly<Attribution> | undefined => {
      const s = span as ReceivedSpan;
      return this.attribution.read(s.attributes, s.resource, headerAttribution);
    };
    const late = this.lateDuplicates(spans);
    const knownDuplicate = late === undefined ? undefined : (span: PricingSpan) => late.has(span as ReceivedSpan);
    const results = this.pricer.priceEndedSpans(spans, { attribution, knownDuplicate });
    for (const r of results) {
      if (late?.has(r.span as ReceivedSpan) === true) out.lateDuplicates++;
      else this.count(r, out, nowMs);
    }
    for (const s of spans) {
      if (this.keepAllSpans || isGenAISpan(s)) out.kept.push(s);
      else out.dropped++;
    }
    return out;
  }

  /** Forgets what a request that was not accepted added to the recent model calls. */
  forget(request: PricedRequest): void {
    this.recent?.forget(request.remembered);
  }

  /** The pricing's counters; `duplicateSpans` counts duplicates within a request and across requests. */
  getStats(): ProcessorStats {
    return this.pricer.getStats();
  }

  /**
   * Model-call spans another span of whose call came in an earlier request. A span that is itself
   * remembered is a request sent again: it is priced as the first time, and the queue's
   * deduplication token stores it once.
   */
  private lateDuplicates(spans: readonly ReceivedSpan[]): Set<ReceivedSpan> | undefined {
    const recent = this.recent;
    if (recent === undefined || recent.size === 0) return undefined;
    let late: Set<ReceivedSpan> | undefined;
    for (const s of spans) {
      const id = s.spanContext().spanId;
      if (classify(s.attributes, s.kind) !== 'inference' || recent.has(id)) continue;
      if (recent.carriedElsewhere(id, s.parentSpanContext?.spanId)) (late ??= new Set()).add(s);
    }
    return late;
  }

  private count(r: PricedSpan, out: PricedRequest, nowMs: number): void {
    if (r.role !== 'inference') return;
    if (r.costUsd !== undefined) out.priced++;
    else if (r.unpricedReason !== undefined) out.unpriced++;
    // A call left unpriced for want of usage or model may be priced from its other span; a model
    // without a price is flagged once and repriced later, so that span carries the call.
    if (this.recent === undefined || (r.costUsd === undefined && r.unpricedReason !== 'unknown_model')) return;
    const span = r.span as ReceivedSpan;
    const id = span.spanContext().spanId;
    if (this.recent.remember(id, span.parentSpanContext?.spanId, nowMs)) out.remembered.push(id);
  }
}
