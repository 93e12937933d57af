import { SpanKind } from '@opentelemetry/api';
import type { Attributes, TimeInput } from '@opentelemetry/api';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAttribution } from '@genai-cost/otel';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import { TestChdb } from './test-support/chdb.js';
import { CHAT_ATTRS, createTestTracing } from './test-support/tracing.js';
import { seededRandom } from './test-support/random.js';

let ch: TestChdb;
beforeAll(() => {
  ch = new TestChdb();
});
afterAll(async () => {
  await ch.close();
});

const HOSTILE = [
  'half an emoji \ud83d',
  '\udc00 lone low surrogate',
  "quote ' and \" and back\\slash",
  "'); DROP TABLE genai_spans; --",
  'new\nline\r\ttab',
  'nul \u0000 byte and bell \u0007',
  'line separator \u2028 paragraph \u2029',
  'emoji 🧪 and CJK 漢字 and RTL \u202e',
  'x'.repeat(20_000),
  '',
];

const BAD_NUMBERS = [1e8, 1e300, 123_456_789.5];
const ODD_NUMBERS = [-5, Number.NaN, Number.POSITIVE_INFINITY, 1e-12, 0];
const BAD_TIMES: TimeInput[] = [-86_400_000, 1e16, Date.UTC(2200, 0, 1), [-5, 0]];

/** Where the exporter must put a span: a valid row lands, a span with an unstorable cost or time is dead-lettered. */
function expectedBad(span: ReadableSpan): boolean {
  const cost = span.attributes['gen_ai.usage.cost'];
  const [seconds, nanos] = span.startTime;
  const badTime = !(Number.isInteger(seconds) && seconds >= 0 && seconds <= 4_294_967_295 && Number.isInteger(nanos) && nanos >= 0 && nanos < 1e9);
  return badTime || (typeof cost === 'number' && Number.isFinite(cost) && cost >= 1e8);
}

describe('poison spans into chDB', () => {
  it('stores every valid row of 10,000 fuzzed spans, dead-letters every bad one, and the counters add up', async () => {
    const db = await ch.database();
    const exporter = new ClickHouseSpanExporter({ client: ch.client, database: db, maxQueueBytes: 256 * 1024 * 1024 });
    const t = createTestTracing([new BatchSpanProcessor(exporter, { maxExportBatchSize: 2_000, maxQueueSize: 20_000 })]);
    const tracer = t.provider.getTracer('fuzz');
    const rnd = seededRandom(20261129);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const N = 10_000;
    for (let i = 0; i < N; i++) {
      const attrs: Attributes = { ...CHAT_ATTRS };
      let startTime: TimeInput | undefined;
      const who = { userId: `u${i % 97}`, tier: 'solo', feature: 'chat', sessionId: `s${i % 301}` };
      switch (i % 8) {
        case 0:
          who.userId = pick(HOSTILE);
          who.tier = pick(HOSTILE);
          break;
        case 1:
          attrs[pick(HOSTILE).slice(0, 20) || 'k'] = pick(HOSTILE);
          attrs['gen_ai.request.model'] = pick(HOSTILE);
          break;
        case 2:
          attrs['gen_ai.usage.cost'] = pick(BAD_NUMBERS);
          break;
        case 3:
          attrs['gen_ai.usage.cost'] = pick(ODD_NUMBERS);
          attrs['gen_ai.usage.input_tokens'] = pick([1e20, -5, 1.5, Number.NaN, 2 ** 64]);
          break;
        case 4:
          startTime = pick(BAD_TIMES);
          break;
        case 5:
          who.sessionId = pick(HOSTILE);
          attrs['gen_ai.usage.output_tokens'] = pick([Number.MAX_SAFE_INTEGER, -1, 0.5]);
          break;
        default:
          break;
      }
      withAttribution(who, () => tracer.startSpan(`chat ${i} ${i % 8 === 6 ? pick(HOSTILE).slice(0, 50) : ''}`, { kind: SpanKind.CLIENT, attributes: attrs, startTime }).end());
    }
    await t.provider.forceFlush();
    await exporter.forceFlush();

    const spans = t.spans();
    expect(spans).toHaveLength(N);
    const bad = new Set(spans.filter(expectedBad).map((s) => s.spanContext().spanId));
    const good = new Set(spans.filter((s) => !expectedBad(s)).map((s) => s.spanContext().spanId));
    // The processor prices an absurd preset cost from tokens instead, so the bad rows left are bad times.
    expect(bad.size).toBeGreaterThan(500);
    const stored = await ch.rows<{ SpanId: string }>(`SELECT SpanId FROM ${db}.genai_spans`);
    const rejected = await ch.rows<{ SpanId: string; Reason: string }>(`SELECT SpanId, Reason FROM ${db}.genai_spans_rejected`);
    expect(stored.length).toBe(good.size);
    expect(new Set(stored.map((r) => r.SpanId))).toEqual(good);
    expect(rejected.length).toBe(bad.size);
    expect(new Set(rejected.map((r) => r.SpanId))).toEqual(bad);
    for (const r of rejected) expect(r.Reason).toMatch(/^(CostUsd|Timestamp): /);

    const s = exporter.getStats();
    expect(s).toMatchObject({ receivedSpans: N, storedSpans: good.size, deadLetteredSpans: bad.size, queuedSpans: 0, unmappableSpans: 0 });
    expect(s.receivedSpans).toBe(s.skippedSpans + s.storedSpans + s.deadLetteredSpans);
    expect(Object.values(s.droppedSpans).reduce((a, b) => a + b)).toBe(0);
    expect(s.failures.bad_data).toBe(0);

    // The hostile strings came back intact, lone surrogates replaced.
    const [row] = await ch.rows<{ UserId: string }>(`SELECT UserId FROM ${db}.genai_spans WHERE UserId LIKE 'half an emoji%' LIMIT 1`);
    expect(row!.UserId).toBe('half an emoji \ufffd');
    const [quoted] = await ch.rows<{ n: string }>(`SELECT count() AS n FROM ${db}.genai_spans WHERE UserId = {u:String}`, { u: "'); DROP TABLE genai_spans; --" });
    expect(Number(quoted!.n)).toBeGreaterThan(0);
    await exporter.shutdown();
    await t.close();
  }, 120_000);
});
