import { trace } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { expect } from 'vitest';
import { ClickHouseSpanExporter } from '@genai-cost/clickhouse';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';
import { TestChdb } from '../../../packages/clickhouse/src/test-support/chdb.js';
import { FakeProvider } from './fakeProvider.js';

/** USD for `tokens` at `usdPerMillion`, as a price page states it. */
export const usd = (tokens: number, usdPerMillion: number): number => (tokens * usdPerMillion) / 1e6;

/** Reads a stream to its end, as an app consuming a streamed answer does. */
export async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  const it = stream[Symbol.asyncIterator]();
  while (!(await it.next()).done);
}

/** The attribution every traced call is made under. */
export const ATTRIBUTION = { userId: 'user-42', tier: 'team', feature: 'summarise', sessionId: 'session-9', tenantId: 'acme' };

/** The normalised tokens a call is stored with. */
export interface ExpectedTokens {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
  cacheWrite1h?: number;
  reasoning?: number;
}

/** What one model call must come out as, on its spans and in ClickHouse. */
export interface ExpectedCall {
  costUsd: number;
  tokens: ExpectedTokens;
  provider: string;
  model: string;
  serviceTier?: string;
  /** `genai_cost.usage.incomplete` on the priced span. */
  incomplete?: string;
}

interface StoredRow {
  SpanName: string;
  SpanRole: string;
  Priced: boolean;
  cost: number;
  Provider: string;
  Model: string;
  ServiceTier: string;
  UsageIncomplete: string;
  ScopeName: string;
  UserId: string;
  Tier: string;
  Feature: string;
  InputTokens: string;
  OutputTokens: string;
  CacheReadTokens: string;
  CacheWriteTokens: string;
  CacheWrite1hTokens: string;
  ReasoningTokens: string;
  UnpricedReason: string;
}

/**
 * The pipeline a user builds, for real: a NodeTracerProvider with the GenAICostSpanProcessor,
 * then a BatchSpanProcessor with the ClickHouseSpanExporter writing to chDB, then an in-memory
 * copy of each span; a fake provider API on 127.0.0.1 for the SDKs to call.
 */
export class InstrumentationPipeline {
  readonly fake = new FakeProvider();
  readonly chdb = new TestChdb();
  readonly memory = new InMemorySpanExporter();
  readonly processor = new GenAICostSpanProcessor();
  provider!: NodeTracerProvider;
  database = '';
  private unregister: (() => void) | undefined;

  /** Migrates a database, starts the fake API and registers the provider (and `instrumentations`, if given). */
  async start(instrumentations: Instrumentation[] = []): Promise<this> {
    this.database = await this.chdb.database();
    await this.fake.start();
    this.provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'instrumented-app' }),
      spanProcessors: [
        this.processor,
        new BatchSpanProcessor(new ClickHouseSpanExporter({ client: this.chdb.client, database: this.database })),
        new SimpleSpanProcessor(this.memory),
      ],
    });
    this.provider.register();
    if (instrumentations.length > 0) this.unregister = registerInstrumentations({ instrumentations, tracerProvider: this.provider });
    return this;
  }

  /**
   * Runs `call` under ATTRIBUTION inside a request span, flushes, and returns the spans of that
   * trace and the rows stored for it.
   */
  async traced(call: () => Promise<unknown>): Promise<{ spans: ReadableSpan[]; rows: StoredRow[] }> {
    const traceId = await withAttribution(ATTRIBUTION, () =>
      trace.getTracer('app').startActiveSpan('POST /summarise', async (request) => {
        try {
          await call();
        } finally {
          request.end();
        }
        return request.spanContext().traceId;
      }),
    );
    await this.provider.forceFlush();
    const spans = this.memory.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    const rows = await this.chdb.rows<StoredRow>(
      `SELECT *, toFloat64(CostUsd) AS cost FROM ${this.database}.genai_spans WHERE TraceId = {traceId:String} ORDER BY Timestamp`,
      { traceId },
    );
    return { spans, rows };
  }

  async close(): Promise<void> {
    this.unregister?.();
    await this.provider.shutdown();
    await this.fake.close();
    await this.chdb.close();
    trace.disable();
  }
}

