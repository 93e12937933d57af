import { ClickHouseError } from '@clickhouse/client';
import { diag, SpanKind } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import { ClickHouseConfigError, ClickHouseExportError } from './errors.js';
import { FakeInsertClient, networkError } from './test-support/FakeInsertClient.js';
import { CHAT_ATTRS, createTestTracing } from './test-support/tracing.js';

type Tracing = ReturnType<typeof createTestTracing>;
let t: Tracing;
let errors: ReturnType<typeof vi.fn>;

beforeEach(() => {
  t = createTestTracing();
  errors = vi.fn();
  diag.setLogger({ error: errors, warn: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() } as DiagLogger);
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
    const byName = new Map(client.rows().map((r) => [r.SpanName, r]));
    expect([...byName.keys()].sort()).toEqual(['chat', 'chat mystery', 'invoke_agent planner']);
    expect(byName.get('invoke_agent planner')).toMatchObject({ SpanRole: 'wrapper', Operation: 'invoke_agent', CostUsd: 0, Priced: false, InputTokens: 0 });
    expect(byName.get('chat')!.ParentSpanId).toBe(byName.get('invoke_agent planner')!.SpanId);
    expect(byName.get('chat mystery')).toMatchObject({ SpanRole: 'inference', Priced: false, CostUsd: 0, UnpricedReason: 'unknown_model', Model: 'mystery-model', InputTokens: 1000 });
    expect(exporter.getStats().skippedSpans).toBe(1);

    const all = new FakeInsertClient();
    await exportOnce(new ClickHouseSpanExporter({ client: all, allSpans: true }), t.spans());
    expect(all.rows().find((r) => r.SpanName === 'GET /items')).toMatchObject({ SpanRole: '', Priced: false, SpanKind: 'Server' });
  });

  it('reads attribution under configured keys', async () => {
    const client = new FakeInsertClient();
    t.span('chat', { ...CHAT_ATTRS, 'app.customer': 'c9', 'gen_ai.usage.cost': 1.25 });
    await exportOnce(new ClickHouseSpanExporter({ client, attributeKeys: { userId: 'app.customer' } }), t.spans());
    expect(client.rows()[0]).toMatchObject({ UserId: 'c9', CostUsd: 1.25, Priced: true, PriceId: 'span' });
  });

  it('retries transient failures with backoff and stores the batch once', async () => {
    const client = new FakeInsertClient().failNext(networkError(), new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' }));
    const exporter = new ClickHouseSpanExporter({ client });
    expect(await exportOnce(exporter, chats(2))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(client.calls).toHaveLength(3);
    expect(new Set(client.calls.map((c) => c.settings.insert_deduplication_token)).size).toBe(1);
    expect(exporter.getStats()).toMatchObject({ exportedSpans: 2, exportedBatches: 1, retries: 2, failedSpans: 0 });
    expect(errors).not.toHaveBeenCalled();
  });

  it('fails at once on a schema error, counts failures by kind and logs each kind once with its cause', async () => {
    const missing = new ClickHouseError({ message: 'Table gc.genai_spans does not exist', code: '60', type: 'UNKNOWN_TABLE' });
    const client = new FakeInsertClient().failNext(missing, missing);
    const exporter = new ClickHouseSpanExporter({ client });
    const first = await exportOnce(exporter, chats(2));
    const second = await exportOnce(exporter, chats(1));
    expect(first.code).toBe(ExportResultCode.FAILED);
    expect(second.code).toBe(ExportResultCode.FAILED);
    expect(first.error).toBeInstanceOf(ClickHouseExportError);
    expect((first.error as ClickHouseExportError).kind).toBe('schema');
    expect(client.calls).toHaveLength(2);
    expect(exporter.getStats()).toMatchObject({ failedSpans: 3, retries: 0 });
    expect(exporter.getStats().failures.schema).toBe(2);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(errors.mock.calls[0]![0]).toMatch(/\(schema\)/);
    expect(errors.mock.calls[0]![1]).toBe(missing);
  });

  it('gives up on transient failures when the export timeout runs out', async () => {
    const client = new FakeInsertClient().failNext(...Array.from({ length: 20 }, networkError));
    const exporter = new ClickHouseSpanExporter({ client, exportTimeoutMs: 250, maxRetries: 10 });
    const started = Date.now();
    const result = await exportOnce(exporter, chats(1));
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(exporter.getStats().failures.network).toBe(1);
    expect(client.calls.length).toBeGreaterThan(1);
  });

  it('runs its inserts with tracing suppressed', async () => {
    const client = new FakeInsertClient();
    await exportOnce(new ClickHouseSpanExporter({ client }), chats(1));
    expect(client.suppressed).toEqual([true]);
  });

  it('drops and counts batches beyond maxPendingSpans', async () => {
    const client = new FakeInsertClient().hold();
    const exporter = new ClickHouseSpanExporter({ client, maxPendingSpans: 3 });
    const held = exportOnce(exporter, chats(2));
    const dropped = await exportOnce(exporter, chats(2));
    expect(dropped.code).toBe(ExportResultCode.FAILED);
    expect((dropped.error as ClickHouseExportError).kind).toBe('queue_full');
    client.release();
    expect((await held).code).toBe(ExportResultCode.SUCCESS);
    expect(await exportOnce(exporter, chats(3))).toEqual({ code: ExportResultCode.SUCCESS });
    expect(exporter.getStats()).toMatchObject({ exportedSpans: 5, failedSpans: 2 });
    expect(exporter.getStats().failures.queue_full).toBe(1);
  });

  it('waits for inserts in progress on forceFlush and shutdown; shuts down once; fails exports after', async () => {
    const client = new FakeInsertClient().hold();
    const exporter = new ClickHouseSpanExporter({ client });
    let result: ExportResult | undefined;
    exporter.export(chats(1), (r) => (result = r));
    const flushed = exporter.forceFlush();
    const shutdown = exporter.shutdown();
    expect(exporter.shutdown()).toBe(shutdown);
    await new Promise((r) => setTimeout(r, 20));
    expect(result).toBeUndefined();
    client.release();
    await flushed;
    await shutdown;
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    const after = await exportOnce(exporter, chats(1));
    expect((after.error as ClickHouseExportError).kind).toBe('shutdown');
    expect(client.calls).toHaveLength(1);
  });

  it('survives a result callback that throws', async () => {
    const client = new FakeInsertClient();
    const exporter = new ClickHouseSpanExporter({ client });
    exporter.export(chats(1), () => {
      throw new Error('callback bug');
    });
    await exporter.forceFlush();
    expect(await exportOnce(exporter, chats(1))).toEqual({ code: ExportResultCode.SUCCESS });
  });

  it('rejects invalid options, naming them', () => {
    const client = new FakeInsertClient();
    expect(() => new ClickHouseSpanExporter({ client, table: 'x; DROP' })).toThrow(ClickHouseConfigError);
    expect(() => new ClickHouseSpanExporter({ client, exportTimeoutMs: 0 })).toThrow(/"exportTimeoutMs"/);
    expect(() => new ClickHouseSpanExporter({ client: {} as FakeInsertClient })).toThrow(/"client": expected a ClickHouse client/);
  });
});
