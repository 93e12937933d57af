import { diag, metrics, propagation } from '@opentelemetry/api';
import type { Attributes, Context, Counter } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { computeCost, ratesFor } from '@genai-cost/pricing';
import { ATTRIBUTION_FIELDS, getAttribution } from './attribution.js';
import type { Attribution } from './attribution.js';
import { resolveProcessorOptions } from './options.js';
import type { ResolvedProcessorOptions } from './options.js';
import { Pseudonymizer } from './pseudonymize.js';
import * as sc from './semconv.js';
import type { GenAICostSpanProcessorOptions, ProcessorStats } from './types.js';
import { classify, readCall } from './usage.js';
import type { GenAICall, UnpricedReason, UsageReadOptions } from './usage.js';
import { VERSION } from './version.js';

/** Distinct model names warned about; past it, unknown models are only counted. */
const WARN_LIMIT = 1_000;

/**
 * Where a span's start attribution waits for `onEnding`. A symbol-keyed field on the span, not a
 * WeakMap: measured in V8, a WeakMap set per span costs about 0.8 µs, a field about 0.05 µs.
 */
const PENDING_ATTRIBUTION = Symbol('genai-cost attribution');
type WithPending = Span & { [PENDING_ATTRIBUTION]?: Readonly<Attribution> };

/**
 * Attributes GenAI spans to a user, tier and feature and prices them in USD. At start it takes the
 * attribution of the span's context; in `onEnding`, while the span is still writable, it reads
 * the usage in whatever convention the instrumentation used and writes `gen_ai.usage.cost`, a
 * per-kind breakdown and the price used. Register it before the exporting processor.
 */
export class GenAICostSpanProcessor implements SpanProcessor {
  private readonly options: ResolvedProcessorOptions;
  private readonly pseudonymizer: Pseudonymizer | undefined;
  private readonly warned = new Set<string>();
  private readonly stats: ProcessorStats = {
    pricedSpans: 0,
    keptExistingCost: 0,
    unpricedSpans: { missing_model: 0, no_usage: 0, invalid_usage: 0, unknown_model: 0 },
    wrapperSpans: 0,
    internalErrors: 0,
  };
  private readonly pricedCounter: Counter;
  private readonly unpricedCounter: Counter;
  private readonly errorCounter: Counter;
  private isShutdown = false;
  private readonly readOptions: UsageReadOptions;

  /** Throws `GenAICostConfigError` or `PricingError` for invalid options: at setup, never later. */
  constructor(options: GenAICostSpanProcessorOptions = {}) {
    this.options = resolveProcessorOptions(options);
    const key = this.options.userIdHmacKey;
    this.pseudonymizer = key === undefined ? undefined : new Pseudonymizer(key);
    this.readOptions = { inputExcludesCacheScopes: this.options.inputExcludesCacheScopes, maxTokens: this.options.maxTokensPerSpan };
    const meter = metrics.getMeter('@genai-cost/otel', VERSION);
    this.pricedCounter = meter.createCounter('genai_cost.spans.priced', {
      description: 'GenAI model-call spans given a USD cost',
    });
    this.unpricedCounter = meter.createCounter('genai_cost.spans.unpriced', {
      description: 'GenAI model-call spans left without a cost, by reason',
    });
    this.errorCounter = meter.createCounter('genai_cost.processor.errors', {
      description: 'Unexpected failures inside the genai-cost span processor',
    });
  }

  /** Remembers the attribution of the span's parent context until the span ends. */
  onStart(span: Span, parentContext: Context): void {
    if (this.isShutdown) return;
    try {
      let attribution = getAttribution(parentContext);
      if (this.options.baggageKeys !== undefined) attribution = this.withBaggage(attribution, parentContext);
      if (attribution !== undefined) (span as WithPending)[PENDING_ATTRIBUTION] = attribution;
    } catch (err) {
      this.internalError(err);
    }
  }

  /** Writes attribution, usage and cost onto GenAI spans while they are still writable. */
  onEnding(span: Span): void {
    if (this.isShutdown) return;
    try {
      const attrs = span.attributes;
      const role = classify(attrs, span.kind);
      const attribution = (span as WithPending)[PENDING_ATTRIBUTION];
      if (role === undefined) {
        if (attribution !== undefined && this.options.attributeAllSpans) this.writeAttribution(span, attribution);
        return;
      }
      if (attribution !== undefined) this.writeAttribution(span, attribution);
      if (role === 'inference') {
        this.price(span, attrs, attribution);
      } else if (role === 'wrapper') {
        span.setAttribute(sc.ATTR_SPAN_ROLE, role);
        this.stats.wrapperSpans++;
      }
    } catch (err) {
      this.internalError(err);
    }
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
    return { ...this.stats, unpricedSpans: { ...this.stats.unpricedSpans } };
  }

  private withBaggage(attribution: Readonly<Attribution> | undefined, ctx: Context): Readonly<Attribution> | undefined {
    const baggage = propagation.getBaggage(ctx);
    const keys = this.options.baggageKeys;
    if (baggage === undefined || keys === undefined) return attribution;
    let out: Attribution | undefined;
    for (const field of ATTRIBUTION_FIELDS) {
      const key = keys[field];
      if (key === undefined || attribution?.[field] !== undefined) continue;
      const value = baggage.getEntry(key)?.value;
      if (value !== undefined && value !== '') (out ??= { ...attribution })[field] = value;
    }
    return out ?? attribution;
  }

