import { ROOT_CONTEXT } from '@opentelemetry/api';
import { isGenAISpan } from '@genai-cost/clickhouse';
import { ATTR_SPAN_ROLE, ATTR_UNPRICED, GEN_AI_USAGE_COST, GenAICostSpanProcessor, setAttribution } from '@genai-cost/otel';
import type { Attribution, GenAICostSpanProcessorOptions, ProcessorStats } from '@genai-cost/otel';
import type { AttributionReader } from './attribution.js';
import type { ReceivedSpan } from './ReceivedSpan.js';

/** What pricing made of one request's spans. */
export interface PricedBatch {
  /** The spans to store, priced and attributed in place: GenAI spans, or every span when all are kept. */
  kept: ReceivedSpan[];
  /** Non-GenAI spans left out. */
  dropped: number;
  /** Model calls that carry a cost (computed, or kept from the span). */
  priced: number;
  /** Model calls left without a cost (`genai_cost.unpriced`). */
  unpriced: number;
}

/**
 * Seam: "price and attribute a decoded batch". Given one request's spans and the attribution its
 * headers carry, writes attribution, cost and flags onto the spans and says which to store. It
 * sees the whole request, so rules across spans (stacked model-call spans of one call) can apply.
 * Never throws for a span it cannot price: the span is flagged and counted.
 */
export interface SpanBatchPricer {
  /** Prices and attributes `spans` in place. */
  price(spans: readonly ReceivedSpan[], headerAttribution: Readonly<Attribution> | undefined): PricedBatch;
  /** Counters of the pricing code since construction. */
  getStats(): ProcessorStats;
  /** Stops pricing. */
  shutdown(): Promise<void>;
}

/** Options of {@link ProcessorBatchPricer}. */
export interface ProcessorBatchPricerOptions {
  /** Options of the span processor that prices (catalog, prices, keys, HMAC key, …). */
  processor: GenAICostSpanProcessorOptions;
  /** Reads attribution from span and resource attributes and headers. */
  attribution: AttributionReader;
  /** Store non-GenAI spans too (attributed, unpriced). */
  keepAllSpans: boolean;
}

/**
 * The seam over today's processor: each span goes through `GenAICostSpanProcessor.onStart` with
 * its attribution in the context (as `withAttribution` puts it in-process) and then `onEnding`,
 * the code path of a span ending in this process, so usage reading, wrapper rules, the catalog and
 * the existing-cost rule are the processor's own.
 */
export class ProcessorBatchPricer implements SpanBatchPricer {
  private readonly processor: GenAICostSpanProcessor;
  private readonly attribution: AttributionReader;
  private readonly keepAllSpans: boolean;

  constructor(options: ProcessorBatchPricerOptions) {
    this.keepAllSpans = options.keepAllSpans;
    this.attribution = options.attribution;
    // With all spans kept, the processor attributes the non-GenAI ones too, as it does in-process.
    this.processor = new GenAICostSpanProcessor({ ...options.processor, attributeAllSpans: options.keepAllSpans });
  }

  /** Runs the processor on each span, then keeps the GenAI ones (all with `keepAllSpans`). */
  price(spans: readonly ReceivedSpan[], headerAttribution: Readonly<Attribution> | undefined): PricedBatch {
    const batch: PricedBatch = { kept: [], dropped: 0, priced: 0, unpriced: 0 };
    for (const span of spans) {
      const attribution = this.attribution.read(span.attributes, span.resource, headerAttribution);
      this.processor.onStart(span, attribution === undefined ? ROOT_CONTEXT : setAttribution(ROOT_CONTEXT, attribution));
      this.processor.onEnding(span);
      this.processor.onEnd(span);
      const a = span.attributes;
      if (a[ATTR_UNPRICED] === true) batch.unpriced++;
      else if (typeof a[GEN_AI_USAGE_COST] === 'number' && a[ATTR_SPAN_ROLE] === undefined) batch.priced++;
      if (this.keepAllSpans || isGenAISpan(span)) batch.kept.push(span);
      else batch.dropped++;
    }
    return batch;
  }

  /** The processor's counters. */
  getStats(): ProcessorStats {
    return this.processor.getStats();
  }

  /** Shuts the processor down. */
  shutdown(): Promise<void> {
    return this.processor.shutdown();
  }
}