/**
 * Asserts that a trace holding one model call carries exactly one cost, the expected one, on one
 * span attributed to ATTRIBUTION, and that ClickHouse stores it once with the same cost and tokens.
 * Returns the priced span.
 */
export function expectOneCall({ spans, rows }: { spans: ReadableSpan[]; rows: StoredRow[] }, expected: ExpectedCall): ReadableSpan {
  const costed = spans.filter((s) => s.attributes['gen_ai.usage.cost'] !== undefined);
  expect(costed.map((s) => s.name), 'spans carrying a cost').toHaveLength(1);
  const priced = costed[0]!;
  const total = spans.reduce((sum, s) => sum + (typeof s.attributes['gen_ai.usage.cost'] === 'number' ? s.attributes['gen_ai.usage.cost'] : 0), 0);
  expect(total).toBeCloseTo(expected.costUsd, 10);
  expect(spans.filter((s) => s.attributes['genai_cost.unpriced'] !== undefined).map((s) => s.name), 'unpriced spans').toEqual([]);
  expect(priced.attributes).toMatchObject({
    'user.id': ATTRIBUTION.userId,
    'saas.tier': ATTRIBUTION.tier,
    'saas.feature': ATTRIBUTION.feature,
    'session.id': ATTRIBUTION.sessionId,
    'saas.tenant.id': ATTRIBUTION.tenantId,
  });
  // A span that names no provider (the AI SDK's embedding spans) gets none.
  expect(priced.attributes['genai_cost.provider']).toBe(expected.provider === '' ? undefined : expected.provider);
  expect(priced.attributes['genai_cost.usage.incomplete']).toBe(expected.incomplete);
  if (expected.serviceTier !== undefined) expect(priced.attributes['genai_cost.service_tier']).toBe(expected.serviceTier);

  const calls = rows.filter((r) => r.SpanRole === 'inference');
  expect(calls.map((r) => r.SpanName), 'stored model calls').toEqual([priced.name]);
  const row = calls[0]!;
  const t = expected.tokens;
  expect(row).toMatchObject({
    Priced: true,
    Provider: expected.provider,
    Model: expected.model,
    ServiceTier: expected.serviceTier ?? '',
    UsageIncomplete: expected.incomplete ?? '',
    ScopeName: priced.instrumentationScope.name,
    UserId: ATTRIBUTION.userId,
    Tier: ATTRIBUTION.tier,
    Feature: ATTRIBUTION.feature,
  });
  expect(row.cost).toBeCloseTo(expected.costUsd, 10);
  expect({
    input: Number(row.InputTokens),
    output: Number(row.OutputTokens),
    cacheRead: Number(row.CacheReadTokens),
    cacheWrite: Number(row.CacheWriteTokens),
    cacheWrite1h: Number(row.CacheWrite1hTokens),
    reasoning: Number(row.ReasoningTokens),
  }).toEqual({ cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0, ...t });
  // Every other stored GenAI span is a duplicate or a wrapper: it adds neither cost nor tokens.
  for (const r of rows.filter((x) => x !== row)) expect([r.Priced, r.cost, Number(r.InputTokens)]).toEqual([false, 0, 0]);
  return priced;
}

/** Asserts a trace whose one model call cannot be priced: flagged once, never $0, stored unpriced. */
export function expectUnpricedCall({ spans, rows }: { spans: ReadableSpan[]; rows: StoredRow[] }, reason: string): ReadableSpan {
  expect(spans.filter((s) => s.attributes['gen_ai.usage.cost'] !== undefined).map((s) => s.name), 'spans carrying a cost').toEqual([]);
  const flagged = spans.filter((s) => s.attributes['genai_cost.unpriced'] === true);
  expect(flagged.map((s) => s.attributes['genai_cost.unpriced.reason'])).toEqual([reason]);
  const calls = rows.filter((r) => r.SpanRole === 'inference');
  expect(calls).toMatchObject([{ Priced: false, cost: 0, UnpricedReason: reason }]);
  return flagged[0]!;
}
