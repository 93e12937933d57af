import { diag, metrics, trace } from '@opentelemetry/api';
import type { Context, Counter } from '@opentelemetry/api';
import { priceUsage } from '@genai-cost/pricing';
import type { PriceRequest, Rates } from '@genai-cost/pricing';
import { ATTRIBUTE_KEYS_STAMP } from './attributeKeysStamp.js';
import { ATTRIBUTION_FIELDS, TAG_ATTRIBUTE_PREFIX, mergeTags } from './attribution.js';
import type { Attribution, AttributionField } from './attribution.js';
import { classify, mayBeGenAI } from './classify.js';
import { DUPLICATE, OpenModelCalls } from './openModelCalls.js';
import type { ModelCallEntry } from './openModelCalls.js';
import { mergeCalls } from './openModelCalls.js';
import { resolveProcessorOptions } from './options.js';
import type { ResolvedProcessorOptions } from './options.js';
import { getPricing } from './pricingHints.js';
import type { PricingHints } from './pricingHints.js';
import { Pseudonymizer } from './pseudonymize.js';
import * as sc from './semconv.js';
import { writeCost, writeUsage } from './spanCost.js';
import { readToolCall } from './toolCall.js';
import type { GenAICostSpanProcessorOptions, IncompleteUsage, PriceEndedSpansOptions, PricedSpan, PricingSpan, ProcessorStats, ToolCallEvent } from './types.js';
import { providerId, readCall, sameUsage } from './usage.js';
import type { GenAICall, NormalisedUsage, UnpricedReason, UsageReadOptions } from './usage.js';
import { VERSION } from './version.js';

/** Distinct model names warned about; past it, unknown models are only counted. */
const WARN_LIMIT = 1_000;

/**
 * Per-span state kept on the span object itself. Symbol-keyed fields, not WeakMaps: measured in
 * V8, a WeakMap set per span costs about 0.8 µs, a field about 0.05 µs.
 */
const PENDING_ATTRIBUTION = Symbol('genai-cost attribution');
const MODEL_CALL = Symbol('genai-cost model call');
const PRICING_HINTS = Symbol('genai-cost pricing hints');
type WithState = PricingSpan & {
  [PENDING_ATTRIBUTION]?: Readonly<Attribution>;
  [MODEL_CALL]?: ModelCallEntry;
  [PRICING_HINTS]?: Readonly<PricingHints>;
  [ATTRIBUTE_KEYS_STAMP]?: Readonly<Record<AttributionField, string>>;
};
/** Usage of no tokens, held by the reused price request between calls. */
const NO_USAGE = Object.freeze({ inputTokens: 0, outputTokens: 0 });

/**
 * The pricing of GenAI spans, shared by `GenAICostSpanProcessor` (spans of this process, as they
 * start and end) and by receivers of spans that ended elsewhere (`priceEndedSpans`): classification,
 * usage reading, the wrapper and duplicate rules, preset-cost checks, the attributes written and
 * the counters are the same code on both paths.
 */
export class GenAICostPricer {
  private readonly options: ResolvedProcessorOptions;
  private readonly pseudonymizer: Pseudonymizer | undefined;
  private readonly readOptions: UsageReadOptions;
  private readonly open: OpenModelCalls;
  private readonly warned = new Set<string>();
  private readonly stats: ProcessorStats = {
    pricedSpans: 0,
    keptExistingCost: 0,
    unpricedSpans: { missing_model: 0, no_usage: 0, invalid_usage: 0, unknown_model: 0 },
    wrapperSpans: 0,
    duplicateSpans: 0,
    invalidPresetCosts: 0,
    incompleteUsageSpans: { cache_read: 0, cache_write_ttl: 0 },
    internalErrors: 0,
  };
  private readonly pricedCounter: Counter;
  private readonly unpricedCounter: Counter;
  private readonly duplicateCounter: Counter;
  private readonly errorCounter: Counter;
  /** One request object reused for every call (`priceUsage` keeps no reference): no allocation per span. */
  private readonly request: PriceRequest = { model: '', provider: undefined, at: 0, usage: NO_USAGE, serviceTier: undefined, region: undefined, requests: undefined };

