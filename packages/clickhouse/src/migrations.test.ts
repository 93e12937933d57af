import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseConfigError } from './errors.js';
import { MIGRATIONS, migrate, migrationSql } from './migrations.js';
import { TestChdb } from './test-support/chdb.js';

describe('migrationSql on a cluster', () => {
  const sql = migrationSql({ database: 'gc', cluster: 'prod', ttlMonths: 6 });
  const ddl = sql.filter((s) => s.startsWith('CREATE') || s.startsWith('ALTER'));

  it('puts ON CLUSTER on every statement', () => {
    expect(sql.length).toBe(ddl.length);
    for (const s of ddl) expect(s).toContain("ON CLUSTER 'prod'");
  });

  it('makes every data table Replicated and puts a Distributed table over each shard-local one', () => {
    const tables = ddl.filter((s) => s.startsWith('CREATE TABLE') && !s.includes('Distributed('));
    for (const s of tables) expect(s).toMatch(/ENGINE = Replicated(Aggregating|Replacing)?MergeTree\('\/clickhouse\/tables\//);
    for (const name of ['genai_spans', 'genai_user_daily', 'genai_session_daily', 'genai_tag_daily']) {
      const local = ddl.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS gc.${name}_local ON CLUSTER`));
      expect(local, name).toContain("'/clickhouse/tables/{shard}/{database}/{table}', '{replica}'");
      const dist = ddl.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS gc.${name} ON CLUSTER`));
      expect(dist, name).toContain(`AS gc.${name}_local`);
      expect(dist, name).toContain(`ENGINE = Distributed('prod', 'gc', '${name}_local', cityHash64(`);
    }
  });

  it('feeds the shard-local rollups from the shard-local spans', () => {
    const view = ddl.find((s) => s.includes('MATERIALIZED VIEW IF NOT EXISTS gc.genai_user_daily_mv'))!;
    expect(view).toContain('TO gc.genai_user_daily_local AS');
    expect(view).toContain('FROM gc.genai_spans_local');
  });

  it('copies plans, imported users and migration records to every node instead of sharding them', () => {
    const plans = ddl.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS gc.plans ON CLUSTER'))!;
    expect(plans).toContain("ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}', Version)");
    expect(ddl.some((s) => s.includes('gc.plans_local'))).toBe(false);
    const users = ddl.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS gc.users ON CLUSTER'))!;
    expect(users).toContain("ReplicatedMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}')");
    expect(ddl.some((s) => s.includes('gc.users_local'))).toBe(false);
  });

  it('applies the TTL and keeps the single-node dedup window out of replicated tables', () => {
    const spans = ddl.find((s) => s.startsWith('CREATE TABLE IF NOT EXISTS gc.genai_spans_local'))!;
    expect(spans).toContain('TTL toDateTime(Timestamp) + toIntervalMonth(6)');
    expect(spans).toContain('ttl_only_drop_parts = 1');
    expect(spans).toContain('replicated_deduplication_window');
    expect(spans).not.toContain('non_replicated_deduplication_window');
  });
});

describe('migrationSql on a single node', () => {
  it('has no ON CLUSTER, no Distributed and no Replicated engines', () => {
    const sql = migrationSql().join('\n');
    expect(sql).not.toMatch(/ON CLUSTER|Distributed|Replicated/);
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS genai_cost.genai_spans\n');
    expect(sql).toContain('non_replicated_deduplication_window = 1000');
    expect(sql).toContain('TTL toDateTime(Timestamp) + toIntervalMonth(13)');
  });

  it('uses replicated engines without a cluster when asked', () => {
    const sql = migrationSql({ replicated: true }).join('\n');
    expect(sql).toContain('ENGINE = ReplicatedMergeTree(');
    expect(sql).not.toMatch(/ON CLUSTER|Distributed/);
  });

  it('rejects invalid options, naming them', () => {
    expect(() => migrationSql({ database: 'bad-name' })).toThrow(ClickHouseConfigError);
    expect(() => migrationSql({ database: 'bad-name' })).toThrow(/"database"/);
    expect(() => migrationSql({ ttlMonths: 0 })).toThrow(/"ttlMonths": expected at least 1 month/);
    expect(() => migrationSql({ cluster: "x'; DROP" })).toThrow(/"cluster"/);
  });
});

