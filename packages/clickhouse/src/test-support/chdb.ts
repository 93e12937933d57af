import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import { spanInsertSql } from '../spanInsert.js';
import { migrate } from '../migrations.js';
import { testRow } from './rows.js';
import { TABLES, qualified } from '../tables.js';
import type { SpanRow } from '../tables.js';

/**
 * chDB for one test file. chDB binds one directory per process and vitest runs each file in its
 * own process, so a file opens one directory and gives each test its own database.
 */
export class TestChdb {
  readonly client: ClickHouseClient;
  private readonly dir: string;
  private databases = 0;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'genai-cost-chdb-test-'));
    const connection = createChdbConnection({ path: this.dir }) as unknown as NonNullable<ClickHouseClientConfigOptions['connection']>;
    this.client = createClient({ connection });
  }

  /** A new, migrated database. */
  async database(): Promise<string> {
    const name = `t${process.pid}_${++this.databases}`;
    await migrate(this.client, { database: name });
    return name;
  }

  /** Rows of a query as objects. */
  async rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>): Promise<T[]> {
    const result = await this.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return result.json<T>();
  }

  async close(): Promise<void> {
    await this.client.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A model-call row with every column set (`testRow`'s), unattributed and at $0 unless `overrides` say otherwise. */
export function spanRow(overrides: Partial<SpanRow> & { at: Date }): SpanRow {
  const { at, ...rest } = overrides;
  return testRow({
    Timestamp: (at.getTime() / 1000).toFixed(3),
    SpanName: 'chat',
    UserId: '',
    Tier: '',
    Feature: '',
    InputTokens: 100,
    OutputTokens: 10,
    CacheReadTokens: 0,
    CostUsd: 0,
    SpanAttributes: {},
    ...rest,
  });
}

/** Inserts rows straight into `genai_spans` (the rollups fill through their views). */
export async function insertSpans(client: ClickHouseClient, database: string, rows: SpanRow[]): Promise<void> {
  await client.command({ query: spanInsertSql(qualified(database, TABLES.spans), rows, randomUUID()) });
}
