import type { ClickHouseClient } from '@clickhouse/client';
import { isTagKey } from '@genai-cost/otel';
import { METRICS } from './metrics.js';
import type { MetricDefinition } from './metrics.js';
import type { MetricSqlContext } from './queries/context.js';
import { bindWindow } from './queries/window.js';
import type { ReportWindow } from './queries/window.js';
import { identifier } from './tables.js';

/** Per tier. USD at full precision (the CLI rounds for display); percentages in percent. */
export interface TierRow {
  tier: string;
  activeUsers: number;
  revenueUsd: number;
  costUsd: number;
  grossMarginUsd: number;
  /** Null when revenue is 0 (a free tier: its cost is a subsidy). */
  grossMarginPct: number | null;
  /** Null when the tier has only account-level or unattributed cost. */
  costPerUserUsd: number | null;
  /** Cost per user / price per user over the window (= cost / revenue); null when the price is 0. */
  aiCogsPct: number | null;
  /** The tier's monthly LLM budget per user; null when the plan sets none. */
  monthlyBudgetUsd: number | null;
  /** The users' average own cost / (monthly budget × D / 30), in percent; null without a budget. */
  avgBudgetUsedPct: number | null;
}

/** Per user, by cost descending. */
export interface UserRow {
  userId: string;
  tier: string;
  costUsd: number;
  calls: number;
  revenueUsd: number;
  grossMarginUsd: number;
  /** Cost / median user cost of the tier; ≥ POWER_USER_MULTIPLE marks a power user. Null when the median is 0. */
  multipleOfTierMedian: number | null;
}

/** Per feature. */
export interface FeatureRow {
  feature: string;
  calls: number;
  activeUsers: number;
  costUsd: number;
  /** Cost / priced calls; null without priced calls. */
  avgCostPerCallUsd: number | null;
  /** Null when only account-level spans used the feature. */
  costPerUserUsd: number | null;
  /** Cost per user / (feature revenue per user per month × D / 30), in percent; null without feature revenue. */
  ctrPct: number | null;
}

