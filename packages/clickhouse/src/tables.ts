/**
 * Table and column names and column types: the one module that the migrations, the exporter and
 * the metric queries all read, so a rename is a compile error everywhere it matters.
 */

/** Database of the genai-cost tables unless configured otherwise. */
export const DEFAULT_DATABASE = 'genai_cost';

/** Table names. On a cluster the names below are the Distributed tables; `_local` ones hold the data. */
export const TABLES = {
  spans: 'genai_spans',
  userDaily: 'genai_user_daily',
  userDailyMv: 'genai_user_daily_mv',
  sessionDaily: 'genai_session_daily',
  sessionDailyMv: 'genai_session_daily_mv',
  tagDaily: 'genai_tag_daily',
  tagDailyMv: 'genai_tag_daily_mv',
  plans: 'plans',
  users: 'users',
  budgetEvents: 'budget_events',
  spansRejected: 'genai_spans_rejected',
  migrations: 'schema_migrations',
} as const;

/** Suffix of the shard-local tables behind the Distributed ones on a cluster. */
export const LOCAL_SUFFIX = '_local';

/** One row of `genai_spans` as the exporter writes it in JSONEachRow. */
export interface SpanRow {
  /** Span start, as `seconds.nanoseconds` text so no precision is lost in JSON. */
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  ServiceName: string;
  SpanName: string;
  SpanKind: string;
  /** The instrumentation that made the span (its scope name). */
  ScopeName: string;
  /**
   * `inference`, `wrapper`, `duplicate` (a second span of a model call another span carries) or
   * `other` (genai_cost.span.role); empty for non-GenAI spans. Only `inference` rows count.
   */
  SpanRole: string;
  UserId: string;
  SessionId: string;
  TenantId: string;
  Tier: string;
  Feature: string;
  /** The span's tags (`saas.tag.<key>` attributes, key without the prefix); added by 0011_span_tags. */
  Tags: Record<string, string>;
  /** Canonical provider id (`openai`, `anthropic`, …); the raw name stays in SpanAttributes. */
  Provider: string;
  Operation: string;
  RequestModel: string;
  ResponseModel: string;
  /** The model the price was looked up by (genai_cost.model), else the response or request model. */
  Model: string;
  /** The service tier that served the call (genai_cost.service_tier: `standard`, `flex`, `priority`, `batch`, …); empty when not reported. */
  ServiceTier: string;
  /**
   * Where the call ran when its price depends on it and the model id does not say it (genai_cost.region:
   * `us`, `DataZone-Standard`, …); empty otherwise. A Bedrock profile or ARN stays in Model.
   */
  Region: string;
  InputTokens: number;
  OutputTokens: number;
  CacheReadTokens: number;
  CacheWriteTokens: number;
  /** The part of CacheWriteTokens written with a 1-hour TTL (priced at the 1-hour rate). */
  CacheWrite1hTokens: number;
  ReasoningTokens: number;
  /** Uncached input tokens that were audio (part of InputTokens), priced at the audio rate. */
  AudioInputTokens: number;
  /** Output tokens that were audio (part of OutputTokens). */
  AudioOutputTokens: number;
  /** Uncached input tokens that were images (part of InputTokens). */
  ImageInputTokens: number;
  /** Output tokens that were images (part of OutputTokens). */
  ImageOutputTokens: number;
  /** Web searches the call made, billed per 1,000 where the model's price has a web-search charge. */
  WebSearchRequests: number;
  /** USD; 0 unless `Priced`. */
  CostUsd: number;
  /** True only for a model call that carries a cost. */
  Priced: boolean;
  UnpricedReason: string;
  PriceId: string;
  /** A usage detail the instrumentation dropped that changes the price (genai_cost.usage.incomplete), or empty. */
  UsageIncomplete: string;
  DurationNs: number;
  StatusCode: string;
  StatusMessage: string;
  SpanAttributes: Record<string, string>;
}

const lc = 'LowCardinality(String) CODEC(ZSTD(1))';
const str = 'String CODEC(ZSTD(1))';
const tokens = 'UInt64 CODEC(T64, ZSTD(1))';

/** Column type of a span timestamp: UTC, so the rollups' days do not depend on the server's time zone. */
export const TIMESTAMP_TYPE = "DateTime64(9, 'UTC')";

/**
 * Column types of `genai_spans`, in table order. CostUsd is Decimal(18, 10), not Float64: a sum of
 * Decimals is exact and independent of the order in which parts are merged or summed, so the
 * report shows the same cents on every run and the rollups equal the raw table to the last digit;
 * 10 decimals keep a single cheap token ($0.01 per million = 1e-8) and 8 integer digits allow a
 * $99M span, far beyond any real call.
 */
