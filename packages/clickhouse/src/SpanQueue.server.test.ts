import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { diag } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import { SpanQueue } from './SpanQueue.js';
import { FakeClickHouseServer } from './test-support/FakeClickHouseServer.js';
import type { FakeServerMode } from './test-support/FakeClickHouseServer.js';
import { testRows, until } from './test-support/rows.js';
import { CHAT_ATTRS, createTestTracing } from './test-support/tracing.js';

const SPANS = 'genai_cost.genai_spans';
const REJECTED = 'genai_cost.genai_spans_rejected';
/** Fast retries, so an outage of many attempts takes little time. */
const FAST = { retryInitialMs: 5, retryMaxMs: 40, insertTimeoutMs: 300, shutdownTimeoutMs: 3_000 };

let server: FakeClickHouseServer;
let client: ClickHouseClient;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  server = new FakeClickHouseServer();
  client = createClient({ url: await server.start(), request_timeout: 60_000, log: { level: ClickHouseLogLevel.OFF } });
  diag.setLogger({ error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() } as DiagLogger);
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  await client.close();
  await server.close();
  diag.disable();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'genai-cost-spool-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function queue(options: Partial<ConstructorParameters<typeof SpanQueue>[0]> = {}): SpanQueue {
  const q = new SpanQueue({ client, ...FAST, ...options });
  cleanups.push(() => q.shutdown());
  return q;
}

function expectStoredOnce(ids: Iterable<string>): void {
  const stored = new Map<string, number>();
  for (const r of server.stored(SPANS)) stored.set(r.SpanId, (stored.get(r.SpanId) ?? 0) + 1);
  for (const id of ids) expect(stored.get(id), id).toBe(1);
  expect(server.duplicates(SPANS)).toBe(0);
}