describe('migrate on chDB', () => {
  let ch: TestChdb;
  beforeAll(() => {
    ch = new TestChdb();
  });
  afterAll(async () => {
    await ch.close();
  });

  it('applies every version once; a second run applies nothing', async () => {
    const first = await migrate(ch.client, { database: 'migrate_twice' });
    expect(first).toEqual({ applied: MIGRATIONS.map((m) => m.version), alreadyApplied: [] });
    const second = await migrate(ch.client, { database: 'migrate_twice' });
    expect(second).toEqual({ applied: [], alreadyApplied: MIGRATIONS.map((m) => m.version) });
    const tables = await ch.rows<{ name: string }>(`SELECT name FROM system.tables WHERE database = 'migrate_twice' ORDER BY name`);
    expect(tables.map((t) => t.name)).toEqual([
      'budget_events',
      'genai_session_daily',
      'genai_session_daily_mv',
      'genai_spans',
      'genai_spans_rejected',
      'genai_tag_daily',
      'genai_tag_daily_mv',
      'genai_user_daily',
      'genai_user_daily_mv',
      'plans',
      'schema_migrations',
      'users',
    ]);
  });

  it('adds the AI COGS target to a plans table created before it', async () => {
    await migrate(ch.client, { database: 'migrate_old_plans' });
    await ch.client.command({ query: 'ALTER TABLE migrate_old_plans.plans DROP COLUMN TargetAiCogsPct' });
    await ch.client.command({ query: `DELETE FROM migrate_old_plans.schema_migrations WHERE Version = '0009_users'` });
    expect((await migrate(ch.client, { database: 'migrate_old_plans' })).applied).toEqual(['0009_users']);
    const columns = await ch.rows<{ name: string }>(`SELECT name FROM system.columns WHERE database = 'migrate_old_plans' AND table = 'plans' AND name = 'TargetAiCogsPct'`);
    expect(columns).toHaveLength(1);
  });

  it('finishes a run that stopped half-way', async () => {
    await migrate(ch.client, { database: 'migrate_resume' });
    await ch.client.command({ query: `DELETE FROM migrate_resume.schema_migrations WHERE Version >= '0003'` });
    const resumed = await migrate(ch.client, { database: 'migrate_resume' });
    expect(resumed.applied).toEqual(MIGRATIONS.map((m) => m.version).filter((v) => v >= '0003'));
  });

  it('adds the usage-detail columns to a spans table made before them, in their places', async () => {
    await migrate(ch.client, { database: 'migrate_0006' });
    for (const c of ['ScopeName', 'ServiceTier', 'CacheWrite1hTokens', 'UsageIncomplete']) {
      await ch.client.command({ query: `ALTER TABLE migrate_0006.genai_spans DROP COLUMN ${c}` });
    }
    await ch.client.command({ query: `DELETE FROM migrate_0006.schema_migrations WHERE Version = '0006_span_usage_details'` });
    expect((await migrate(ch.client, { database: 'migrate_0006' })).applied).toEqual(['0006_span_usage_details']);
    const fresh = await migrate(ch.client, { database: 'migrate_0006_fresh' });
    expect(fresh.applied).toContain('0006_span_usage_details');
    const columns = async (db: string) =>
      (await (await ch.client.query({ query: `SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'genai_spans' ORDER BY position`, format: 'JSONEachRow' })).json()) as unknown[];
    expect(await columns('migrate_0006')).toEqual(await columns('migrate_0006_fresh'));
  });

  it('adds the billing-dimension columns (0010) to a spans table made before them, in their places, keeping its rows', async () => {
    const added = ['Region', 'AudioInputTokens', 'AudioOutputTokens', 'ImageInputTokens', 'ImageOutputTokens', 'WebSearchRequests'];
    await migrate(ch.client, { database: 'migrate_0010' });
    for (const c of added) await ch.client.command({ query: `ALTER TABLE migrate_0010.genai_spans DROP COLUMN ${c}` });
    await ch.client.command({ query: `DELETE FROM migrate_0010.schema_migrations WHERE Version = '0010_span_dimensions'` });
    await ch.client.command({ query: `INSERT INTO migrate_0010.genai_spans (Timestamp, TraceId, SpanId, SpanRole, InputTokens) VALUES (now64(9), 't', 's', 'inference', 7)` });
    expect((await migrate(ch.client, { database: 'migrate_0010' })).applied).toEqual(['0010_span_dimensions']);
    const columns = async (db: string) => ch.rows(`SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'genai_spans' ORDER BY position`);
    await migrate(ch.client, { database: 'migrate_0010_fresh' });
    expect(await columns('migrate_0010')).toEqual(await columns('migrate_0010_fresh'));
    expect(await ch.rows(`SELECT InputTokens, Region, AudioInputTokens, WebSearchRequests FROM migrate_0010.genai_spans`)).toEqual([
      { InputTokens: 7, Region: '', AudioInputTokens: 0, WebSearchRequests: 0 },
    ]);
  });

  it('adds the Tags map after Feature and the tag rollup to a database made before them; old rows have no tags', async () => {
    await migrate(ch.client, { database: 'migrate_0011' });
    await ch.client.command({ query: 'DROP VIEW migrate_0011.genai_tag_daily_mv' });
    await ch.client.command({ query: 'DROP TABLE migrate_0011.genai_tag_daily' });
    await ch.client.command({ query: 'ALTER TABLE migrate_0011.genai_spans DROP COLUMN Tags' });
    await ch.client.command({ query: `INSERT INTO migrate_0011.genai_spans (Timestamp, SpanId, Feature) VALUES (now(), 'old', 'chat')` });
    await ch.client.command({ query: `DELETE FROM migrate_0011.schema_migrations WHERE Version = '0011_span_tags'` });
    expect((await migrate(ch.client, { database: 'migrate_0011' })).applied).toEqual(['0011_span_tags']);
    const columns = (db: string) => ch.rows<{ name: string; type: string }>(`SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'genai_spans' ORDER BY position`);
    await migrate(ch.client, { database: 'migrate_0011_fresh' });
    const migrated = await columns('migrate_0011');
    expect(migrated).toEqual(await columns('migrate_0011_fresh'));
    const at = migrated.findIndex((c) => c.name === 'Tags');
    expect(migrated.slice(at - 1, at + 1)).toEqual([
      { name: 'Feature', type: 'LowCardinality(String)' },
      { name: 'Tags', type: 'Map(LowCardinality(String), String)' },
    ]);
    expect(await ch.rows(`SELECT Tags FROM migrate_0011.genai_spans`)).toEqual([{ Tags: {} }]);
    await ch.client.command({ query: `INSERT INTO migrate_0011.genai_spans (Timestamp, SpanId, SpanRole, UserId, Tags) VALUES (now(), 'new', 'inference', 'u', map('region', 'eu', 'plan_variant', 'b'))` });
    expect(await ch.rows(`SELECT TagKey, TagValue, UserId, toString(Calls) AS Calls FROM migrate_0011.genai_tag_daily ORDER BY TagKey`)).toEqual([
      { TagKey: 'plan_variant', TagValue: 'b', UserId: 'u', Calls: '1' },
      { TagKey: 'region', TagValue: 'eu', UserId: 'u', Calls: '1' },
    ]);
  });
});