  /** Throws `GenAICostConfigError` or `PricingError` for invalid options: at setup, never later. */
  constructor(options: GenAICostSpanProcessorOptions = {}) {
    this.options = resolveProcessorOptions(options);
    const key = this.options.userIdHmacKey;
    this.pseudonymizer = key === undefined ? undefined : new Pseudonymizer(key);
    this.readOptions = { inputExcludesCacheScopes: this.options.inputExcludesCacheScopes, maxTokens: this.options.maxTokensPerSpan };
    this.open = new OpenModelCalls(this.options.maxOpenModelSpans, this.options.maxOpenModelSpanAgeMs);
    const meter = metrics.getMeter('@genai-cost/otel', VERSION);
    this.pricedCounter = meter.createCounter('genai_cost.spans.priced', { description: 'GenAI model-call spans given a USD cost' });
    this.unpricedCounter = meter.createCounter('genai_cost.spans.unpriced', { description: 'GenAI model-call spans left without a cost, by reason' });
    this.duplicateCounter = meter.createCounter('genai_cost.spans.duplicate', {
      description: 'Model-call spans not priced because another span of the same call is',
    });
    this.errorCounter = meter.createCounter('genai_cost.processor.errors', { description: 'Unexpected failures inside the genai-cost span processor' });
  }

  /**
   * A span of this process started: keeps its attribution and the pricing hints of `parentContext`
   * (`withPricing`) until it ends and, when it is a model call, registers it for the duplicate
   * rule, with its parent from `parentContext`. Never throws.
   */
  spanStarted(span: PricingSpan, attribution: Readonly<Attribution> | undefined, parentContext?: Context): void {
    try {
      if (attribution !== undefined) (span as WithState)[PENDING_ATTRIBUTION] = attribution;
      const hints = parentContext === undefined ? undefined : getPricing(parentContext);
      if (hints !== undefined) (span as WithState)[PRICING_HINTS] = hints;
      const attrs = span.attributes;
      if (!mayBeGenAI(attrs) || classify(attrs, span.kind) !== 'inference') return;
      const parent = parentContext === undefined ? undefined : this.openParent(parentContext, span.parentSpanContext?.spanId);
      (span as WithState)[MODEL_CALL] = this.open.add(span.spanContext().spanId, span.parentSpanContext?.spanId, hrMs(span.startTime), parent);
    } catch (err) {
      this.internalError(err);
    }
  }

  /**
   * The entry of a model call's parent span. A parent can be a model call that got its attributes
   * just after it started (OpenInference's tracer starts spans bare, then sets them), so it is
   * classified again now and registered late. OpenInference also puts a wrapper in the context
   * that holds the SDK span in its `span` field.
   */
  private openParent(ctx: Context, parentSpanId: string | undefined): ModelCallEntry | undefined {
    let candidate: unknown = trace.getSpan(ctx);
    if (candidate !== undefined && (candidate as Partial<PricingSpan>).attributes === undefined) candidate = (candidate as { span?: unknown }).span;
    const parent = candidate as WithState | undefined;
    if (parent?.attributes === undefined || typeof parent.spanContext !== 'function' || parent.startTime === undefined) return undefined;
    if (parent.spanContext().spanId !== parentSpanId) return undefined;
    const known = parent[MODEL_CALL];
    if (known !== undefined) return known;
    if (!mayBeGenAI(parent.attributes) || classify(parent.attributes, parent.kind) !== 'inference') return undefined;
    return (parent[MODEL_CALL] = this.open.add(parentSpanId, parent.parentSpanContext?.spanId, hrMs(parent.startTime)));
  }

  /** A span of this process is ending and still writable: writes attribution, role and cost. Never throws. */
  spanEnding(span: PricingSpan): void {
    try {
      this.process(span, (span as WithState)[PENDING_ATTRIBUTION], this.open, undefined);
    } catch (err) {
      this.internalError(err);
    }
  }

