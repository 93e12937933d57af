import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { budgetScopesStatements } from './budgetScopes.js';
import { ClickHouseConfigError, describeIssue } from './errors.js';
import { SCHEMA } from './schema.js';
import type { SchemaOptions } from './schema.js';
import { DEFAULT_DATABASE, LOCAL_SUFFIX, M, SPAN_COLUMNS, TABLES, identifier, qualified } from './tables.js';

/** Options of `migrate` and `migrationSql`; all optional. */
export interface MigrateOptions {
  /** Database to create the tables in. Default: `genai_cost`. */
  database?: string;
  /** Cluster name: every DDL gets `ON CLUSTER`, data tables become `<name>_local` behind Distributed `<name>`. Default: none (single node). */
  cluster?: string;
  /** Months raw spans and rollups are kept (TTL, whole partitions dropped). Applies when a table is created. Default: 13. */
  ttlMonths?: number;
  /** Use Replicated*MergeTree engines. Default: true when `cluster` is set, else false. */
  replicated?: boolean;
}

/** What `migrate` did: versions applied now and versions found already applied. */
export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
}

/** One schema version; its statements are idempotent so a run interrupted half-way can be repeated. */
interface Migration {
  version: string;
  statements: (o: SchemaOptions) => string[];
}

/** The schema versions in order. Append new ones; never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: '0001_genai_spans', statements: SCHEMA.spans },
  { version: '0002_genai_user_daily', statements: SCHEMA.userDaily },
  { version: '0003_genai_session_daily', statements: SCHEMA.sessionDaily },
  { version: '0004_plans', statements: SCHEMA.plans },
  { version: '0005_budget_events', statements: SCHEMA.budgetEvents },
  { version: '0006_span_usage_details', statements: addSpanColumns(['ScopeName', 'ServiceTier', 'CacheWrite1hTokens', 'UsageIncomplete']) },
  { version: '0007_genai_spans_rejected', statements: SCHEMA.spansRejected },
  { version: '0008_budget_scopes', statements: budgetScopesStatements },
  { version: '0009_users', statements: SCHEMA.users },
  {
    version: '0010_span_dimensions',
    statements: addSpanColumns(['Region', 'AudioInputTokens', 'AudioOutputTokens', 'ImageInputTokens', 'ImageOutputTokens', 'WebSearchRequests']),
  },
  { version: '0011_span_tags', statements: (o) => [...addSpanColumns(['Tags'])(o), ...SCHEMA.tagDaily(o)] },
];

/**
 * Adds columns of SPAN_COLUMNS to a spans table created before them, each in its place (AFTER the
 * column before it), so old and new tables have one layout; on a cluster the shard-local tables
 * and the Distributed one. A fresh table already has them: IF NOT EXISTS makes this a no-op.
 */
function addSpanColumns(columns: readonly (keyof typeof SPAN_COLUMNS)[]): (o: SchemaOptions) => string[] {
  const order = Object.keys(SPAN_COLUMNS);
  return (o) => {
    const db = identifier(o.database, 'database');
    const onCluster = o.cluster === undefined ? '' : ` ON CLUSTER '${o.cluster}'`;
    const tables = o.cluster === undefined ? [TABLES.spans] : [TABLES.spans + LOCAL_SUFFIX, TABLES.spans];
    return tables.flatMap((table) =>
      columns.map((c) => `ALTER TABLE ${db}.${table}${onCluster} ADD COLUMN IF NOT EXISTS ${c} ${SPAN_COLUMNS[c]} AFTER ${order[order.indexOf(c) - 1]}`),
    );
  };
}

const optionsSchema = z.strictObject({
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected letters, digits and underscores').optional(),
  cluster: z.string().regex(/^[A-Za-z0-9_.-]+$/, "expected a cluster name of letters, digits, '_', '.', '-'").optional(),
  ttlMonths: z.number().int('expected a whole number of months').min(1, 'expected at least 1 month').optional(),
  replicated: z.boolean().optional(),
});

/** Validates the options and applies defaults in one place. */
export function resolveMigrateOptions(options: MigrateOptions = {}): SchemaOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new ClickHouseConfigError(`migrate option ${describeIssue(parsed.error)}`);
  const o = parsed.data;
  return {
    database: o.database ?? DEFAULT_DATABASE,
    cluster: o.cluster,
    ttlMonths: o.ttlMonths ?? 13,
    replicated: o.replicated ?? o.cluster !== undefined,
  };
}

function bootstrap(o: SchemaOptions): string[] {
  return [...SCHEMA.database(o), ...SCHEMA.migrations(o)];
}

/** Every statement `migrate` may run, in order: for review, for DBAs who apply DDL by hand, and for tests. */
export function migrationSql(options: MigrateOptions = {}): string[] {
  const o = resolveMigrateOptions(options);
  return [...bootstrap(o), ...MIGRATIONS.flatMap((m) => m.statements(o))];
}

/**
 * Creates the database and applies the migrations not yet recorded in `schema_migrations`, in
 * order, recording each once all its statements succeeded. Re-running applies nothing.
 */
export async function migrate(client: ClickHouseClient, options: MigrateOptions = {}): Promise<MigrateResult> {
  const o = resolveMigrateOptions(options);
  for (const query of bootstrap(o)) await client.command({ query });
  const table = qualified(o.database, TABLES.migrations);
  const done = await client.query({ query: `SELECT ${M.Version} AS version FROM ${table} FINAL`, format: 'JSONEachRow' });
  const applied = new Set((await done.json<{ version: string }>()).map((r) => r.version));
  const result: MigrateResult = { applied: [], alreadyApplied: [] };
  for (const m of MIGRATIONS) {
    if (applied.has(m.version)) {
      result.alreadyApplied.push(m.version);
      continue;
    }
    for (const query of m.statements(o)) await client.command({ query });
    await client.insert({
      table,
      values: [{ [M.Version]: m.version, [M.AppliedAt]: (Date.now() / 1000).toFixed(3) }],
      format: 'JSONEachRow',
      });
    result.applied.push(m.version);
  }
  return result;
}