describe('SpanQueue against a ClickHouse HTTP server that fails', () => {
  it.each<[FakeServerMode, string]>([
    ['refuse', 'network'],
    ['503', 'unknown'],
    ['hang', 'timeout'],
    ['store-then-drop', 'network'],
  ])('%s: keeps the batches, retries past the old budget of 5 attempts, then stores each span once', async (mode, kind) => {
    await server.setMode(mode);
    const q = queue();
    const batches = [testRows(50), testRows(50), testRows(50)];
    for (const rows of batches) expect(await q.enqueue(rows)).toEqual({ accepted: true, spans: 50, invalid: 0 });
    await until(`8 failed ${kind} attempts`, () => q.getStats().failures[kind as 'network'] >= 8);
    expect(q.readiness()).toMatchObject({ ready: false, clickhouse: 'failing' });
    expect(q.getStats()).toMatchObject({ storedSpans: 0, queuedSpans: 150 });
    await server.setMode('ok');
    await q.forceFlush();
    expectStoredOnce(batches.flat().map((r) => r.SpanId));
    expect(q.getStats()).toMatchObject({ acceptedSpans: 150, storedSpans: 150, queuedSpans: 0, deadLetteredSpans: 0 });
    expect(q.readiness()).toMatchObject({ ready: true, clickhouse: 'ok' });
    if (mode === 'store-then-drop') expect(server.requests['store-then-drop']).toBeGreaterThanOrEqual(8);
  });

  it.each([['in memory', false], ['with a spool', true]])('loses no span and stores none twice through an outage of every kind, with the real SDK exporting during it, %s', async (_name, spool) => {
    const exporter = new ClickHouseSpanExporter({ client, ...FAST, ...(spool ? { spoolDir: tempDir() } : {}) });
    const t = createTestTracing([new BatchSpanProcessor(exporter, { scheduledDelayMillis: 5, maxExportBatchSize: 64 })]);
    cleanups.push(() => t.close());
    let created = 0;
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++, created++) t.span(`chat ${created}`, CHAT_ATTRS, { userId: `u${created % 7}`, tier: 'team' });
      await t.provider.forceFlush();
    };
    await burst(100);
    for (const mode of ['refuse', '503', 'hang', 'store-then-drop'] as const) {
      await server.setMode(mode);
      const failed = exporter.getStats().retries;
      await burst(200);
      await until(`retries during ${mode}`, () => exporter.getStats().retries >= failed + 6);
    }
    await server.setMode('ok');
    await burst(100);
    await exporter.forceFlush();
    const stats = exporter.getStats();
    expect(stats).toMatchObject({ receivedSpans: created, storedSpans: created, queuedSpans: 0, deadLetteredSpans: 0 });
    expect(Object.values(stats.refusedSpans).reduce((a, b) => a + b)).toBe(0);
    expect(server.stored(SPANS)).toHaveLength(created);
    expect(server.duplicates(SPANS)).toBe(0);
    expect(new Set(server.stored(SPANS).map((r) => r.values.SpanName))).toHaveProperty('size', created);
  });

  it('splits a batch the server refuses as bad data, stores the good rows and dead-letters the bad ones with the error', async () => {
    server.rejectWhen = (v) => v.UserId === 'poison';
    const q = queue();
    const rows = testRows(40);
    rows[3]!.UserId = 'poison';
    rows[29]!.UserId = 'poison';
    await q.enqueue(rows);
    await q.forceFlush();
    expect(server.stored(SPANS).map((r) => r.SpanId).sort()).toEqual(rows.filter((r) => r.UserId !== 'poison').map((r) => r.SpanId).sort());
    const dead = server.stored(REJECTED);
    expect(dead.map((r) => r.SpanId).sort()).toEqual([rows[3]!.SpanId, rows[29]!.SpanId].sort());
    expect(dead[0]!.values).toMatchObject({ TableName: SPANS, Reason: expect.stringContaining('CANNOT_PARSE_INPUT_ASSERTION_FAILED') });
    expect(JSON.parse(dead[0]!.values.Row as string)).toMatchObject({ UserId: 'poison' });
    expect(q.getStats()).toMatchObject({ storedSpans: 38, deadLetteredSpans: 2, queuedSpans: 0 });
    expect(q.getStats().failures.bad_data).toBeGreaterThan(2);
  });

  it('dead-letters rows it cannot make valid without sending them to the spans table', async () => {
    const q = queue();
    const rows = testRows(5);
    rows[1]!.CostUsd = 1e8;
    rows[2]!.Timestamp = 'NaN.000000000';
    rows[3]!.UserId = 'half an emoji \ud83d';
    expect(await q.enqueue(rows)).toEqual({ accepted: true, spans: 5, invalid: 2 });
    await q.forceFlush();
    expect(server.stored(SPANS).map((r) => r.SpanId).sort()).toEqual([rows[0]!, rows[3]!, rows[4]!].map((r) => r.SpanId).sort());
    expect(server.stored(SPANS).find((r) => r.SpanId === rows[3]!.SpanId)!.values.UserId).toBe('half an emoji \ufffd');
    const reasons = Object.fromEntries(server.stored(REJECTED).map((r) => [r.SpanId, r.values.Reason]));
    expect(reasons).toEqual({
      [rows[1]!.SpanId]: 'CostUsd: 100000000 does not fit Decimal(18, 10) (at most 8 integer digits)',
      [rows[2]!.SpanId]: 'Timestamp: "NaN.000000000" is not a time as seconds.nanoseconds (DateTime64(9, \'UTC\'))',
    });
  });

  it('under overload stays within its bounds in memory and on disk, and counts every span it did not store', async () => {
    await server.setMode('hang');
    const dir = tempDir();
    const maxQueueBytes = 40_000;
    const maxSpoolBytes = 120_000;
    const inMemory = new ClickHouseSpanExporter({ client, ...FAST, maxQueueBytes });
    const spooled = new ClickHouseSpanExporter({ client, ...FAST, maxQueueBytes, spoolDir: dir, maxSpoolBytes, spoolSegmentBytes: 16_000 });
    const t = createTestTracing([
      new BatchSpanProcessor(inMemory, { scheduledDelayMillis: 1, maxExportBatchSize: 50, maxQueueSize: 100_000 }),
      new BatchSpanProcessor(spooled, { scheduledDelayMillis: 1, maxExportBatchSize: 50, maxQueueSize: 100_000 }),
    ]);
    cleanups.push(() => t.close());
    let peakMemory = 0;
    let peakDisk = 0;
    const sample = () => {
      peakMemory = Math.max(peakMemory, inMemory.getStats().queuedBytes);
      peakDisk = Math.max(peakDisk, readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0));
    };
    const created = 2_000;
    for (let i = 0; i < created; i++) {
      t.span(`chat ${i}`, CHAT_ATTRS, { userId: `u${i % 13}`, tier: 'pro' });
      if (i % 100 === 99) {
        // A batch the exporter refused makes the processor's flush reject; the exporter counted it.
        await t.provider.forceFlush().catch(() => undefined);
        sample();
      }
    }
    expect(peakMemory).toBeLessThanOrEqual(maxQueueBytes);
    expect(peakDisk).toBeLessThanOrEqual(maxSpoolBytes);
    await server.setMode('ok');
    await inMemory.forceFlush();
    await spooled.forceFlush();
    for (const exporter of [inMemory, spooled]) {
      const s = exporter.getStats();
      expect(s.refusedSpans.queue_full).toBeGreaterThan(0);
      expect(s.storedSpans).toBeGreaterThan(0);
      expect(s.receivedSpans).toBe(created);
      expect(created - s.storedSpans).toBe(s.refusedSpans.queue_full);
      expect(s.queuedSpans).toBe(0);
    }
    expect(server.duplicates(SPANS)).toBe(0);
  });

  it('reports queue depth, age and outcomes as OTel metrics', async () => {
    await server.setMode('503');
    const metrics = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 60_000 });
    const meterProvider = new MeterProvider({ readers: [reader] });
    cleanups.push(() => meterProvider.shutdown());
    const q = queue({ meterProvider, maxQueueBytes: 30_000 });
    await q.enqueue(testRows(20));
    await q.enqueue(testRows(200));
    await until('a failed attempt', () => q.getStats().failures.unknown > 0);
    await reader.forceFlush();
    const points = (name: string) =>
      metrics
        .getMetrics()
        .at(-1)!
        .scopeMetrics.flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === name)!.dataPoints;
    expect(points('genai_cost.exporter.queue.spans')[0]!.value).toBe(20);
    expect(points('genai_cost.exporter.queue.bytes')[0]!.value).toBeGreaterThan(0);
    expect(points('genai_cost.exporter.queue.oldest_age')[0]!.value).toBeGreaterThanOrEqual(0);
    expect(points('genai_cost.exporter.spans').find((p) => p.attributes.outcome === 'refused' && p.attributes.reason === 'queue_full')!.value).toBe(200);
    expect(points('genai_cost.exporter.insert.failures').find((p) => p.attributes['error.type'] === 'unknown')!.value).toBeGreaterThan(0);
    await server.setMode('ok');
  });

  it('exports through the queue it exposes: readiness and refusals carry a retry-after hint', async () => {
    await server.setMode('refuse');
    const exporter = new ClickHouseSpanExporter({ client, ...FAST, maxQueueBytes: 5_000 });
    cleanups.push(() => exporter.shutdown());
    const result = await new Promise((resolve) => exporter.export([], resolve));
    expect(result).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.queue.enqueue(testRows(2));
    await until('a failure', () => exporter.readiness().clickhouse === 'failing');
    const refused = await exporter.queue.enqueue(testRows(100), { deduplicationToken: 'request-1' });
    expect(refused).toMatchObject({ accepted: false, reason: 'queue_full' });
    expect(refused.accepted === false && refused.retryAfterMs).toBeGreaterThanOrEqual(1_000);
    expect(exporter.readiness()).toMatchObject({ ready: false, accepting: true, lastError: expect.stringContaining('ECONNREFUSED') });
    await expect(exporter.queue.enqueue(testRows(1), { deduplicationToken: "x'; DROP" })).rejects.toThrow(/deduplicationToken/);
    await server.setMode('ok');
    await exporter.forceFlush();
  });
});
