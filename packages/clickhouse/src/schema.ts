import { sessionDailyAggregation, tagDailyAggregation, userDailyAggregation } from './rollups.js';
import {
  B,
  BUDGET_EVENT_COLUMNS,
  IMPORTED_USER_COLUMNS,
  IU,
  LOCAL_SUFFIX,
  M,
  MIGRATION_COLUMNS,
  P,
  PLAN_COLUMNS,
  R,
  SPAN_REJECTED_COLUMNS,
  S,
  SESSION_DAILY_COLUMNS,
  SPAN_COLUMNS,
  SS,
  TABLES,
  TAG_DAILY_COLUMNS,
  TG,
  U,
  USER_DAILY_COLUMNS,
  identifier,
} from './tables.js';

/** Where and how the schema is created; `migrate` fills it from `MigrateOptions`. */
export interface SchemaOptions {
  database: string;
  /** Cluster name for `ON CLUSTER` DDL and Distributed tables, or undefined on a single node. */
  cluster: string | undefined;
  /** Months raw spans and rollups are kept. */
  ttlMonths: number;
  /** Use Replicated*MergeTree engines. */
  replicated: boolean;
}

type Engine = 'MergeTree' | 'AggregatingMergeTree' | 'ReplacingMergeTree';

interface TableSpec {
  name: string;
  columns: Record<string, string>;
  engine: Engine;
  engineArgs?: string;
  /** Copied to every node rather than sharded: small tables read by every query. */
  everyNode?: boolean;
  extra: string;
  /** Sharding key of the Distributed table; undefined for `everyNode` tables. */
  shardBy?: string;
}

/**
 * Deduplication: the exporter sends `insert_deduplication_token` so a retried batch is stored once.
 * Replicated tables always deduplicate; a single-node MergeTree only with a window > 0. The rollups
 * need the window too: with `deduplicate_blocks_in_dependent_materialized_views` a retried batch is
 * dropped from each view's target by a token derived from the batch's.
 */
function dedupSetting(o: SchemaOptions): string {
  return o.replicated ? 'replicated_deduplication_window = 1000' : 'non_replicated_deduplication_window = 1000';
}

/**
 * genai_spans. Daily partitions, as in the OTel Collector's otel_traces: the metric queries read raw
 * spans only for the partial first and last day of a window (whole days come from the rollups), and
 * a day partition makes that read touch one day. ORDER BY (Tier, UserId, Timestamp) keeps a user's
 * spans together in tier order, which serves per-tier and per-user reads and makes the Timestamp
 * delta codec effective. TTL with ttl_only_drop_parts drops whole day partitions instead of
 * rewriting parts. Typed columns carry everything the queries aggregate, because reading one key of
 * a Map reads the whole map; the map keeps the rest for drill-down.
 */
function spansSpec(): TableSpec {
  return {
    name: TABLES.spans,
    columns: SPAN_COLUMNS,
    engine: 'MergeTree',
    extra: [
      `INDEX idx_trace_id ${S.TraceId} TYPE bloom_filter(0.001) GRANULARITY 1`,
      `INDEX idx_session_id ${S.SessionId} TYPE bloom_filter(0.01) GRANULARITY 1`,
    ]
      .map((i) => `,\n  ${i}`)
      .join(''),
    shardBy: `cityHash64(${S.UserId})`,
  };
}

