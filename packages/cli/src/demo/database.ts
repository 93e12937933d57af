import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES, migrate } from '@genai-cost/clickhouse';
import { CliError } from '../errors.js';

/**
 * The comment that marks a database as the demo's own. The demo drops and rewrites only databases
 * that carry it, and sets it on every database it creates.
 */
export const DEMO_MARK = 'genai-cost demo database: generated data, dropped and recreated by genai-cost demo';

/** What a database name holds: nothing yet, a demo database, or someone else's data. */
export type DatabaseState = 'missing' | 'demo' | 'foreign';

/** What {@link prepareDemoDatabase} did. */
export interface PreparedDemoDatabase {
  /** `created`: it did not exist; `recreated`: a demo database dropped and created again; `kept`: its history was kept. */
  action: 'created' | 'recreated' | 'kept';
  /** Migrations applied now. */
  migrations: number;
  /** Spans already in it when kept. */
  keptSpans: number;
}

/** Whether `database` exists and carries the demo mark. */
export async function databaseState(client: ClickHouseClient, database: string): Promise<DatabaseState> {
  const result = await client.query({
    query: 'SELECT comment FROM system.databases WHERE name = {database:String}',
    query_params: { database },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ comment: string }>();
  if (row === undefined) return 'missing';
  return row.comment === DEMO_MARK ? 'demo' : 'foreign';
}

async function spanCount(client: ClickHouseClient, database: string): Promise<number> {
  const result = await client.query({ query: `SELECT count() AS n FROM ${database}.${TABLES.spans}`, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string }>();
  return Number(row?.n ?? 0);
}

/**
 * Makes `database` ready for the demo: creates it with the demo mark when missing; drops and
 * recreates it when it carries the mark, unless `keepHistory` and it already holds spans (live
 * traffic goes on after a restart instead of rewriting history). A database without the mark is
 * never touched: exit status 2 with a message saying why.
 */
export async function prepareDemoDatabase(client: ClickHouseClient, database: string, keepHistory: boolean): Promise<PreparedDemoDatabase> {
  const state = await databaseState(client, database);
  if (state === 'foreign') {
    throw new CliError(
      `genai-cost demo: database "${database}" exists and is not a demo database (it does not carry the mark genai-cost demo sets on the ` +
        `databases it creates), so the demo will not drop or write to it. Give another --database, or drop "${database}" yourself if its data may go.`,
      2,
    );
  }
  if (state === 'demo' && keepHistory) {
    const migrated = await migrate(client, { database });
    const keptSpans = await spanCount(client, database);
    if (keptSpans > 0) return { action: 'kept', migrations: migrated.applied.length, keptSpans };
  }
  if (state === 'demo') await client.command({ query: `DROP DATABASE IF EXISTS ${database} SYNC` });
  await client.command({ query: `CREATE DATABASE ${database} COMMENT '${DEMO_MARK}'` });
  const migrated = await migrate(client, { database });
  return { action: state === 'demo' ? 'recreated' : 'created', migrations: migrated.applied.length, keptSpans: 0 };
}
