import { SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTE_KEYS } from '@genai-cost/otel';
import { AttributionReader } from './attribution.js';
import { RecentModelCalls } from './RecentModelCalls.js';
import { RequestPricer } from './RequestPricer.js';
import { CHAT, TEST_CATALOG, receivedSpan } from './test-support/spans.js';

const attribution = new AttributionReader({ attributeKeys: DEFAULT_ATTRIBUTE_KEYS, extraAttributeKeys: {}, headerKeys: {} });
const pricer = (options: { keepAllSpans?: boolean; hmac?: string; recent?: boolean } = {}) =>
  new RequestPricer({
    pricing: { catalog: TEST_CATALOG, attributeKeys: DEFAULT_ATTRIBUTE_KEYS, ...(options.hmac === undefined ? {} : { userIdHmacKey: options.hmac }) },
    attribution,
    keepAllSpans: options.keepAllSpans ?? false,
    recent: options.recent === false ? undefined : new RecentModelCalls(1_000, 60_000),
  });

/** OpenInference's LLM span (INTERNAL, llm.* counts) over the SDK's own span of the same call. */
const OUTER: Attributes = { 'openinference.span.kind': 'LLM', 'llm.provider': 'openai', 'llm.model_name': 'gpt-test', 'llm.token_count.prompt': 1000, 'llm.token_count.completion': 100 };
const INNER: Attributes = CHAT;
const TRACE = 'a'.repeat(32);
/** The two spans of one call: the inner one ends first, as in-process. */
function call(n: number, attrs: Attributes = {}) {
  const outerId = `${n}`.padStart(16, 'b');
  const outer = receivedSpan({ ...OUTER, ...attrs }, { traceId: TRACE, spanId: outerId, kind: SpanKind.INTERNAL, endTime: [1_767_225_602, 0] });
  const inner = receivedSpan({ ...INNER, ...attrs }, { traceId: TRACE, spanId: `${n}`.padStart(16, 'c'), parentSpanId: outerId, endTime: [1_767_225_601, 0] });
  return { outer, inner };
}
const role = (s: { attributes: Attributes }) => s.attributes['genai_cost.span.role'];
const cost = (s: { attributes: Attributes }) => s.attributes['gen_ai.usage.cost'];