/** Per provider and model. */
export interface ModelRow {
  provider: string;
  model: string;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

/** Session cost percentiles per feature and tier (of each session's latest span). */
export interface SessionRow {
  feature: string;
  tier: string;
  sessions: number;
  p50Usd: number;
  p95Usd: number;
  p99Usd: number;
}

/** Account-level cost per account. */
export interface AccountRow {
  tenantId: string;
  tier: string;
  costUsd: number;
  calls: number;
}

/** Share of the users' total cost from the top 5 / 10 / 20 % of users, as fractions; null when there is no cost. */
export interface CostSkew {
  users: number;
  top5PctShare: number | null;
  top10PctShare: number | null;
  top20PctShare: number | null;
}

/** Model calls without a cost, per model, provider and reason. */
export interface UnpricedRow {
  model: string;
  provider: string;
  reason: string;
  spans: number;
}

/** Priced calls whose instrumentation dropped a usage detail that changes the price. */
export interface IncompleteUsageRow {
  /** Instrumentation scope name. */
  scope: string;
  /** `cache_read` or `cache_write_ttl` (genai_cost.usage.incomplete). */
  detail: string;
  calls: number;
}

/** Per signup month and tier of the imported users; users not imported under a null month. */
export interface CohortRow {
  /** `YYYY-MM`; null for the users not imported from billing. */
  signupMonth: string | null;
  tier: string;
  /** Imported users of the cohort, active or not; null for the users not imported. */
  users: number | null;
  activeUsers: number;
  revenueUsd: number;
  costUsd: number;
  /** Over the active users; null when none was active. */
  medianCostPerUserUsd: number | null;
  p95CostPerUserUsd: number | null;
  grossMarginUsd: number;
  grossMarginPct: number | null;
}

/** Per UTC week (from Monday) and tier; each week a window of its own days in the report window. */
export interface WeekRow {
  /** The week's Monday, `YYYY-MM-DD`. */
  week: string;
  tier: string;
  /** Days of the week inside the window (7 except at its ends), to 0.01 day: the week's D (revenue uses it unrounded). */
  weekDays: number;
  activeUsers: number;
  revenueUsd: number;
  costUsd: number;
  grossMarginUsd: number;
  grossMarginPct: number | null;
  costPerUserUsd: number | null;
  aiCogsPct: number | null;
}

/** Session and monthly caps suggested per tier from the window's spend. */
export interface CapSuggestionRow {
  tier: string;
  sessions: number;
  /** Session cost percentiles; null without sessions. */
  p50SessionUsd: number | null;
  p90SessionUsd: number | null;
  p95SessionUsd: number | null;
  /** SESSION_CAP_MULTIPLE × P90. */
  suggestedSessionCapUsd: number | null;
  /** Sessions that cost more than the suggested cap. */
  sessionsOverCap: number;
  /** From the plan; null for a tier the plan does not name. */
  monthlyPriceUsd: number | null;
  /** The plan's target margin, else 100 − its AI COGS target (default 8 %). */
  targetMarginPct: number | null;
  /** The tier's current monthly budget per user. */
  monthlyBudgetUsd: number | null;
  /** price × (1 − target margin); null when the tier has no price. */
  suggestedBudgetUsd: number | null;
  activeUsers: number;
  /** Users whose cost in the window passed their current budget (a user's own beats the tier's) × D / 30. */
  usersOverBudget: number;
  /** Users whose cost passed the suggested budget × D / 30; null without a suggestion. */
  usersOverSuggestedBudget: number | null;
}

/** Per value of one tag, over the spans that carry the tag. */
export interface TagRow {
  tagValue: string;
  calls: number;
  /** Distinct users among those spans. */
  activeUsers: number;
  costUsd: number;
  /** Cost / priced calls; null without priced calls. */
  avgCostPerCallUsd: number | null;
  /** Null when only account-level spans carry the value. */
  costPerUserUsd: number | null;
  /** The value's share of the cost of all spans with the tag, %; null when they cost nothing. */
  costSharePct: number | null;
  unpricedCalls: number;
}

/** Window of `reportByTag`, with the tag. */
export interface TagReportWindow extends ReportWindow {
  /** The tag's key (`region` for `saas.tag.region`). */
  tagKey: string;
}

/** Window of `reportByUser`, with the number of rows. */
export interface UserReportWindow extends ReportWindow {
  /** Most expensive users returned. Default: 100. */
  limit?: number;
}

/** Per-tier margin over the window. */
export async function reportByTier(client: ClickHouseClient, database: string, window: ReportWindow): Promise<TierRow[]> {
  return run<TierRow>(client, database, window, METRICS.tierMargin, [
    'activeUsers',
    'revenueUsd',
    'costUsd',
    'grossMarginUsd',
    'grossMarginPct',
    'costPerUserUsd',
    'aiCogsPct',
    'monthlyBudgetUsd',
    'avgBudgetUsedPct',
  ]);
}

/** The most expensive users over the window. */
export async function reportByUser(client: ClickHouseClient, database: string, window: UserReportWindow): Promise<UserRow[]> {
  const limit = window.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`reportByUser limit: expected a positive integer, got ${limit}`);
  const limited: MetricDefinition = { ...METRICS.userCost, sql: (ctx) => `${METRICS.userCost.sql(ctx)}\nLIMIT ${limit}` };
  return run<UserRow>(client, database, window, limited, ['costUsd', 'calls', 'revenueUsd', 'grossMarginUsd', 'multipleOfTierMedian']);
}

/** Cost and CTR per feature over the window. */
export async function reportByFeature(client: ClickHouseClient, database: string, window: ReportWindow): Promise<FeatureRow[]> {
  return run<FeatureRow>(client, database, window, METRICS.featureCost, ['calls', 'activeUsers', 'costUsd', 'avgCostPerCallUsd', 'costPerUserUsd', 'ctrPct']);
}

/** Usage and cost per provider and model over the window. */
export async function reportByModel(client: ClickHouseClient, database: string, window: ReportWindow): Promise<ModelRow[]> {
  return run<ModelRow>(client, database, window, METRICS.modelUsage, ['calls', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'costUsd', 'unpricedCalls']);
}

/** Session cost percentiles per feature and tier over the window. */
export async function reportBySession(client: ClickHouseClient, database: string, window: ReportWindow): Promise<SessionRow[]> {
  return run<SessionRow>(client, database, window, METRICS.sessionCost, ['sessions', 'p50Usd', 'p95Usd', 'p99Usd']);
}

/** Account-level cost per account over the window. */
export async function reportByAccount(client: ClickHouseClient, database: string, window: ReportWindow): Promise<AccountRow[]> {
  return run<AccountRow>(client, database, window, METRICS.accountCost, ['costUsd', 'calls']);
}

/** How concentrated user cost is over the window. */
export async function costSkew(client: ClickHouseClient, database: string, window: ReportWindow): Promise<CostSkew> {
  const [row] = await run<CostSkew>(client, database, window, METRICS.costSkew, ['users', 'top5PctShare', 'top10PctShare', 'top20PctShare']);
  return row ?? { users: 0, top5PctShare: null, top10PctShare: null, top20PctShare: null };
}

