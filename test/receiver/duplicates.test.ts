import { createRequire } from 'node:module';
import { AnthropicInstrumentation as OpenInferenceAnthropic } from '@arizeai/openinference-instrumentation-anthropic';
import { trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { AnthropicInstrumentation as OpenLLMetryAnthropic } from '@traceloop/instrumentation-anthropic';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type AnthropicModule from '@anthropic-ai/sdk';
import { FakeProvider } from '../instrumentations/support/fakeProvider.js';
import { ReceiverChdb, startReceiver } from './support.js';

/*
 * An app in another language is stood in for by the real JS instrumentations that stack two spans
 * per call, with no genai-cost code in the app: its raw spans go over OTLP to `serve`, which must
 * price each call once. OpenInference's Anthropic instrumentation over the Anthropic SDK 1.x,
 * which traces itself (scope com.anthropic.sdk.typescript); OpenLLMetry's over SDK 0.137 (the line
 * it patches), which traces itself too. Usage and prices as in test/instrumentations.
 */
// Claude Haiku 4.5, https://platform.claude.com/docs/en/about-claude/pricing (USD per million tokens).
const HAIKU_45 = { input: 1, output: 5, cacheRead: 0.1, cacheWrite5m: 1.25, cacheWrite1h: 2 };
const USAGE = { input: 100, output: 300, cacheRead: 2000, cacheWrite5m: 1000, cacheWrite1h: 2000 };
const usd = (tokens: number, perMillion: number) => (tokens * perMillion) / 1e6;
const EXACT = usd(100, HAIKU_45.input) + usd(2000, HAIKU_45.cacheRead) + usd(1000, HAIKU_45.cacheWrite5m) + usd(2000, HAIKU_45.cacheWrite1h) + usd(300, HAIKU_45.output);
// The instrumentation's span alone lacks the 5-minute / 1-hour split: every write at the 5-minute rate.
const NO_SPLIT = usd(100, HAIKU_45.input) + usd(2000, HAIKU_45.cacheRead) + usd(3000, HAIKU_45.cacheWrite5m) + usd(300, HAIKU_45.output);
const SDK_SCOPE = 'com.anthropic.sdk.typescript';

const ch = new ReceiverChdb();
const fake = new FakeProvider();
const memory = new InMemorySpanExporter();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'support-bot', 'saas.tier': 'team', 'user.id': 'user-42' }),
  spanProcessors: [new SimpleSpanProcessor(memory)],
});
const sdks: Record<'openinference' | 'openllmetry', typeof AnthropicModule> = {} as never;
let database = '';

beforeAll(async () => {
  database = await ch.database();
  await fake.start();
  fake.script.anthropic = USAGE;
  provider.register();
  const require = createRequire(import.meta.url);
  const v1 = require('@anthropic-ai/sdk') as { default: typeof AnthropicModule };
  new OpenInferenceAnthropic({ tracerProvider: provider }).manuallyInstrument(v1 as never);
  const v0 = require('anthropic-sdk-v0') as { default: typeof AnthropicModule };
  const openllmetry = new OpenLLMetryAnthropic();
  openllmetry.setTracerProvider(provider);
  openllmetry.manuallyInstrument(v0 as never);
  sdks.openinference = v1.default;
  sdks.openllmetry = v0.default;
});
afterAll(async () => {
  await provider.shutdown();
  await fake.close();
  await ch.close();
  trace.disable();
});

/** The two spans of one real call: the instrumentation's and, under it, the SDK's. */
async function oneCall(stack: 'openinference' | 'openllmetry'): Promise<{ instrumentation: ReadableSpan; sdk: ReadableSpan }> {
  memory.reset();
  const client = new sdks[stack]({ apiKey: 'test-key', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
  await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  expect(spans).toHaveLength(2);
  const sdk = spans.find((s) => s.instrumentationScope.name === SDK_SCOPE)!;
  const instrumentation = spans.find((s) => s !== sdk)!;
  expect(sdk.parentSpanContext?.spanId).toBe(instrumentation.spanContext().spanId);
  return { instrumentation, sdk };
}

/** Sends spans with the real OTLP/protobuf exporter, one export (one request) per group, in order. */
async function send(url: string, ...requests: ReadableSpan[][]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, headers: { 'x-genai-cost-tenant-id': 'acme' } });
  for (const spans of requests) {
    const result = await new Promise<ExportResult>((resolve) => exporter.export(spans, resolve));
    expect(result.code).toBe(ExportResultCode.SUCCESS);
  }
  await exporter.shutdown();
}

