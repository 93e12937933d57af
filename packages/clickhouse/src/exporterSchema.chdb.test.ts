import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createChdbConnection } from 'chdb/connection';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import { migrate } from './migrations.js';
import { until } from './test-support/rows.js';
import { CHAT_ATTRS, createTestTracing } from './test-support/tracing.js';

/** chDB binds one directory per process: the exporters and the reader here share this one. */
let dir: string;
let reader: ClickHouseClient;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genai-cost-exporter-schema-'));
  reader = createClient({ connection: createChdbConnection({ path: dir }) as unknown as NonNullable<ClickHouseClientConfigOptions['connection']> });
});
afterAll(async () => {
  await reader.close();
  rmSync(dir, { recursive: true, force: true });
  delete process.env.CLICKHOUSE_URL;
  delete process.env.CLICKHOUSE_DATABASE;
});

async function count(table: string): Promise<number> {
  const result = await reader.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' });
  return Number((await result.json<{ n: string }>())[0]!.n);
}

describe('ClickHouseSpanExporter on embedded chDB with no options', () => {
  it('creates its schema on first use and stores the spans', async () => {
    process.env.CLICKHOUSE_URL = `chdb:${dir}`;
    process.env.CLICKHOUSE_DATABASE = 'app_first_use';
    const exporter = new ClickHouseSpanExporter();
    const tracing = createTestTracing([new BatchSpanProcessor(exporter)]);
    tracing.span('chat', CHAT_ATTRS, { userId: 'u1', tier: 'pro' });
    await tracing.provider.forceFlush();
    await tracing.close();
    expect(exporter.getStats()).toMatchObject({ storedSpans: 1, queuedSpans: 0 });
    expect(await count('app_first_use.genai_spans')).toBe(1);
    expect(await count('app_first_use.genai_user_daily')).toBe(1);
  });

  it('with createSchema: false keeps the spans queued until the schema exists, then stores them', async () => {
    const exporter = new ClickHouseSpanExporter({ connection: { url: `chdb:${dir}` }, database: 'app_migrated_later', createSchema: false, retryInitialMs: 20, retryMaxMs: 100 });
    const tracing = createTestTracing([new BatchSpanProcessor(exporter)]);
    tracing.span('chat', CHAT_ATTRS, { userId: 'u1', tier: 'pro' });
    await tracing.provider.forceFlush();
    await until('an insert failed on the missing table', () => exporter.getStats().failures.schema > 0);
    expect(exporter.getStats().queuedSpans).toBe(1);
    await migrate(reader, { database: 'app_migrated_later' });
    await until('the span is stored', () => exporter.getStats().storedSpans === 1);
    await tracing.close();
    expect(await count('app_migrated_later.genai_spans')).toBe(1);
  });
});
