import type { AttributeValue, Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import * as sc from '@genai-cost/otel';
import { MAX_COST_CEILING_USD, MAX_TAGS, TAG_ATTRIBUTE_PREFIX, classify, isTagKey, isTagValue, providerId, readCall, stampedAttributeKeys } from '@genai-cost/otel';
import type { AttributionField, GenAISpanRole, UsageReadOptions } from '@genai-cost/otel';
import type { SpanRow } from './tables.js';

const SPAN_KINDS = ['Internal', 'Server', 'Client', 'Producer', 'Consumer'];
const STATUS_CODES = ['Unset', 'Ok', 'Error'];

/** Whether the exporter stores `span` when only GenAI spans are wanted. */
export function isGenAISpan(span: ReadableSpan): boolean {
  const a = span.attributes;
  return a[sc.ATTR_SPAN_ROLE] !== undefined || a[sc.GEN_AI_USAGE_COST] !== undefined || a[sc.ATTR_UNPRICED] !== undefined;
}

/** How the mapper reads usage: the same as the processor, so tokens agree with the cost. */
export interface SpanRowMapperOptions {
  /** Keys of spans that no processor of this process stamped with its own (see `ATTRIBUTE_KEYS_STAMP`). */
  attributeKeys: Readonly<Record<AttributionField, string>>;
  inputExcludesCacheScopes: readonly string[];
  maxTokensPerSpan: number;
}

/**
 * Maps spans to rows of `genai_spans`. The processor writes cost, price and attribution but not the
 * normalised usage (each attribute costs the traced request time), so the mapper reads model,
 * provider and tokens with the processor's own normaliser (`readCall`), off the request path; where
 * the processor priced a span with usage its own counts lack (merged from a duplicate), it wrote
 * `genai_cost.usage.*`, which `readCall` prefers, so stored tokens match the stored cost. The
 * billing details `reprice` needs beside the tokens come the same way: the service tier and region
 * the processor priced with (`genai_cost.service_tier`, `genai_cost.region`, which it writes where
 * they came from context), the audio and image parts and the web searches.
 * Attributes held by typed columns are left out of SpanAttributes; the raw provider name stays
 * there, Provider holds the canonical id. Attribution is read under the keys the processor of this
 * process stamped on the span, so the two cannot disagree, and under `attributeKeys` where the
 * processor wrote nothing (spans from elsewhere, values the app set itself). Only a model call can be priced: a wrapper (agent,
 * workflow) or duplicate span is stored with CostUsd 0, Priced false, no tokens and its role and
 * operation, for the trace view, and every query reads `SpanRole = 'inference'`, so neither its
 * cost nor its usage is counted twice.
 */
export class SpanRowMapper {
  private readonly keys: Readonly<Record<AttributionField, string>>;
  private readonly usageOptions: UsageReadOptions;
  /** Attributes always copied into typed columns. */
  private readonly typed: ReadonlySet<string>;
  /** Processor keys other than ours, met on stamped spans. */
  private readonly otherKeys = new WeakMap<object, ReadonlySet<string>>();
  private readonly serviceNames = new WeakMap<object, string>();

  constructor(options: SpanRowMapperOptions) {
    this.keys = options.attributeKeys;
    this.usageOptions = { inputExcludesCacheScopes: options.inputExcludesCacheScopes, maxTokens: options.maxTokensPerSpan };
    this.typed = new Set([
      ...Object.values(options.attributeKeys),
      sc.ATTR_SPAN_ROLE,
      sc.ATTR_PRICE_ID,
      sc.ATTR_UNPRICED,
      sc.ATTR_UNPRICED_REASON,
      sc.ATTR_PROVIDER,
      sc.ATTR_SERVICE_TIER,
      sc.ATTR_REGION,
      sc.ATTR_USAGE_INCOMPLETE,
      sc.GEN_AI_OPERATION_NAME,
      sc.GEN_AI_REQUEST_MODEL,
      sc.GEN_AI_RESPONSE_MODEL,
    ]);
  }

  /** The row of one span. */
  row(span: ReadableSpan): SpanRow {
    const a = span.attributes;
    const unpriced = a[sc.ATTR_UNPRICED] === true;
    const cost = a[sc.GEN_AI_USAGE_COST];
    // A cost or an unpriced flag marks a model call even where no known convention does.
    const role =
      text(a[sc.ATTR_SPAN_ROLE]) || classify(a, span.kind) || (typeof cost === 'number' || unpriced ? 'inference' : '');
    const isCall = role === 'inference';
    const call = role === '' ? undefined : readCall(a, role as GenAISpanRole, span.instrumentationScope.name, this.usageOptions);
    const usage = isCall ? call?.usage : undefined;
    // The column holds 8 integer digits: a cost the processor did not vouch for is never trusted past that.
    const costUsd = isCall && !unpriced && typeof cost === 'number' && cost >= 0 && cost <= MAX_COST_CEILING_USD ? cost : undefined;
    const priced = costUsd !== undefined;
    const ctx = span.spanContext();
    const keys = stampedAttributeKeys(span) ?? this.keys;
    const tags: Record<string, string> = {};
    const attributes = this.rest(a, priced, keys, tags);
    return {
      Timestamp: `${span.startTime[0]}.${String(span.startTime[1]).padStart(9, '0')}`,
      TraceId: ctx.traceId,
      SpanId: ctx.spanId,
      ParentSpanId: span.parentSpanContext?.spanId ?? '',
      ServiceName: this.serviceName(span),
      SpanName: span.name,
      SpanKind: SPAN_KINDS[span.kind] ?? '',
      ScopeName: span.instrumentationScope.name,
      SpanRole: role,
      UserId: this.attribution(a, keys, 'userId'),
      SessionId: this.attribution(a, keys, 'sessionId'),
      TenantId: this.attribution(a, keys, 'tenantId'),
      Tier: this.attribution(a, keys, 'tier'),
      Feature: this.attribution(a, keys, 'feature'),
      Tags: tags,
      Provider: text(a[sc.ATTR_PROVIDER]) || (call?.provider === undefined ? '' : providerId(call.provider)),
      Operation: text(a[sc.GEN_AI_OPERATION_NAME]) || text(a[sc.AI_OPERATION_ID]) || text(a[sc.OPENINFERENCE_SPAN_KIND]),
      RequestModel: text(a[sc.GEN_AI_REQUEST_MODEL]),
      ResponseModel: text(a[sc.GEN_AI_RESPONSE_MODEL]),
      Model: call?.model ?? '',
      ServiceTier: text(a[sc.ATTR_SERVICE_TIER]) || (call?.serviceTier ?? ''),
      Region: isCall ? (call?.region ?? '') : '',
      InputTokens: usage?.inputTokens ?? 0,
      OutputTokens: usage?.outputTokens ?? 0,
      CacheReadTokens: usage?.cacheReadTokens ?? 0,
      CacheWriteTokens: usage?.cacheWriteTokens ?? 0,
      CacheWrite1hTokens: usage?.cacheWrite1hTokens ?? 0,
      ReasoningTokens: usage?.reasoningTokens ?? 0,
      AudioInputTokens: usage?.audioInputTokens ?? 0,
      AudioOutputTokens: usage?.audioOutputTokens ?? 0,
      ImageInputTokens: usage?.imageInputTokens ?? 0,
      ImageOutputTokens: usage?.imageOutputTokens ?? 0,
      WebSearchRequests: usage?.webSearchRequests ?? 0,
      CostUsd: costUsd === undefined ? 0 : toScale(costUsd),
      Priced: priced,
      UnpricedReason: isCall && !priced ? text(a[sc.ATTR_UNPRICED_REASON]) : '',
      PriceId: priced ? text(a[sc.ATTR_PRICE_ID]) : '',
      UsageIncomplete: priced ? text(a[sc.ATTR_USAGE_INCOMPLETE]) : '',
      DurationNs: span.duration[0] * 1e9 + span.duration[1],
      StatusCode: STATUS_CODES[span.status.code] ?? '',
      StatusMessage: span.status.message ?? '',
      SpanAttributes: attributes,
    };
  }

  /**
   * The attributes no typed column holds. Valid `saas.tag.<key>` attributes (from `withAttribution`
   * or set by apps in other languages) go to `tags` instead, up to MAX_TAGS; a tag that breaks the
   * key or value rule stays in SpanAttributes, so nothing is lost.
   */
  private rest(a: Attributes, costInColumn: boolean, keys: Readonly<Record<AttributionField, string>>, tags: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    const other = keys === this.keys ? undefined : this.keysOf(keys);
    let tagCount = 0;
    for (const key in a) {
      if (this.typed.has(key) || other?.has(key) === true || (costInColumn && key === sc.GEN_AI_USAGE_COST)) continue;
      if (key.startsWith(TAG_ATTRIBUTE_PREFIX) && tagCount < MAX_TAGS) {
        const name = key.slice(TAG_ATTRIBUTE_PREFIX.length);
        const value = a[key];
        if (isTagKey(name) && isTagValue(value)) {
          tags[name] = value;
          tagCount++;
          continue;
        }
      }
      const v = a[key];
      if (v !== undefined) out[key] = typeof v === 'string' ? v : stringify(v);
    }
    return out;
  }

  /** What the stamping processor wrote, else what the span carries under our own key. */
  private attribution(a: Attributes, keys: Readonly<Record<AttributionField, string>>, field: AttributionField): string {
    const value = text(a[keys[field]]);
    return value !== '' || keys === this.keys ? value : text(a[this.keys[field]]);
  }

  private keysOf(keys: Readonly<Record<AttributionField, string>>): ReadonlySet<string> {
    let set = this.otherKeys.get(keys);
    if (set === undefined) this.otherKeys.set(keys, (set = new Set(Object.values(keys))));
    return set;
  }

  private serviceName(span: ReadableSpan): string {
    let name = this.serviceNames.get(span.resource);
    if (name === undefined) {
      name = text(span.resource.attributes['service.name']);
      this.serviceNames.set(span.resource, name);
    }
    return name;
  }
}

function text(v: AttributeValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

/**
 * Rounded to the column's 10 decimals: ClickHouse truncates extra digits, which would turn float
 * noise such as 2.0999999999999996 into 2.0999999999 instead of 2.1.
 */
function toScale(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}

function stringify(v: AttributeValue): string {
  return Array.isArray(v) ? JSON.stringify(v) : String(v);
}