  private writeAttribution(span: Span, a: Readonly<Attribution>): void {
    const keys = this.options.attributeKeys;
    if (a.userId !== undefined) {
      span.setAttribute(keys.userId, this.pseudonymizer === undefined ? a.userId : this.pseudonymizer.pseudonym(a.userId));
    }
    if (a.tier !== undefined) span.setAttribute(keys.tier, a.tier);
    if (a.feature !== undefined) span.setAttribute(keys.feature, a.feature);
    if (a.sessionId !== undefined) span.setAttribute(keys.sessionId, a.sessionId);
    if (a.tenantId !== undefined) span.setAttribute(keys.tenantId, a.tenantId);
  }

  private price(span: Span, attrs: Attributes, attribution: Readonly<Attribution> | undefined): void {
    const call = readCall(attrs, 'inference', span.instrumentationScope.name, this.readOptions);
    const startTimeMs = span.startTime[0] * 1000 + span.startTime[1] / 1e6;

    const existing = attrs[sc.GEN_AI_USAGE_COST];
    if (!this.options.overrideExistingCost && typeof existing === 'number' && Number.isFinite(existing) && existing >= 0) {
      span.setAttribute(sc.ATTR_PRICE_ID, 'span');
      this.stats.keptExistingCost++;
      this.emit(span, attribution, existing, 'span', call.model, startTimeMs);
      return;
    }
    if (call.problem !== undefined) return this.unpriced(span, call.problem, call);

    const resolved = this.options.catalog.resolve(call.model!, { provider: call.provider, at: startTimeMs });
    if (resolved === undefined) return this.unpriced(span, 'unknown_model', call);
    const usage = call.usage!;
    const cost = computeCost(this.options.cacheWriteTtl === '1h' ? { ...usage, cacheWrite1hTokens: usage.cacheWriteTokens } : usage, ratesFor(resolved.period, usage.inputTokens));
    // Each setAttribute costs the caller ~0.15 µs, so zero parts of the breakdown are left out
    // (absent means $0) and the price is named by one `id@effectiveFrom` value.
    span.setAttribute(sc.GEN_AI_USAGE_COST, cost.totalUsd);
    if (cost.inputUsd !== 0) span.setAttribute(sc.ATTR_COST_INPUT, cost.inputUsd);
    if (cost.outputUsd !== 0) span.setAttribute(sc.ATTR_COST_OUTPUT, cost.outputUsd);
    if (cost.cacheReadUsd !== 0) span.setAttribute(sc.ATTR_COST_CACHE_READ, cost.cacheReadUsd);
    if (cost.cacheWriteUsd !== 0) span.setAttribute(sc.ATTR_COST_CACHE_WRITE, cost.cacheWriteUsd);
    span.setAttribute(sc.ATTR_PRICE_ID, resolved.period.id);
    this.stats.pricedSpans++;
    this.pricedCounter.add(1);
    this.emit(span, attribution, cost.totalUsd, resolved.model.id, call.model, startTimeMs);
  }

  private emit(
    span: Span,
    attribution: Readonly<Attribution> | undefined,
    costUsd: number,
    priceId: string,
    model: string | undefined,
    startTimeMs: number,
  ): void {
    const listener = this.options.onSpanCost;
    if (listener === undefined) return;
    try {
      listener({ spanContext: span.spanContext(), attribution: attribution ?? {}, costUsd, priceId, model, startTimeMs });
    } catch (err) {
      this.internalError(err, 'onSpanCost listener threw');
    }
  }

  private unpriced(span: Span, reason: UnpricedReason, call: GenAICall): void {
    span.setAttribute(sc.ATTR_UNPRICED, true);
    span.setAttribute(sc.ATTR_UNPRICED_REASON, reason);
    this.stats.unpricedSpans[reason]++;
    this.unpricedCounter.add(1, { reason });
    const what = reason === 'unknown_model' ? `${reason}:${call.model ?? ''}` : reason;
    if (this.warned.size < WARN_LIMIT && !this.warned.has(what)) {
      this.warned.add(what);
      diag.warn(
        reason === 'unknown_model'
          ? `genai-cost: no price for model "${call.model}" (provider "${call.provider ?? 'unknown'}"); its spans are flagged ${sc.ATTR_UNPRICED}. Add a price with the "prices" or "priceFile" option.`
          : `genai-cost: a GenAI span could not be priced (${reason}); such spans are flagged ${sc.ATTR_UNPRICED} and counted.`,
      );
    }
  }

  private internalError(err: unknown, what = 'internal error'): void {
    this.stats.internalErrors++;
    this.errorCounter.add(1);
    if (!this.warned.has(`error:${what}`)) {
      this.warned.add(`error:${what}`);
      diag.error(`genai-cost span processor: ${what}; the span is left unpriced. Further errors are only counted.`, err);
    }
  }
}