interface Row {
  ScopeName: string;
  SpanRole: string;
  Priced: boolean;
  cost: number;
  Provider: string;
  ServiceTier: string;
  UsageIncomplete: string;
  UserId: string;
  Tier: string;
  TenantId: string;
}
/** The rows of one call's trace: every test shares the file's database. */
const rows = (call: { sdk: ReadableSpan }) =>
  ch.rows<Row>(
    `SELECT ScopeName, SpanRole, Priced, toFloat64(CostUsd) AS cost, Provider, ServiceTier, UsageIncomplete, UserId, Tier, TenantId
     FROM ${database}.genai_spans WHERE TraceId = {trace:String} ORDER BY ScopeName`,
    { trace: call.sdk.spanContext().traceId },
  );
const attributed = { UserId: 'user-42', Tier: 'team', TenantId: 'acme', Provider: 'anthropic' };

describe.each(['openinference', 'openllmetry'] as const)('the stacked spans of one call, %s over the SDK, sent to serve', (stack) => {
  it('are priced once when they come in one request, with the usage of both', async () => {
    const { receiver, url } = await startReceiver(ch.client, database, { pricing: {} });
    const call = await oneCall(stack);
    await send(url, [call.instrumentation, call.sdk]);
    await receiver.shutdown();
    const stored = await rows(call);
    expect(stored.filter((r) => r.SpanRole === 'duplicate')).toHaveLength(1);
    const priced = stored.filter((r) => r.Priced);
    expect(priced).toMatchObject([{ ...attributed, ServiceTier: 'standard', UsageIncomplete: '' }]);
    expect(priced[0]!.cost).toBeCloseTo(EXACT, 10);
    expect(receiver.getStats()).toMatchObject({ pricedSpans: 1, duplicateSpans: 0 });
  });

  it('are priced once when the SDK span comes first, in a request of its own (a batch boundary between them)', async () => {
    const { receiver, url } = await startReceiver(ch.client, database, { pricing: {} });
    const call = await oneCall(stack);
    await send(url, [call.sdk], [call.instrumentation]);
    await receiver.shutdown();
    const stored = await rows(call);
    expect(stored.map((r) => [r.ScopeName === SDK_SCOPE ? 'sdk' : 'instrumentation', r.SpanRole, r.Priced]).sort()).toEqual([
      ['instrumentation', 'duplicate', false],
      ['sdk', 'inference', true],
    ]);
    // The late duplicate is attributed like any other span, and adds no cost.
    expect(stored.find((r) => r.SpanRole === 'duplicate')).toMatchObject({ ...attributed, cost: 0 });
    expect(stored.find((r) => r.Priced)!.cost).toBeCloseTo(EXACT, 10);
    expect(receiver.getStats()).toMatchObject({ pricedSpans: 1, duplicateSpans: 1 });
  });

  it('are priced once when the instrumentation span comes first, from its own usage only', async () => {
    const { receiver, url } = await startReceiver(ch.client, database, { pricing: {} });
    const call = await oneCall(stack);
    await send(url, [call.instrumentation], [call.sdk]);
    await receiver.shutdown();
    const stored = await rows(call);
    const priced = stored.filter((r) => r.Priced);
    // Already stored when the SDK span arrives: the split only that span has cannot be added.
    expect(priced).toMatchObject([{ ...attributed, SpanRole: 'inference', UsageIncomplete: 'cache_write_ttl' }]);
    expect(priced[0]!.ScopeName).not.toBe(SDK_SCOPE);
    expect(priced[0]!.cost).toBeCloseTo(NO_SPLIT, 10);
    expect(stored.filter((r) => r.SpanRole === 'duplicate')).toHaveLength(1);
  });

  it('are priced twice when the two requests reach two receivers: the memory is per instance', async () => {
    const a = await startReceiver(ch.client, database, { pricing: {} });
    const b = await startReceiver(ch.client, database, { pricing: {} });
    const call = await oneCall(stack);
    await send(a.url, [call.sdk]);
    await send(b.url, [call.instrumentation]);
    await Promise.all([a.receiver.shutdown(), b.receiver.shutdown()]);
    expect((await rows(call)).filter((r) => r.Priced)).toHaveLength(2);
  });
});
