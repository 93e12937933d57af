import { propagation } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTRIBUTION_FIELDS, getAttribution } from './attribution.js';
import type { Attribution, AttributionField } from './attribution.js';
import { GenAICostPricer } from './GenAICostPricer.js';
import type { GenAICostSpanProcessorOptions, ProcessorStats } from './types.js';

/**
 * Attributes GenAI spans to a user, tier and feature and prices them in USD. At start it takes the
 * attribution of the span's context and remembers open model calls; in `onEnding`, while the span
 * is still writable, it reads the usage in whatever convention the instrumentation used and writes
 * `gen_ai.usage.cost`, a per-kind breakdown and the price used, once per model call however many
 * instrumentations traced it. Register it before the exporting processor.
 */
export class GenAICostSpanProcessor implements SpanProcessor {
  /** The pricing this processor runs; `priceEndedSpans` on it prices spans that ended elsewhere with the same counters. */
  readonly pricer: GenAICostPricer;
  private readonly baggageKeys: Partial<Record<AttributionField, string>> | undefined;
  private isShutdown = false;

  /** Throws `GenAICostConfigError` or `PricingError` for invalid options: at setup, never later. */
  constructor(options: GenAICostSpanProcessorOptions = {}) {
    this.pricer = new GenAICostPricer(options);
    const keys = options.baggageKeys;
    this.baggageKeys = keys !== undefined && Object.values(keys).some((k) => k !== undefined) ? keys : undefined;
  }

  /** Remembers the attribution of the span's parent context until the span ends. */
  onStart(span: Span, parentContext: Context): void {
    if (this.isShutdown) return;
    let attribution: Readonly<Attribution> | undefined;
    try {
      attribution = getAttribution(parentContext);
      if (this.baggageKeys !== undefined) attribution = this.withBaggage(attribution, parentContext, this.baggageKeys);
    } catch (err) {
      this.pricer.internalError(err);
    }
    this.pricer.spanStarted(span, attribution, parentContext);
  }

  /** Writes attribution, usage and cost onto GenAI spans while they are still writable. */
  onEnding(span: Span): void {
    if (this.isShutdown) return;
    this.pricer.spanEnding(span);
  }

  /** Nothing to do: all work happens in `onEnding`. */
  onEnd(_span: ReadableSpan): void {}

  /** Resolves at once: the processor buffers nothing. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  /** Stops processing new spans. */
  shutdown(): Promise<void> {
    this.isShutdown = true;
    return Promise.resolve();
  }

  /** A copy of the counters kept since construction. */
  getStats(): ProcessorStats {
    return this.pricer.getStats();
  }

  private withBaggage(
    attribution: Readonly<Attribution> | undefined,
    ctx: Context,
    keys: Partial<Record<AttributionField, string>>,
  ): Readonly<Attribution> | undefined {
    const baggage = propagation.getBaggage(ctx);
    if (baggage === undefined) return attribution;
    let out: Attribution | undefined;
    for (const field of ATTRIBUTION_FIELDS) {
      const key = keys[field];
      if (key === undefined || attribution?.[field] !== undefined) continue;
      const value = baggage.getEntry(key)?.value;
      if (value !== undefined && value !== '') (out ??= { ...attribution })[field] = value;
    }
    return out ?? attribution;
  }
}