/** Statements that create the schema; each list is idempotent (IF NOT EXISTS). */
export const SCHEMA = {
  database: (o: SchemaOptions): string[] => [`CREATE DATABASE IF NOT EXISTS ${db(o)}${onCluster(o)}`],

  migrations: (o: SchemaOptions): string[] =>
    create(o, {
      name: TABLES.migrations,
      columns: MIGRATION_COLUMNS,
      engine: 'ReplacingMergeTree',
      everyNode: true,
      extra: '',
    }, `ORDER BY ${M.Version}`),

  spans: (o: SchemaOptions): string[] =>
    create(
      o,
      spansSpec(),
      `PARTITION BY toDate(${S.Timestamp})
ORDER BY (${S.Tier}, ${S.UserId}, ${S.Timestamp})
TTL toDateTime(${S.Timestamp}) + toIntervalMonth(${o.ttlMonths})
SETTINGS ttl_only_drop_parts = 1, ${dedupSetting(o)}`,
    ),

  /**
   * Daily per-user rollup. AggregatingMergeTree with SimpleAggregateFunction(sum) for the sums and
   * argMax state for the latest tier; the key holds every dimension a filter may name, so filtered
   * rollup reads equal filtered raw reads.
   */
  userDaily: (o: SchemaOptions): string[] => [
    ...create(
      o,
      { name: TABLES.userDaily, columns: USER_DAILY_COLUMNS, engine: 'AggregatingMergeTree', extra: '', shardBy: `cityHash64(${U.UserId})` },
      rollupTail(o, [U.Day, U.Tier, U.UserId, U.TenantId, U.ServiceName, U.Feature, U.Provider, U.Model]),
    ),
    view(o, TABLES.userDailyMv, TABLES.userDaily, userDailyAggregation(local(o, TABLES.spans))),
  ],

  /** Daily per-session rollup for session cost percentiles. */
  sessionDaily: (o: SchemaOptions): string[] => [
    ...create(
      o,
      { name: TABLES.sessionDaily, columns: SESSION_DAILY_COLUMNS, engine: 'AggregatingMergeTree', extra: '', shardBy: `cityHash64(${SS.SessionId})` },
      rollupTail(o, [SS.Day, SS.Tier, SS.Feature, SS.SessionId, SS.ServiceName, SS.Provider, SS.Model]),
    ),
    view(o, TABLES.sessionDailyMv, TABLES.sessionDaily, sessionDailyAggregation(local(o, TABLES.spans))),
  ],

  /**
   * Daily per-user rollup per tag, for reports and dashboards by tag. Keyed by the tag first: every
   * read names one key. Spans stored before the Tags column had no tags, so an empty table is
   * complete when it is created.
   */
  tagDaily: (o: SchemaOptions): string[] => [
    ...create(
      o,
      { name: TABLES.tagDaily, columns: TAG_DAILY_COLUMNS, engine: 'AggregatingMergeTree', extra: '', shardBy: `cityHash64(${TG.UserId})` },
      rollupTail(o, [TG.TagKey, TG.Day, TG.TagValue, TG.Tier, TG.UserId, TG.TenantId, TG.ServiceName, TG.Feature, TG.Provider, TG.Model]),
    ),
    view(o, TABLES.tagDailyMv, TABLES.tagDaily, tagDailyAggregation(local(o, TABLES.spans))),
  ],

  /** Plans: ReplacingMergeTree(Version) keyed by kind and key; see `replacePlans`. */
  plans: (o: SchemaOptions): string[] =>
    create(
      o,
      { name: TABLES.plans, columns: PLAN_COLUMNS, engine: 'ReplacingMergeTree', engineArgs: P.Version, everyNode: true, extra: '' },
      `ORDER BY (${P.Kind}, ${P.Key})`,
    ),

  /**
   * Users imported from billing, on every node like `plans`. One partition per import (Version),
   * so `replaceUsers` drops a superseded import whole, without a mutation; see `replaceUsers`.
   * Also adds the plans' per-tier AI COGS target.
   */
  users: (o: SchemaOptions): string[] => [
    ...create(
      o,
      { name: TABLES.users, columns: IMPORTED_USER_COLUMNS, engine: 'MergeTree', everyNode: true, extra: '' },
      `PARTITION BY ${IU.Version}
ORDER BY ${IU.UserId}`,
    ),
    addColumn(o, TABLES.plans, P.TargetAiCogsPct, PLAN_COLUMNS.TargetAiCogsPct),
  ],

  /** Budget decisions other than ok; kept as long as the spans, ordered for per-tier counts over time. */
  budgetEvents: (o: SchemaOptions): string[] =>
    create(
      o,
      { name: TABLES.budgetEvents, columns: BUDGET_EVENT_COLUMNS, engine: 'MergeTree', extra: '', shardBy: `cityHash64(${B.UserId})` },
      `PARTITION BY toYYYYMM(${B.Timestamp})
ORDER BY (${B.Tier}, ${B.Action}, ${B.Timestamp})
TTL toDateTime(${B.Timestamp}) + toIntervalMonth(${o.ttlMonths})
SETTINGS ttl_only_drop_parts = 1`,
    ),

  /**
   * Dead-letter rows, kept as long as the spans. Deduplicated like the spans, so a batch replayed
   * after a crash does not list its bad rows twice.
   */
  spansRejected: (o: SchemaOptions): string[] =>
    create(
      o,
      { name: TABLES.spansRejected, columns: SPAN_REJECTED_COLUMNS, engine: 'MergeTree', extra: '', shardBy: `cityHash64(${R.SpanId})` },
      `PARTITION BY toYYYYMM(${R.RejectedAt})
ORDER BY (${R.RejectedAt}, ${R.TraceId})
TTL toDateTime(${R.RejectedAt}) + toIntervalMonth(${o.ttlMonths})
SETTINGS ttl_only_drop_parts = 1, ${dedupSetting(o)}`,
    ),
} as const;