  /**
   * Prices spans that ended elsewhere (received over OTLP, read from a file) exactly as the
   * processor prices spans of this process: the spans are registered together, then processed in
   * end-time order, so the duplicate rule holds between spans of the same batch (send a trace's
   * spans in one batch). Writes the same attributes, counts the same stats, calls `onSpanCost`,
   * and returns one result per span in the given order. Never throws; a span that fails is
   * counted in `internalErrors` and returned with role undefined.
   */
  priceEndedSpans(spans: readonly PricingSpan[], options: PriceEndedSpansOptions = {}): PricedSpan[] {
    const batch = new OpenModelCalls(Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY);
    const results: PricedSpan[] = spans.map((span) => ({ span, role: undefined }));
    const order: number[] = [];
    const known = options.knownDuplicate;
    let duplicates: Set<PricingSpan> | undefined;
    for (let i = 0; i < spans.length; i++) {
      const span = spans[i]!;
      try {
        order.push(i);
        if (classify(span.attributes, span.kind) === 'inference') {
          if (known?.(span) === true) (duplicates ??= new Set()).add(span);
          else (span as WithState)[MODEL_CALL] = batch.add(span.spanContext().spanId, span.parentSpanContext?.spanId, hrMs(span.startTime));
        }
      } catch (err) {
        this.internalError(err);
      }
    }
    batch.linkAll();
    order.sort((a, b) => hrMs(spans[a]!.endTime) - hrMs(spans[b]!.endTime) || a - b);
    for (const i of order) {
      const span = spans[i]!;
      try {
        const attribution = options.attribution?.(span);
        this.process(span, attribution, batch, results[i]!, attribution === undefined, duplicates?.has(span) === true);
      } catch (err) {
        this.internalError(err);
      }
    }
    return results;
  }

  /** The user id as this pricer writes it and ClickHouse stores it: the pseudonym with `userIdHmacKey`, else `userId` itself. */
  storedUserId(userId: string): string {
    return this.pseudonymizer === undefined ? userId : this.pseudonymizer.pseudonym(userId);
  }

  /** A copy of the counters kept since construction. */
  getStats(): ProcessorStats {
    return {
      ...this.stats,
      unpricedSpans: { ...this.stats.unpricedSpans },
      incompleteUsageSpans: { ...this.stats.incompleteUsageSpans },
    };
  }

  private process(
    span: PricingSpan,
    attribution: Readonly<Attribution> | undefined,
    open: OpenModelCalls,
    out: PricedSpan | undefined,
    readBack = false,
    knownDuplicate = false,
  ): void {
    const attrs = span.attributes;
    const role = mayBeGenAI(attrs) ? classify(attrs, span.kind) : undefined;
    if (role === undefined) {
      if (attribution !== undefined && this.options.attributeAllSpans) this.writeAttribution(span, attribution);
      return;
    }
    if (out !== undefined) out.role = role;
    // Every GenAI span is stamped, so an exporter reads what the app set itself under these keys too.
    if (attribution !== undefined) this.writeAttribution(span, attribution);
    else (span as WithState)[ATTRIBUTE_KEYS_STAMP] = this.options.attributeKeys;
    if (role === 'wrapper') {
      span.setAttribute(sc.ATTR_SPAN_ROLE, role);
      this.stats.wrapperSpans++;
      return;
    }
    if (role !== 'inference') {
      if (this.options.onToolCall !== undefined) this.toolCall(span, attribution, this.options.onToolCall);
      return;
    }
    if (knownDuplicate) return this.duplicate(span, out);
    const own = readCall(attrs, 'inference', span.instrumentationScope.name, this.readOptions);
    let call = own;
    const entry = (span as WithState)[MODEL_CALL];
    if (entry !== undefined) {
      const settled = open.end(entry, own);
      if (settled === DUPLICATE) return this.duplicate(span, out);
      if (settled !== undefined) call = mergeCalls(own, settled);
    }
    this.price(span, call, own, readBack ? this.readAttribution(attrs) : attribution, out);
  }

  private duplicate(span: PricingSpan, out: PricedSpan | undefined): void {
    span.setAttribute(sc.ATTR_SPAN_ROLE, 'duplicate');
    this.stats.duplicateSpans++;
    this.duplicateCounter.add(1);
    if (out !== undefined) out.role = 'duplicate';
  }

