import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '@genai-cost/clickhouse';
import { TestChdb } from '../../packages/clickhouse/src/test-support/chdb.js';

/** The database the committed dashboards and alert rules query. */
export const GRAFANA_DATABASE = 'genai_cost';

/** A query result with ClickHouse's column types, which decide what Grafana makes of each column. */
export interface TypedResult {
  meta: { name: string; type: string }[];
  data: Record<string, unknown>[];
}

/** chDB for the Grafana tests: one directory per test file (process), databases created by name. */
export class GrafanaChdb extends TestChdb {
  /** Creates and migrates `name`. */
  async migrated(name: string): Promise<string> {
    await migrate(this.client, { database: name });
    return name;
  }

  /** Runs `sql` and returns the rows with their column types. */
  async typed(sql: string): Promise<TypedResult> {
    const result = await this.client.query({ query: sql, format: 'JSON' });
    const { meta, data } = await result.json<Record<string, unknown>>();
    return { meta: meta ?? [], data };
  }
}

/** `sql` aimed at `database` instead of the committed `genai_cost`, so scenarios get databases of their own. */
export function inDatabase(sql: string, database: string): string {
  return sql.replace(new RegExp(`\\b${GRAFANA_DATABASE}\\.`, 'g'), `${database}.`);
}

/** An empty directory, so the CLI's config loader finds no plan file and uses the built-in plan. */
export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), 'genai-cost-grafana-'));
}