export const SPAN_COLUMNS = {
  Timestamp: `${TIMESTAMP_TYPE} CODEC(Delta(8), ZSTD(1))`,
  TraceId: str,
  SpanId: str,
  ParentSpanId: str,
  ServiceName: lc,
  SpanName: lc,
  SpanKind: lc,
  ScopeName: lc,
  SpanRole: lc,
  UserId: str,
  SessionId: str,
  TenantId: str,
  Tier: lc,
  Feature: lc,
  Tags: 'Map(LowCardinality(String), String) CODEC(ZSTD(1))',
  Provider: lc,
  Operation: lc,
  RequestModel: lc,
  ResponseModel: lc,
  Model: lc,
  ServiceTier: lc,
  Region: lc,
  InputTokens: tokens,
  OutputTokens: tokens,
  CacheReadTokens: tokens,
  CacheWriteTokens: tokens,
  CacheWrite1hTokens: tokens,
  ReasoningTokens: tokens,
  AudioInputTokens: tokens,
  AudioOutputTokens: tokens,
  ImageInputTokens: tokens,
  ImageOutputTokens: tokens,
  WebSearchRequests: 'UInt32 CODEC(T64, ZSTD(1))',
  CostUsd: 'Decimal(18, 10) CODEC(ZSTD(1))',
  Priced: 'Bool CODEC(ZSTD(1))',
  UnpricedReason: lc,
  PriceId: lc,
  UsageIncomplete: lc,
  DurationNs: 'UInt64 CODEC(T64, ZSTD(1))',
  StatusCode: lc,
  StatusMessage: str,
  SpanAttributes: 'Map(LowCardinality(String), String) CODEC(ZSTD(1))',
} as const satisfies Record<keyof SpanRow, string>;

/** Column names of `genai_spans`, for SQL templates. */
export const S = names(SPAN_COLUMNS);

const sumU64 = 'SimpleAggregateFunction(sum, UInt64)';
const sumUsd = 'SimpleAggregateFunction(sum, Decimal(38, 10))';
/** The exact type `argMaxState(<String>, Timestamp)` produces, so rollup rows and raw aggregates union. */
const latestString = `AggregateFunction(argMax, String, ${TIMESTAMP_TYPE})`;

/** Key columns of both rollups that filters may name; they hold the span's own values. */
export const FILTER_COLUMNS = ['Tier', 'ServiceName', 'Feature', 'Provider', 'Model'] as const;

/**
 * Columns of `genai_user_daily`: one row per day, user, account and the filterable dimensions.
 * LatestTier keeps `argMaxState(Tier, Timestamp)` so "the user's tier is the tier on their latest
 * span in the window" still holds when days are summed.
 */
export const USER_DAILY_COLUMNS = {
  Day: 'Date',
  Tier: 'LowCardinality(String)',
  ServiceName: 'LowCardinality(String)',
  Feature: 'LowCardinality(String)',
  Provider: 'LowCardinality(String)',
  Model: 'LowCardinality(String)',
  UserId: 'String',
  TenantId: 'String',
  Calls: sumU64,
  UnpricedCalls: sumU64,
  CostUsd: sumUsd,
  InputTokens: sumU64,
  OutputTokens: sumU64,
  CacheReadTokens: sumU64,
  CacheWriteTokens: sumU64,
  ReasoningTokens: sumU64,
  LatestTier: latestString,
} as const;

/** Column names of `genai_user_daily`. */
export const U = names(USER_DAILY_COLUMNS);

/** Columns of `genai_session_daily`: per day, session and filterable dimensions, for session cost percentiles. */
export const SESSION_DAILY_COLUMNS = {
  Day: 'Date',
  Tier: 'LowCardinality(String)',
  ServiceName: 'LowCardinality(String)',
  Feature: 'LowCardinality(String)',
  Provider: 'LowCardinality(String)',
  Model: 'LowCardinality(String)',
  SessionId: 'String',
  Calls: sumU64,
  CostUsd: sumUsd,
  LatestTier: latestString,
  LatestFeature: latestString,
} as const;

/** Column names of `genai_session_daily`. */
export const SS = names(SESSION_DAILY_COLUMNS);

/**
 * Columns of `genai_tag_daily`: the columns of `genai_user_daily` once per tag of the spans, keyed
 * also by the tag's key and value. A span adds to one row per tag it carries and to none without
 * tags; a key has one value per span, so the rows of one key sum to exactly the spans with it.
 */
const { Day: userDay, ...userDailyMeasures } = USER_DAILY_COLUMNS;
export const TAG_DAILY_COLUMNS = { Day: userDay, TagKey: 'LowCardinality(String)', TagValue: 'String', ...userDailyMeasures } as const;

/** Column names of `genai_tag_daily`. */
export const TG = names(TAG_DAILY_COLUMNS);

/** Plan kinds; `meta` is one row per replacement, so replacing with no plans still takes effect. Append only: an Enum8. */
export const PLAN_KINDS = ['meta', 'tier', 'user', 'feature', 'tenant'] as const;
/** Budget actions of a plan. */
export const PLAN_ACTIONS = ['block', 'warn', 'degrade', 'dry-run'] as const;

/** `Enum8('a' = 0, 'b' = 1, …)`: values keep their numbers, so only appending is safe. */
export const enumOf = (values: readonly string[]) => `Enum8(${values.map((v, i) => `'${v}' = ${i}`).join(', ')})`;