  private price(span: PricingSpan, call: GenAICall, own: GenAICall, attribution: Readonly<Attribution> | undefined, out: PricedSpan | undefined): void {
    const attrs = span.attributes;
    const startTimeMs = hrMs(span.startTime);
    const hints = (span as WithState)[PRICING_HINTS];
    const serviceTier = call.serviceTier ?? hints?.serviceTier;
    const region = call.region ?? hints?.region;
    if (call.provider !== undefined) span.setAttribute(sc.ATTR_PROVIDER, providerId(call.provider));
    if (serviceTier !== undefined) span.setAttribute(sc.ATTR_SERVICE_TIER, serviceTier);
    // Only where the span's own attributes do not already say it, so the row mapper finds it.
    if (region !== undefined && region !== own.region) span.setAttribute(sc.ATTR_REGION, region);

    const existing = attrs[sc.GEN_AI_USAGE_COST];
    if (existing !== undefined && !this.options.overrideExistingCost) {
      if (typeof existing === 'number' && existing >= 0 && existing <= this.options.maxCostPerSpanUsd) {
        span.setAttribute(sc.ATTR_PRICE_ID, 'span');
        this.stats.keptExistingCost++;
        if (out !== undefined) setResult(out, existing, 'span');
        this.emit(span, attribution, existing, 'span', call.model, startTimeMs);
        return;
      }
      span.setAttribute(sc.ATTR_INVALID_COST, true);
      this.stats.invalidPresetCosts++;
      this.warnOnce('invalid_cost', `genai-cost: a span arrived with an invalid ${sc.GEN_AI_USAGE_COST} (not finite, negative or above maxCostPerSpanUsd); it is flagged ${sc.ATTR_INVALID_COST} and priced from its tokens where possible.`);
    }
    if (call.problem !== undefined) return this.unpriced(span, call.problem, call, out);

    const usage = call.usage!;
    const write1h = usage.cacheWrite1hTokens ?? (this.options.cacheWriteTtl === '1h' ? usage.cacheWriteTokens : 0);
    const request = this.request;
    request.model = call.model!;
    request.provider = call.provider;
    request.at = startTimeMs;
    request.usage = write1h === (usage.cacheWrite1hTokens ?? 0) ? usage : { ...usage, cacheWrite1hTokens: write1h };
    request.serviceTier = serviceTier;
    request.region = region;
    request.requests = usage.webSearchRequests > 0 ? { web_search: usage.webSearchRequests } : undefined;
    const priced = priceUsage(this.options.catalog, request);
    request.usage = NO_USAGE;
    if (priced === undefined) return this.unpriced(span, 'unknown_model', call, out);
    const cost = priced.cost;
    if (!(cost.totalUsd >= 0 && cost.totalUsd <= this.options.maxCostPerSpanUsd)) return this.unpriced(span, 'invalid_usage', call, out);
    writeCost(span, cost, priced.priceId);
    if (priced.ignored.length > 0) {
      this.warnOnce(
        `ignored:${priced.model.id}:${priced.ignored.join(',')}`,
        `genai-cost: ${priced.model.id} has no price for ${priced.ignored.join(', ')}; such calls are priced at its standard rates.`,
      );
    }
    const decidedSplit = usage.cacheWrite1hTokens === undefined && write1h > 0;
    if (decidedSplit || own.usage === undefined || !sameUsage(own.usage, usage)) writeUsage(span, usage, write1h);
    const incomplete = this.incompleteDetail(span, usage, priced.rates);
    if (incomplete !== undefined) {
      span.setAttribute(sc.ATTR_USAGE_INCOMPLETE, incomplete);
      this.stats.incompleteUsageSpans[incomplete]++;
    }
    this.stats.pricedSpans++;
    this.pricedCounter.add(1);
    if (out !== undefined) setResult(out, cost.totalUsd, priced.priceId);
    this.emit(span, attribution, cost.totalUsd, priced.model.id, call.model, startTimeMs);
  }

  /** A usage detail that changes this call's price and that its span did not give. */
  private incompleteDetail(span: PricingSpan, usage: NormalisedUsage, rates: Rates): IncompleteUsage | undefined {
    if (!usage.cacheReadReported && rates.cacheRead !== rates.input) {
      const scope = span.instrumentationScope.name;
      for (const s of this.options.dropsCachedTokensScopes) if (scope.startsWith(s)) return 'cache_read';
    }
    if (usage.cacheWriteTokens > 0 && usage.cacheWrite1hTokens === undefined && rates.cacheWrite1h !== rates.cacheWrite) return 'cache_write_ttl';
    return undefined;
  }

  private writeAttribution(span: PricingSpan, a: Readonly<Attribution>): void {
    const keys = this.options.attributeKeys;
    (span as WithState)[ATTRIBUTE_KEYS_STAMP] = keys;
    if (a.userId !== undefined) span.setAttribute(keys.userId, this.storedUserId(a.userId));
    if (a.tier !== undefined) span.setAttribute(keys.tier, a.tier);
    if (a.feature !== undefined) span.setAttribute(keys.feature, a.feature);
    if (a.sessionId !== undefined) span.setAttribute(keys.sessionId, a.sessionId);
    if (a.tenantId !== undefined) span.setAttribute(keys.tenantId, a.tenantId);
    const tags = a.tags;
    if (tags !== undefined) {
      for (const key in tags) {
        const value = tags[key];
        if (typeof value === 'string') span.setAttribute(TAG_ATTRIBUTE_PREFIX + key, value);
      }
    }
  }

