import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, resolveMigrateOptions } from './migrations.js';
import { planRow, readPlans, replacePlans } from './plans.js';
import { TestChdb } from './test-support/chdb.js';

let ch: TestChdb;
beforeAll(() => {
  ch = new TestChdb();
});
afterAll(async () => ch.close());

/** Puts `plans` and `budget_events` back as migrations 0004 and 0005 created them, with rows written then. */
async function asBefore0008(db: string): Promise<void> {
  for (const query of [
    `DROP TABLE ${db}.plans`,
    `CREATE TABLE ${db}.plans (Version UInt64, Kind Enum8('meta' = 0, 'tier' = 1, 'user' = 2, 'feature' = 3), Key String,
       Tier LowCardinality(String), MonthlyPriceUsd Nullable(Float64), MonthlyBudgetUsd Nullable(Float64),
       Action Nullable(Enum8('block' = 0, 'warn' = 1, 'degrade' = 2, 'dry-run' = 3)), TargetMarginPct Nullable(Float64),
       DegradeModel Nullable(String), FeatureRevenuePerUserUsd Nullable(Float64))
     ENGINE = ReplacingMergeTree(Version) ORDER BY (Kind, Key)`,
    `DROP TABLE ${db}.budget_events`,
    `CREATE TABLE ${db}.budget_events (Timestamp DateTime64(3, 'UTC'), ServiceName LowCardinality(String), UserId String,
       Tier LowCardinality(String), SessionId String, State Enum8('warning' = 0, 'exceeded' = 1),
       Action Enum8('allow' = 0, 'block' = 1, 'warn' = 2, 'degrade' = 3, 'dry-run' = 4), Scope Enum8('period' = 0, 'session' = 1),
       SpentUsd Float64, LimitUsd Float64)
     ENGINE = MergeTree PARTITION BY toYYYYMM(Timestamp) ORDER BY (Tier, Action, Timestamp)`,
    // 0009 adds a plans column too, so the old table needs it run again.
    `DELETE FROM ${db}.schema_migrations WHERE Version IN ('0008_budget_scopes', '0009_users')`,
    `INSERT INTO ${db}.budget_events (Timestamp, UserId, Tier, State, Action, Scope, SpentUsd, LimitUsd) VALUES (now64(3), 'u1', 'free', 'exceeded', 'block', 'period', 5, 5)`,
    `INSERT INTO ${db}.plans (Version, Kind, Key, Tier, MonthlyBudgetUsd, Action) VALUES (1, 'tier', 'free', 'free', 5, 'block')`,
  ]) {
    await ch.client.command({ query });
  }
}

describe('migration 0008_budget_scopes', () => {
  it('brings a database created before it up to date with ALTERs, keeping its rows', async () => {
    const db = 'before_0008';
    await migrate(ch.client, { database: db });
    await asBefore0008(db);

    expect((await migrate(ch.client, { database: db })).applied).toEqual(['0008_budget_scopes', '0009_users']);
    expect(await ch.rows(`SELECT toString(Scope) AS scope, Feature AS feature, ToolCalls AS toolCalls FROM ${db}.budget_events`)).toEqual([
      { scope: 'period', feature: '', toolCalls: 0 },
    ]);
    expect(await readPlans(ch.client, db)).toEqual([
      planRow({ kind: 'tier', key: 'free', tier: 'free', monthlyBudgetUsd: 5, action: 'block' }),
    ]);
    await ch.client.insert({
      table: `${db}.budget_events`,
      values: [{ Timestamp: (Date.now() / 1000).toFixed(3), UserId: 'u2', State: 'loop', Action: 'block', Scope: 'tenant', TenantId: 'acme', ToolName: 'search', ToolCalls: 3 }],
      format: 'JSONEachRow',
    });
    const tenant = planRow({ kind: 'tenant', key: 'acme', monthlyBudgetUsd: 200, action: 'block', warnAtPct: 75, blockAtPct: 150 });
    await replacePlans(ch.client, db, [tenant]);
    expect(await readPlans(ch.client, db)).toEqual([tenant]);
    expect(await ch.rows(`SELECT toString(State) AS state, toString(Scope) AS scope, ToolName AS tool FROM ${db}.budget_events WHERE UserId = 'u2'`)).toEqual([
      { state: 'loop', scope: 'tenant', tool: 'search' },
    ]);
  });

  it('is a no-op on a database created with the new columns', async () => {
    const db = 'fresh_0008';
    await migrate(ch.client, { database: db });
    const columns = await ch.rows<{ name: string }>(`SELECT name FROM system.columns WHERE database = '${db}' AND table = 'budget_events' ORDER BY position`);
    expect(columns.map((c) => c.name).slice(-4)).toEqual(['Feature', 'TenantId', 'ToolName', 'ToolCalls']);
  });

  it('alters the shard-local budget_events and the Distributed table over it on a cluster', () => {
    const migration = MIGRATIONS.find((m) => m.version === '0008_budget_scopes')!;
    const alters = migration.statements(resolveMigrateOptions({ database: 'gc', cluster: 'prod' })).filter((s) => s.startsWith('ALTER TABLE'));
    expect(alters.map((s) => s.split('\n')[0])).toEqual([
      "ALTER TABLE gc.plans ON CLUSTER 'prod'",
      "ALTER TABLE gc.budget_events_local ON CLUSTER 'prod'",
      "ALTER TABLE gc.budget_events ON CLUSTER 'prod'",
    ]);
    expect(alters[1]).toContain("MODIFY COLUMN Scope Enum8('period' = 0, 'session' = 1, 'user' = 2, 'feature' = 3, 'tenant' = 4)");
    expect(alters[1]).toContain('ADD COLUMN IF NOT EXISTS ToolCalls UInt32');
  });
});