/** Columns of `plans`. Every replacement writes all rows under a new Version; readers take the newest. */
export const PLAN_COLUMNS = {
  Version: 'UInt64',
  Kind: enumOf(PLAN_KINDS),
  Key: 'String',
  Tier: 'LowCardinality(String)',
  MonthlyPriceUsd: 'Nullable(Float64)',
  MonthlyBudgetUsd: 'Nullable(Float64)',
  Action: `Nullable(${enumOf(PLAN_ACTIONS)})`,
  TargetMarginPct: 'Nullable(Float64)',
  DegradeModel: 'Nullable(String)',
  FeatureRevenuePerUserUsd: 'Nullable(Float64)',
  /** Per-session ceiling of a tier, USD. */
  SessionBudgetUsd: 'Nullable(Float64)',
  /** Soft cap: share of the budget (%) at which a warning starts. */
  WarnAtPct: 'Nullable(Float64)',
  /** Hard cap: share of the budget (%) at which the action applies. */
  BlockAtPct: 'Nullable(Float64)',
  /** Added by 0009_users (ALTER on databases created before it). */
  TargetAiCogsPct: 'Nullable(Float64)',
} as const;

/** Column names of `plans`. */
export const P = names(PLAN_COLUMNS);

/**
 * Columns of `users`: the users imported from billing (`genai-cost users import`). An import
 * writes its rows under a new Version, then a row with an empty UserId that commits it; readers
 * take the newest committed Version.
 */
export const IMPORTED_USER_COLUMNS = {
  Version: 'UInt64',
  UserId: 'String',
  Tier: 'LowCardinality(String)',
  SignupDate: 'Date',
  /** Null: the tier's price. */
  MonthlyPriceUsd: 'Nullable(Float64)',
} as const;

/** Column names of `users`. */
export const IU = names(IMPORTED_USER_COLUMNS);

/** States and actions of a budget decision other than ok, as `BudgetGuard` records them. Append only: Enum8s. */
export const BUDGET_STATES = ['warning', 'exceeded', 'loop'] as const;
export const BUDGET_EVENT_ACTIONS = ['allow', 'block', 'warn', 'degrade', 'dry-run'] as const;
/** Which budget decided; `period` is what rows written before `user` existed say for a user's budget. */
export const BUDGET_SCOPES = ['period', 'session', 'user', 'feature', 'tenant'] as const;

/**
 * Columns of `budget_events`: one row per budget decision other than ok, so the budgets dashboard
 * counts blocks, warnings, degrades, would-have-blocked (dry-run) calls and loops stopped per tier,
 * feature and tenant.
 */
export const BUDGET_EVENT_COLUMNS = {
  Timestamp: "DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1))",
  ServiceName: 'LowCardinality(String)',
  UserId: 'String',
  Tier: 'LowCardinality(String)',
  SessionId: 'String',
  State: enumOf(BUDGET_STATES),
  Action: enumOf(BUDGET_EVENT_ACTIONS),
  Scope: enumOf(BUDGET_SCOPES),
  SpentUsd: 'Float64',
  LimitUsd: 'Float64',
  Feature: 'LowCardinality(String)',
  TenantId: 'String',
  /** For loops: the repeated tool (`gen_ai.tool.name`) and how often it occurred in the window. */
  ToolName: 'LowCardinality(String)',
  ToolCalls: 'UInt32',
} as const;

/** Column names of `budget_events`. */
export const B = names(BUDGET_EVENT_COLUMNS);

/**
 * Columns of `genai_spans_rejected`, the dead-letter table: rows that could not be stored as they
 * were, each with its whole row as JSON and the reason, so nothing disappears without a trace.
 */
export const SPAN_REJECTED_COLUMNS = {
  RejectedAt: "DateTime64(3, 'UTC') CODEC(Delta(8), ZSTD(1))",
  /** The table the row was meant for. */
  TableName: 'LowCardinality(String)',
  TraceId: 'String',
  SpanId: 'String',
  /** Why: the value the exporter could not make valid, or ClickHouse's error for the row. */
  Reason: 'String',
  /** The row as a JSON object of column values. */
  Row: 'String CODEC(ZSTD(3))',
} as const;

/** Column names of `genai_spans_rejected`. */
export const R = names(SPAN_REJECTED_COLUMNS);

/** Columns of `schema_migrations`. */
export const MIGRATION_COLUMNS = {
  Version: 'String',
  AppliedAt: "DateTime64(3, 'UTC')",
} as const;

/** Column names of `schema_migrations`. */
export const M = names(MIGRATION_COLUMNS);

function names<T extends Record<string, string>>(columns: T): { readonly [K in keyof T]: K } {
  return Object.fromEntries(Object.keys(columns).map((k) => [k, k])) as { [K in keyof T]: K };
}

/** `db.table`, after checking both are plain identifiers (they are spliced into SQL). */
export function qualified(database: string, table: string): string {
  return `${identifier(database, 'database')}.${identifier(table, 'table')}`;
}

/** `name` when it is a plain ClickHouse identifier; throws otherwise, since it goes into SQL text. */
export function identifier(name: string, what: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`invalid ${what} name "${name}": expected letters, digits and underscores, not starting with a digit`);
  }
  return name;
}