describe('RequestPricer', () => {
  it('prices model calls with the processor\'s code and writes the attribution it read', () => {
    const span = receivedSpan({ ...CHAT, 'langfuse.user.id': 'u1' });
    const priced = pricer().price([span], { tier: 'pro' });
    expect(priced).toMatchObject({ kept: [span], dropped: 0, priced: 1, unpriced: 0, lateDuplicates: 0 });
    expect(span.attributes).toMatchObject({ 'gen_ai.usage.cost': 0.0028, 'user.id': 'u1', 'saas.tier': 'pro', 'genai_cost.provider': 'openai', 'genai_cost.price.id': expect.stringMatching(/^openai\/gpt-test@/) });
  });

  it('keeps a cost that came with the span, flags an unknown model, and does not price an agent wrapper', () => {
    const withCost = receivedSpan({ ...CHAT, 'gen_ai.usage.cost': 0.5 });
    const tooCostly = receivedSpan({ ...CHAT, 'gen_ai.usage.cost': 5_000 });
    const unknown = receivedSpan({ ...CHAT, 'gen_ai.request.model': 'no-such-model' });
    const wrapper = receivedSpan({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 5000 }, { kind: SpanKind.INTERNAL });
    const priced = pricer().price([withCost, tooCostly, unknown, wrapper], undefined);
    expect(priced).toMatchObject({ dropped: 0, priced: 2, unpriced: 1 });
    expect(withCost.attributes).toMatchObject({ 'gen_ai.usage.cost': 0.5, 'genai_cost.price.id': 'span' });
    // Above the sanity ceiling: flagged, and priced from its tokens.
    expect(tooCostly.attributes).toMatchObject({ 'genai_cost.invalid_cost': true, 'gen_ai.usage.cost': 0.0028 });
    expect(unknown.attributes).toMatchObject({ 'genai_cost.unpriced': true, 'genai_cost.unpriced.reason': 'unknown_model' });
    expect(role(wrapper)).toBe('wrapper');
    expect(cost(wrapper)).toBeUndefined();
  });

  it('drops non-GenAI spans unless all are kept, and then attributes them too', () => {
    const http = () => receivedSpan({ 'http.route': '/x', 'user.id': 'u2' }, { kind: SpanKind.SERVER });
    expect(pricer().price([http()], undefined)).toMatchObject({ kept: [], dropped: 1 });
    const kept = http();
    expect(pricer({ keepAllSpans: true }).price([kept], { tenantId: 't1' })).toMatchObject({ kept: [kept], dropped: 0 });
    expect(kept.attributes).toMatchObject({ 'user.id': 'u2', 'saas.tenant.id': 't1' });
  });

  it('prices the two spans of one call sent together once, the other marked duplicate', () => {
    const { outer, inner } = call(1);
    const priced = pricer().price([outer, inner], { userId: 'u3' });
    expect(priced).toMatchObject({ priced: 1, lateDuplicates: 0 });
    expect([role(inner), cost(outer)]).toEqual(['duplicate', 0.0028]);
    expect([inner.attributes['user.id'], outer.attributes['user.id']]).toEqual(['u3', 'u3']);
  });

  it.each(['inner', 'outer'] as const)('marks the span of a call whose %s span came in an earlier request a duplicate, attributed', (first) => {
    const p = pricer({ hmac: 'a-key-of-sixteen-bytes' });
    const { outer, inner } = call(2, { 'user.id': 'alice' });
    const [early, late] = first === 'inner' ? [inner, outer] : [outer, inner];
    expect(p.price([early], undefined)).toMatchObject({ priced: 1, lateDuplicates: 0 });
    const priced = p.price([late], undefined);
    expect(priced).toMatchObject({ kept: [late], priced: 0, unpriced: 0, lateDuplicates: 1 });
    expect([role(late), cost(late), cost(early)]).toEqual(['duplicate', undefined, 0.0028]);
    // Attributed as a duplicate within a request is: the user id pseudonymised, never stored raw.
    expect(late.attributes['user.id']).toMatch(/^[0-9a-f]{64}$/);
    expect(late.attributes['user.id']).toBe(early.attributes['user.id']);
    expect(p.getStats()).toMatchObject({ pricedSpans: 1, duplicateSpans: 1 });
  });

  it('prices a request sent again as the first time, and forgets a refused one', () => {
    const p = pricer();
    const { outer, inner } = call(3);
    const first = p.price([inner], undefined);
    expect(first.remembered).toEqual([inner.spanContext().spanId]);
    const again = call(3).inner;
    expect(p.price([again], undefined)).toMatchObject({ priced: 1, lateDuplicates: 0, remembered: [] });
    p.forget(first);
    expect(p.price([outer], undefined)).toMatchObject({ priced: 1, lateDuplicates: 0 });
  });

  it('lets the other span of a call price it when the first lacked usage, and is off without a memory', () => {
    const p = pricer();
    const { outer, inner } = call(4);
    delete inner.attributes['gen_ai.usage.input_tokens'];
    delete inner.attributes['gen_ai.usage.output_tokens'];
    expect(p.price([inner], undefined)).toMatchObject({ priced: 0, unpriced: 1, remembered: [] });
    expect(p.price([outer], undefined)).toMatchObject({ priced: 1, lateDuplicates: 0 });
    const apart = call(5);
    const q = pricer({ recent: false });
    expect([q.price([apart.inner], undefined).priced, q.price([apart.outer], undefined).priced]).toEqual([1, 1]);
  });
});