/** Cost and margin per signup month and tier of the users imported from billing, over the window. */
export async function reportByCohort(client: ClickHouseClient, database: string, window: ReportWindow): Promise<CohortRow[]> {
  return run<CohortRow>(client, database, window, METRICS.cohortCost, [
    'users',
    'activeUsers',
    'revenueUsd',
    'costUsd',
    'medianCostPerUserUsd',
    'p95CostPerUserUsd',
    'grossMarginUsd',
    'grossMarginPct',
  ]);
}

/** Cost per active user, AI COGS % and margin per tier per UTC week of the window. */
export async function reportByWeek(client: ClickHouseClient, database: string, window: ReportWindow): Promise<WeekRow[]> {
  return run<WeekRow>(client, database, window, METRICS.weeklyTierMargin, [
    'weekDays',
    'activeUsers',
    'revenueUsd',
    'costUsd',
    'grossMarginUsd',
    'grossMarginPct',
    'costPerUserUsd',
    'aiCogsPct',
  ]);
}

/** Session caps and monthly budgets per tier suggested by the window's spend, with the users each would have stopped. */
export async function suggestCaps(client: ClickHouseClient, database: string, window: ReportWindow): Promise<CapSuggestionRow[]> {
  return run<CapSuggestionRow>(client, database, window, METRICS.capSuggestions, [
    'sessions',
    'p50SessionUsd',
    'p90SessionUsd',
    'p95SessionUsd',
    'suggestedSessionCapUsd',
    'sessionsOverCap',
    'monthlyPriceUsd',
    'targetMarginPct',
    'monthlyBudgetUsd',
    'suggestedBudgetUsd',
    'activeUsers',
    'usersOverBudget',
    'usersOverSuggestedBudget',
  ]);
}

/** Cost per value of a tag over the window. Throws a RangeError for a key no tag can have (see `isTagKey`). */
export async function reportByTag(client: ClickHouseClient, database: string, window: TagReportWindow): Promise<TagRow[]> {
  if (!isTagKey(window.tagKey)) throw new RangeError(`reportByTag tagKey: expected 1 to 64 letters, digits, "_", "." or "-", got ${JSON.stringify(window.tagKey)}`);
  const { ctx, params } = bindWindow(identifier(database, 'database'), window);
  return runMetric<TagRow>(client, METRICS.tagCost, { ...ctx, tagKey: '{tagKey:String}' }, { ...params, tagKey: window.tagKey }, [
    'calls',
    'activeUsers',
    'costUsd',
    'avgCostPerCallUsd',
    'costPerUserUsd',
    'costSharePct',
    'unpricedCalls',
  ]);
}

/** Model calls left without a cost over the window. */
export async function unpricedSpans(client: ClickHouseClient, database: string, window: ReportWindow): Promise<UnpricedRow[]> {
  return run<UnpricedRow>(client, database, window, METRICS.unpricedSpans, ['spans']);
}

/** Priced calls with incomplete usage over the window, per scope and missing detail. */
export async function incompleteUsage(client: ClickHouseClient, database: string, window: ReportWindow): Promise<IncompleteUsageRow[]> {
  return run<IncompleteUsageRow>(client, database, window, METRICS.incompleteUsage, ['calls']);
}

/**
 * Runs a metric for a window and returns its rows with `numeric` fields as JS numbers (ClickHouse
 * sends 64-bit integers as strings in JSON); null stays null.
 */
export async function runMetric<T>(
  client: ClickHouseClient,
  metric: MetricDefinition,
  ctx: MetricSqlContext,
  params: Record<string, string | number>,
  numeric: readonly (keyof T & string)[],
): Promise<T[]> {
  const result = await client.query({ query: metric.sql(ctx), query_params: params, format: 'JSONEachRow' });
  const rows = await result.json<Record<string, unknown>>();
  for (const row of rows) {
    for (const field of numeric) {
      const v = row[field];
      if (v !== null && v !== undefined) row[field] = Number(v);
    }
  }
  return rows as T[];
}

function run<T>(
  client: ClickHouseClient,
  database: string,
  window: ReportWindow,
  metric: MetricDefinition,
  numeric: readonly (keyof T & string)[],
): Promise<T[]> {
  const { ctx, params } = bindWindow(identifier(database, 'database'), window);
  return runMetric<T>(client, metric, ctx, params, numeric);
}
