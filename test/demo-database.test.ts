import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClickHouseClient } from '@genai-cost/clickhouse';
import { DEMO_MARK } from '../packages/cli/src/demo/database.js';
import { runCli } from '../packages/cli/src/test-support/runCli.js';

// One chDB directory for this file: chDB binds one data path per process.
const dir = mkdtempSync(join(tmpdir(), 'genai-cost-demo-db-'));
const env = { CLICKHOUSE_URL: `chdb:${join(dir, 'chdb')}` };
const demo = (...argv: string[]) => runCli(['demo', '--users', '20', '--days', '1', ...argv], { env, cwd: dir });

/** Runs `fn` with a client on the test's chDB directory, closed afterwards so the CLI can open it. */
async function withClient<T>(fn: (query: (sql: string) => Promise<Record<string, string>[]>, command: (sql: string) => Promise<void>) => Promise<T>): Promise<T> {
  const { client, close } = await createClickHouseClient({ url: env.CLICKHOUSE_URL });
  try {
    return await fn(
      async (query) => (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, string>>(),
      async (query) => void (await client.command({ query })),
    );
  } finally {
    await close();
  }
}

const spans = (db: string) => withClient(async (query) => Number((await query(`SELECT count() AS n FROM ${db}.genai_spans`))[0]!.n));

describe('genai-cost demo never drops what it did not create', () => {
  it('refuses, with exit status 2, a database it did not create, and leaves its tables and rows alone', async () => {
    await withClient(async (_query, command) => {
      await command('CREATE DATABASE shop');
      await command('CREATE TABLE shop.orders (id UInt64, total Float64) ENGINE = MergeTree ORDER BY id');
      await command('INSERT INTO shop.orders VALUES (1, 9.5), (2, 19)');
    });
    const run = await demo('--database', 'shop');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'genai-cost demo: database "shop" exists and is not a demo database (it does not carry the mark genai-cost demo sets on the databases it ' +
        'creates), so the demo will not drop or write to it. Give another --database, or drop "shop" yourself if its data may go.\n',
    );
    const left = await withClient((query) => query('SELECT name FROM system.tables WHERE database = \'shop\' ORDER BY name'));
    expect(left).toEqual([{ name: 'orders' }]);
    expect(await withClient((query) => query('SELECT sum(total) AS total FROM shop.orders'))).toEqual([{ total: 28.5 }]);
  });

  it('refuses the real genai-cost database that `migrate` created, even when empty', async () => {
    expect((await runCli(['migrate'], { env, cwd: dir })).code).toBe(0);
    const run = await demo('--database', 'genai_cost');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('database "genai_cost" exists and is not a demo database');
  });

  it('creates its database with the demo mark, recreates it on the next run, and keeps its history under --continuous', async () => {
    const first = await demo('--database', 'demo_a');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('Fresh demo database: created demo_a, marked as a demo database, and its tables');
    expect(await withClient((query) => query("SELECT comment FROM system.databases WHERE name = 'demo_a'"))).toEqual([{ comment: DEMO_MARK }]);
    const written = await spans('demo_a');
    expect(written).toBeGreaterThan(0);

    const again = await demo('--database', 'demo_a');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Fresh demo database: dropped demo_a and recreated its tables');
    expect(await spans('demo_a')).toBe(written);

    // A restarted live demo (as docker compose restarts it) continues; it does not rewrite history.
    const stopped = new AbortController();
    stopped.abort();
    const live = await runCli(['demo', '--users', '20', '--days', '1', '--continuous', '--database', 'demo_a'], { env, cwd: dir, stop: stopped.signal });
    expect(live.code).toBe(0);
    expect(live.stdout).toContain(`Demo database demo_a: keeping its history (${written.toLocaleString('en-US')} spans; 0 migrations applied now)`);
    expect(live.stdout).not.toContain('Fresh demo database');
    expect(await spans('demo_a')).toBe(written);
  });
});