  /** Attribution an app wrote on its spans itself, under the configured keys and `saas.tag.<key>`. */
  private readAttribution(attrs: PricingSpan['attributes']): Readonly<Attribution> {
    const out: Attribution = {};
    for (const field of ATTRIBUTION_FIELDS) {
      const v = attrs[this.options.attributeKeys[field]];
      if (typeof v === 'string' && v !== '') out[field] = v;
    }
    let tags: Record<string, unknown> | undefined;
    for (const key in attrs) if (key.startsWith(TAG_ATTRIBUTE_PREFIX)) (tags ??= {})[key.slice(TAG_ATTRIBUTE_PREFIX.length)] = attrs[key];
    if (tags !== undefined) out.tags = mergeTags(undefined, tags);
    return out;
  }

  private emit(span: PricingSpan, attribution: Readonly<Attribution> | undefined, costUsd: number, priceId: string, model: string | undefined, startTimeMs: number): void {
    const listener = this.options.onSpanCost;
    if (listener === undefined) return;
    try {
      listener({ spanContext: span.spanContext(), attribution: attribution ?? {}, storedUserId: this.writtenUserId(span), costUsd, priceId, model, startTimeMs });
    } catch (err) {
      this.internalError(err, 'onSpanCost listener threw');
    }
  }

  private toolCall(span: PricingSpan, attribution: Readonly<Attribution> | undefined, listener: (e: ToolCallEvent) => void): void {
    const call = readToolCall(span.attributes);
    if (call === undefined) return;
    try {
      listener({ spanContext: span.spanContext(), attribution: attribution ?? {}, storedUserId: this.writtenUserId(span), ...call, startTimeMs: hrMs(span.startTime) });
    } catch (err) {
      this.internalError(err, 'onToolCall listener threw');
    }
  }

  /** The user id on the span as it will be stored: what this pricer wrote, or what the app set. */
  private writtenUserId(span: PricingSpan): string | undefined {
    const v = span.attributes[this.options.attributeKeys.userId];
    return typeof v === 'string' && v !== '' ? v : undefined;
  }

  private unpriced(span: PricingSpan, reason: UnpricedReason, call: GenAICall, out: PricedSpan | undefined): void {
    span.setAttribute(sc.ATTR_UNPRICED, true);
    span.setAttribute(sc.ATTR_UNPRICED_REASON, reason);
    this.stats.unpricedSpans[reason]++;
    this.unpricedCounter.add(1, { reason });
    if (out !== undefined) out.unpricedReason = reason;
    const what = reason === 'unknown_model' ? `${reason}:${call.model ?? ''}` : reason;
    this.warnOnce(
      what,
      reason === 'unknown_model'
        ? `genai-cost: no price for model "${call.model}" (provider "${call.provider ?? 'unknown'}"); its spans are flagged ${sc.ATTR_UNPRICED}. Add a price with the "prices" or "priceFile" option.`
        : `genai-cost: a GenAI span could not be priced (${reason}); such spans are flagged ${sc.ATTR_UNPRICED} and counted.`,
    );
  }

  private warnOnce(what: string, message: string): void {
    if (this.warned.size >= WARN_LIMIT || this.warned.has(what)) return;
    this.warned.add(what);
    diag.warn(message);
  }

  /** Counts an unexpected failure and logs the first of each kind. */
  internalError(err: unknown, what = 'internal error'): void {
    this.stats.internalErrors++;
    this.errorCounter.add(1);
    if (!this.warned.has(`error:${what}`)) {
      this.warned.add(`error:${what}`);
      diag.error(`genai-cost span processor: ${what}; the span is left unpriced. Further errors are only counted.`, err);
    }
  }
}

/** Epoch milliseconds of an HrTime. */
function hrMs(t: readonly [number, number]): number {
  return t[0] * 1000 + t[1] / 1e6;
}

function setResult(out: PricedSpan, costUsd: number, priceId: string): void {
  out.costUsd = costUsd;
  out.priceId = priceId;
}