function rollupTail(o: SchemaOptions, key: string[]): string {
  return `PARTITION BY toYYYYMM(Day)
ORDER BY (${key.join(', ')})
TTL Day + toIntervalMonth(${o.ttlMonths})
SETTINGS ttl_only_drop_parts = 1, ${dedupSetting(o)}`;
}

function db(o: SchemaOptions): string {
  return identifier(o.database, 'database');
}

function onCluster(o: SchemaOptions): string {
  return o.cluster === undefined ? '' : ` ON CLUSTER '${clusterName(o.cluster)}'`;
}

function clusterName(cluster: string): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(cluster)) throw new Error(`invalid cluster name "${cluster}": expected letters, digits, '_', '.', '-'`);
  return cluster;
}

/** Sharded tables hold data in `<name>_local` on a cluster, behind a Distributed `<name>`. */
function sharded(o: SchemaOptions, spec: TableSpec): boolean {
  return o.cluster !== undefined && spec.everyNode !== true;
}

function local(o: SchemaOptions, name: string): string {
  return `${db(o)}.${o.cluster === undefined ? name : name + LOCAL_SUFFIX}`;
}

function engine(o: SchemaOptions, spec: TableSpec): string {
  const args = spec.engineArgs === undefined ? [] : [spec.engineArgs];
  if (!o.replicated) return `${spec.engine}(${args.join(', ')})`;
  // Shard-local data replicates within its shard; every-node tables form one group across the cluster.
  const path = spec.everyNode === true ? '/clickhouse/tables/all/{database}/{table}' : '/clickhouse/tables/{shard}/{database}/{table}';
  return `Replicated${spec.engine}(${[`'${path}'`, `'{replica}'`, ...args].join(', ')})`;
}

function create(o: SchemaOptions, spec: TableSpec, tail: string): string[] {
  const isSharded = sharded(o, spec);
  const dataTable = isSharded ? local(o, spec.name) : `${db(o)}.${identifier(spec.name, 'table')}`;
  const columns = Object.entries(spec.columns)
    .map(([name, type]) => `  ${name} ${type}`)
    .join(',\n');
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${dataTable}${onCluster(o)}\n(\n${columns}${spec.extra}\n)\nENGINE = ${engine(o, spec)}\n${tail}`,
  ];
  if (isSharded) {
    const cluster = clusterName(o.cluster!);
    statements.push(
      `CREATE TABLE IF NOT EXISTS ${db(o)}.${spec.name}${onCluster(o)} AS ${dataTable}\n` +
        `ENGINE = Distributed('${cluster}', '${db(o)}', '${spec.name}${LOCAL_SUFFIX}', ${spec.shardBy ?? 'rand()'})`,
    );
  }
  return statements;
}

/** Adds a column to a table kept on every node (databases created before the column was in `tables.ts`). */
function addColumn(o: SchemaOptions, table: string, column: string, type: string): string {
  return `ALTER TABLE ${db(o)}.${identifier(table, 'table')}${onCluster(o)} ADD COLUMN IF NOT EXISTS ${column} ${type}`;
}

function view(o: SchemaOptions, name: string, target: string, select: string): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${db(o)}.${identifier(name, 'view')}${onCluster(o)} TO ${local(o, target)} AS\n${select}`;
}
