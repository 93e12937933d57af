import { ClickHouseError } from '@clickhouse/client';
import { diag, SpanKind } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import type { ClickHouseExportError } from './errors.js';
import { ClickHouseConfigError } from './errors.js';
import { FakeInsertClient, networkError } from './test-support/FakeInsertClient.js';
import { CHAT_ATTRS, createTestTracing } from './test-support/tracing.js';

type Tracing = ReturnType<typeof createTestTracing>;
let t: Tracing;
let warnings: ReturnType<typeof vi.fn>;

beforeEach(() => {
  t = createTestTracing();
  warnings = vi.fn();
  diag.setLogger({ error: vi.fn(), warn: warnings, info: vi.fn(), debug: vi.fn(), verbose: vi.fn() } as DiagLogger);
});
afterEach(async () => {
  await t.close();
  diag.disable();
});

function exportOnce(exporter: ClickHouseSpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

function chats(n: number): ReadableSpan[] {
  for (let i = 0; i < n; i++) t.span(`chat ${i}`, CHAT_ATTRS, { userId: `u${i}`, tier: 'solo' });
  return t.spans().slice(-n);
}

describe('ClickHouseSpanExporter', () => {
  it('maps a priced span to a row and inserts each batch once, in JSONEachRow, with a dedup token', async () => {
    const client = new FakeInsertClient();
    const exporter = new ClickHouseSpanExporter({ client, database: 'gc' });
    t.span('chat gpt-test', CHAT_ATTRS, { userId: 'u1', tier: 'solo', feature: 'chat', sessionId: 's1', tenantId: 'acme' });
    expect(await exportOnce(exporter, t.spans())).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();
    expect(client.calls).toHaveLength(1);
    const call = client.calls[0]!;
    expect(call).toMatchObject({ table: 'gc.genai_spans', format: 'JSONCompactEachRow' });
    expect(call.settings).toMatchObject({ deduplicate_blocks_in_dependent_materialized_views: '1' });
    expect(call.rows[0]).toMatchObject({
      ServiceName: 'test-app',
      SpanName: 'chat gpt-test',
      SpanKind: 'Client',
      SpanRole: 'inference',
      UserId: 'u1',
      Tier: 'solo',
      Feature: 'chat',
      SessionId: 's1',
      TenantId: 'acme',
      Provider: 'openai',
      Operation: 'chat',
      Model: 'gpt-test',
      InputTokens: 1000,
      CacheReadTokens: 200,
      OutputTokens: 500,
      CostUsd: 0.0057,
      Priced: true,
      PriceId: 'openai/gpt-test@1970-01-01',
      StatusCode: 'Unset',
    });
    // Typed columns are not repeated in the map; the rest is kept.
    expect(call.rows[0]!.SpanAttributes).not.toHaveProperty('user.id');
    expect(call.rows[0]!.SpanAttributes).not.toHaveProperty('gen_ai.usage.cost');
    expect(call.rows[0]!.SpanAttributes['gen_ai.usage.input_tokens']).toBe('1000');
    expect(call.rows[0]!.SpanAttributes['genai_cost.cost.output']).toBe('0.004');
  });

  it('gives the same spans the same token in any order', async () => {
    const client = new FakeInsertClient();
    const exporter = new ClickHouseSpanExporter({ client });
    const spans = chats(3);
    await exportOnce(exporter, spans);
    await exportOnce(exporter, [...spans].reverse());
    await exportOnce(exporter, spans.slice(1));
    await exporter.forceFlush();
    const tokens = client.calls.map((c) => c.settings.insert_deduplication_token);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(client.rows()).toHaveLength(3 + 2);
  });

  it('stores wrapper spans without cost, unpriced calls flagged, and skips non-GenAI spans unless allSpans', async () => {
    const client = new FakeInsertClient();
    const exporter = new ClickHouseSpanExporter({ client });
    t.within('invoke_agent planner', { 'gen_ai.operation.name': 'invoke_agent' }, { userId: 'u1' }, () => t.span('chat', CHAT_ATTRS));
    t.span('chat mystery', { ...CHAT_ATTRS, 'gen_ai.request.model': 'mystery-model' }, { userId: 'u1' });
    t.span('GET /items', { 'http.request.method': 'GET' }, {}, SpanKind.SERVER);
    await exportOnce(exporter, t.spans());
    await exporter.forceFlush();
    const byName = new Map(client.rows().map((r) => [r.SpanName, r]));
    expect([...byName.keys()].sort()).toEqual(['chat', 'chat mystery', 'invoke_agent planner']);
    expect(byName.get('invoke_agent planner')).toMatchObject({ SpanRole: 'wrapper', Operation: 'invoke_agent', CostUsd: 0, Priced: false, InputTokens: 0 });
    expect(byName.get('chat')!.ParentSpanId).toBe(byName.get('invoke_agent planner')!.SpanId);
    expect(byName.get('chat mystery')).toMatchObject({ SpanRole: 'inference', Priced: false, CostUsd: 0, UnpricedReason: 'unknown_model', Model: 'mystery-model', InputTokens: 1000 });
    expect(exporter.getStats().skippedSpans).toBe(1);

    const all = new FakeInsertClient();
    const allExporter = new ClickHouseSpanExporter({ client: all, allSpans: true });
    await exportOnce(allExporter, t.spans());
    await allExporter.shutdown();
    expect(all.rows().find((r) => r.SpanName === 'GET /items')).toMatchObject({ SpanRole: '', Priced: false, SpanKind: 'Server' });
  });

  it('reads attribution under configured keys', async () => {
    const client = new FakeInsertClient();
    t.span('chat', { ...CHAT_ATTRS, 'app.customer': 'c9', 'gen_ai.usage.cost': 1.25 });
    const exporter = new ClickHouseSpanExporter({ client, attributeKeys: { userId: 'app.customer' } });
    await exportOnce(exporter, t.spans());
    await exporter.shutdown();
    expect(client.rows()[0]).toMatchObject({ UserId: 'c9', CostUsd: 1.25, Priced: true, PriceId: 'span' });
  });

  it('retries transient failures with backoff and stores the batch once', async () => {
    const client = new FakeInsertClient().failNext(networkError(), new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' }));
    const exporter = new ClickHouseSpanExporter({ client, retryInitialMs: 1 });
    expect(await exportOnce(exporter, chats(2))).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();
    expect(client.calls).toHaveLength(3);
    expect(new Set(client.calls.map((c) => c.settings.insert_deduplication_token)).size).toBe(1);
    expect(exporter.getStats()).toMatchObject({ receivedSpans: 2, acceptedSpans: 2, storedSpans: 2, inserts: 1, retries: 2, queuedSpans: 0 });
    expect(exporter.getStats().failures).toMatchObject({ network: 1, overloaded: 1 });
  });

  it('keeps retrying a missing table until it exists, and logs each kind of failure once with its cause', async () => {
    const missing = new ClickHouseError({ message: 'Table gc.genai_spans does not exist', code: '60', type: 'UNKNOWN_TABLE' });
    const client = new FakeInsertClient().failNext(missing, missing, missing);
    const exporter = new ClickHouseSpanExporter({ client, retryInitialMs: 1 });
    expect((await exportOnce(exporter, chats(2))).code).toBe(ExportResultCode.SUCCESS);
    await exporter.forceFlush();
    expect(client.rows()).toHaveLength(2);
    expect(exporter.getStats()).toMatchObject({ storedSpans: 2, retries: 3 });
    expect(exporter.getStats().failures.schema).toBe(3);
    expect(warnings).toHaveBeenCalledTimes(1);
    expect(warnings.mock.calls[0]![0]).toMatch(/\(schema: UNKNOWN_TABLE: Table gc\.genai_spans does not exist\)/);
  });

  it('refuses a batch that would pass maxQueueBytes, counts it, and takes batches again once there is room', async () => {
    const client = new FakeInsertClient().hold();
    const probe = new ClickHouseSpanExporter({ client: new FakeInsertClient().hold(), shutdownTimeoutMs: 1 });
    await exportOnce(probe, chats(1));
    // Room for the first batch of 2 and not for 4 more.
    const maxQueueBytes = probe.getStats().queuedBytes * 3;
    const exporter = new ClickHouseSpanExporter({ client, maxQueueBytes });
    expect((await exportOnce(exporter, chats(2))).code).toBe(ExportResultCode.SUCCESS);
    const refused = await exportOnce(exporter, chats(4));
    expect(refused.code).toBe(ExportResultCode.FAILED);
    expect((refused.error as ClickHouseExportError).kind).toBe('queue_full');
    expect(exporter.getStats().queuedBytes).toBeLessThanOrEqual(maxQueueBytes);
    client.release();
    await exporter.forceFlush();
    expect((await exportOnce(exporter, chats(2))).code).toBe(ExportResultCode.SUCCESS);
    await exporter.forceFlush();
    const stats = exporter.getStats();
    expect(stats).toMatchObject({ receivedSpans: 8, storedSpans: 4, queuedSpans: 0 });
    await probe.shutdown();
    expect(probe.getStats().droppedSpans.shutdown).toBe(1);
    expect(stats.refusedSpans.queue_full).toBe(4);
    expect(stats.receivedSpans).toBe(stats.storedSpans + stats.refusedSpans.queue_full);
    expect(warnings.mock.calls.filter((c) => /4 spans refused: the span queue is full/.test(String(c[0])))).toHaveLength(1);
  });

  it('runs its inserts with tracing suppressed', async () => {
    const client = new FakeInsertClient();
    const exporter = new ClickHouseSpanExporter({ client });
    await exportOnce(exporter, chats(1));
    await exporter.shutdown();
    expect(client.suppressed).toEqual([true]);
  });

  it('answers export once queued; forceFlush and shutdown wait for the insert; shuts down once; fails exports after', async () => {
    const client = new FakeInsertClient().hold();
    const exporter = new ClickHouseSpanExporter({ client });
    expect(await exportOnce(exporter, chats(1))).toEqual({ code: ExportResultCode.SUCCESS });
    let flushed = false;
    const flush = exporter.forceFlush().then(() => (flushed = true));
    const shutdown = exporter.shutdown();
    expect(exporter.queue.shutdown()).toBe(exporter.queue.shutdown());
    await new Promise((r) => setTimeout(r, 20));
    expect(flushed).toBe(false);
    client.release();
    await flush;
    await shutdown;
    expect(client.rows()).toHaveLength(1);
    const after = await exportOnce(exporter, chats(1));
    expect((after.error as ClickHouseExportError).kind).toBe('shutdown');
    expect(client.calls).toHaveLength(1);
    expect(exporter.getStats().refusedSpans.shutdown).toBe(1);
  });

  it('counts what is still queued in memory at shutdown as dropped, after waiting shutdownTimeoutMs', async () => {
    const client = new FakeInsertClient().failNext(...Array.from({ length: 1000 }, networkError));
    const exporter = new ClickHouseSpanExporter({ client, retryInitialMs: 5, retryMaxMs: 5, shutdownTimeoutMs: 100 });
    await exportOnce(exporter, chats(3));
    await exporter.shutdown();
    const stats = exporter.getStats();
    expect(stats.droppedSpans.shutdown).toBe(3);
    expect(stats.queuedSpans).toBe(0);
    expect(warnings.mock.calls.some((c) => /3 spans still queued in memory at shutdown/.test(String(c[0])))).toBe(true);
  });

  it('survives a result callback that throws', async () => {
    const client = new FakeInsertClient();
    const exporter = new ClickHouseSpanExporter({ client });
    exporter.export(chats(1), () => {
      throw new Error('callback bug');
    });
    await exporter.forceFlush();
    expect(await exportOnce(exporter, chats(1))).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.shutdown();
  });

  it('rejects invalid options, naming them', () => {
    const client = new FakeInsertClient();
    expect(() => new ClickHouseSpanExporter({ client, table: 'x; DROP' })).toThrow(ClickHouseConfigError);
    expect(() => new ClickHouseSpanExporter({ client, insertTimeoutMs: 0 })).toThrow(/"insertTimeoutMs": expected a positive number of milliseconds/);
    expect(() => new ClickHouseSpanExporter({ client, spoolDir: '' })).toThrow(/"spoolDir": expected a directory path/);
    expect(() => new ClickHouseSpanExporter({ client: {} as FakeInsertClient })).toThrow(/"client": expected a ClickHouse client/);
  });
});
