import type { MetricName } from '@genai-cost/clickhouse';
import type { FieldConfig } from './types.js';

/** How a result column is shown: its title and, for numbers, Grafana's unit id. */
export interface FieldDisplay {
  title: string;
  /** Grafana unit id (`currencyUSD`, `percent`, …); absent for text columns. */
  unit?: string;
  decimals?: number;
}

const usd = (title: string): FieldDisplay => ({ title, unit: 'currencyUSD' });
const pct = (title: string): FieldDisplay => ({ title, unit: 'percent', decimals: 1 });
const count = (title: string): FieldDisplay => ({ title, unit: 'none', decimals: 0 });
const tokens = (title: string): FieldDisplay => ({ title, unit: 'short' });
const multiple = (title: string): FieldDisplay => ({ title, unit: 'suffix:×', decimals: 1 });
const text = (title: string): FieldDisplay => ({ title });

/**
 * Every column the dashboards show, by the name the metric SQL gives it. Units follow the
 * metrics' conventions: `…Usd` dollars, `…Pct` percent (3 means 3 %), `…Share` fractions.
 */
export const FIELDS = {
  time: text('Day'),
  tier: text('Tier'),
  userId: text('User'),
  feature: text('Feature'),
  provider: text('Provider'),
  model: text('Model'),
  reason: text('Reason'),
  sessionId: text('Session'),
  status: text('Status'),
  activeUsers: count('Active users'),
  users: count('Users'),
  calls: count('Calls'),
  spans: count('Calls'),
  sessions: count('Sessions'),
  unpricedCalls: count('Unpriced calls'),
  inputTokens: tokens('Input tokens'),
  outputTokens: tokens('Output tokens'),
  cacheReadTokens: tokens('Cache-read tokens'),
  revenueUsd: usd('Revenue'),
  costUsd: usd('LLM cost'),
  grossMarginUsd: usd('Gross margin'),
  grossMarginPct: pct('Gross margin %'),
  costPerUserUsd: usd('Cost per active user'),
  aiCogsPct: pct('AI COGS %'),
  avgCostPerCallUsd: usd('Cost per call'),
  ctrPct: pct('Cost-to-revenue ratio'),
  multipleOfTierMedian: multiple('× tier median'),
  top5PctShare: { title: 'Top 5 % of users', unit: 'percentunit', decimals: 1 },
  top10PctShare: { title: 'Top 10 % of users', unit: 'percentunit', decimals: 1 },
  top20PctShare: { title: 'Top 20 % of users', unit: 'percentunit', decimals: 1 },
  p25Usd: usd('P25'),
  p50Usd: usd('P50'),
  p75Usd: usd('P75'),
  p90Usd: usd('P90'),
  p95Usd: usd('P95'),
  p99Usd: usd('P99'),
  cacheReadSharePct: pct('Cache-read share of input'),
  tierP95Usd: usd("Tier's P95"),
  multipleOfTierP95: multiple("× tier's P95"),
  monthToDateUsd: usd('LLM cost this month'),
  monthToDateRevenueUsd: usd('Revenue this month'),
  budgetUsd: usd('Monthly budget'),
  budgetUsedPct: pct('Budget used'),
  monthlyBudgetUsd: usd('Monthly budget per user'),
  avgBudgetUsedPct: pct('Average budget used'),
  daysInMonth: count('Days in month'),
  daysElapsed: { title: 'Days elapsed', unit: 'none', decimals: 1 },
  projectedCostUsd: usd('Projected LLM cost'),
  projectedRevenueUsd: usd('Projected revenue'),
  projectedMarginUsd: usd('Projected margin'),
  blocks: count('Blocked'),
  warnings: count('Warned'),
  degrades: count('Degraded'),
  dryRunWouldBlock: count('Dry run: would block'),
  decisions: count('Decisions'),
  softCapPct: pct('Soft cap'),
  hardCapPct: pct('Hard cap'),
  budget: text('Budget'),
  name: text('Name'),
  action: text('Action'),
  loops: count('Loops'),
  toolName: text('Tool'),
  maxToolCalls: count('Most repeats'),
  scope: text('Instrumentation'),
  detail: text('Missing detail'),
  signupMonth: text('Signup month'),
  medianCostPerUserUsd: usd('Median cost per user'),
  p95CostPerUserUsd: usd('P95 cost per user'),
  week: text('Week'),
  weekDays: { title: 'Days in range', unit: 'none', decimals: 2 },
  p50SessionUsd: usd('Session P50'),
  p90SessionUsd: usd('Session P90'),
  p95SessionUsd: usd('Session P95'),
  suggestedSessionCapUsd: usd('Suggested session cap'),
  sessionsOverCap: count('Sessions over that cap'),
  monthlyPriceUsd: usd('Price per user'),
  targetMarginPct: pct('Target margin'),
  suggestedBudgetUsd: usd('Suggested monthly budget per user'),
  usersOverBudget: count('Users over the budget'),
  usersOverSuggestedBudget: count('Users over the suggested budget'),
  tagValue: text('Tag value'),
  costSharePct: pct('Share of the tagged cost'),
} as const satisfies Record<string, FieldDisplay>;

/** A column name the dashboards know how to show. */
export type FieldName = keyof typeof FIELDS;

/** The metrics the dashboards run: all but the alert queries and the report-only ones. */
export type DashboardMetric = Exclude<
  MetricName,
  | 'accountCost'
  | 'budgetUsage'
  | 'marginVsTarget'
  | 'userBudgetWarning'
  | 'userBudgetOver'
  | 'featureBudgetWarning'
  | 'featureBudgetExceeded'
  | 'tenantBudgetWarning'
  | 'tenantBudgetExceeded'
  | 'loopSessionsByTool'
  | 'spendVsBaseline'
  | 'featureCtr'
  | 'unpricedByModel'
  | 'sessionOutlierByTier'
  | 'aiCogsVsTarget'
  | 'costPerUserClimb'
>;

const userColumns = ['userId', 'tier', 'costUsd', 'calls', 'revenueUsd', 'grossMarginUsd', 'multipleOfTierMedian'] as const;

/** The result columns of each metric a dashboard runs, in order (a test runs each on chDB and compares). */
export const METRIC_COLUMNS: Record<DashboardMetric, readonly FieldName[]> = {
  tierMargin: ['tier', 'activeUsers', 'revenueUsd', 'costUsd', 'grossMarginUsd', 'grossMarginPct', 'costPerUserUsd', 'aiCogsPct', 'monthlyBudgetUsd', 'avgBudgetUsedPct'],
  overallMargin: ['activeUsers', 'revenueUsd', 'costUsd', 'grossMarginUsd', 'grossMarginPct', 'costPerUserUsd', 'aiCogsPct'],
  marginTrend: ['time', 'tier', 'revenueUsd', 'costUsd', 'grossMarginUsd', 'grossMarginPct'],
  userCost: userColumns,
  powerUsers: userColumns,
  unprofitableUsers: userColumns,
  featureCost: ['feature', 'calls', 'activeUsers', 'costUsd', 'avgCostPerCallUsd', 'costPerUserUsd', 'ctrPct'],
  modelUsage: ['provider', 'model', 'calls', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'costUsd', 'unpricedCalls'],
  costSkew: ['users', 'top5PctShare', 'top10PctShare', 'top20PctShare'],
  sessionCost: ['feature', 'tier', 'sessions', 'p50Usd', 'p95Usd', 'p99Usd'],
  unpricedSpans: ['model', 'provider', 'reason', 'spans'],
  tierCostDistribution: ['tier', 'users', 'p25Usd', 'p50Usd', 'p75Usd', 'p90Usd', 'p99Usd'],
  cacheReadShare: ['provider', 'model', 'inputTokens', 'cacheReadTokens', 'cacheReadSharePct'],
  sessionOutliers: ['sessionId', 'feature', 'tier', 'costUsd', 'tierP95Usd', 'multipleOfTierP95'],
  usersNearBudget: ['userId', 'tier', 'status', 'monthToDateUsd', 'budgetUsd', 'budgetUsedPct', 'softCapPct', 'hardCapPct'],
  sharedBudgetUsage: ['budget', 'name', 'tier', 'monthToDateUsd', 'budgetUsd', 'budgetUsedPct', 'softCapPct', 'hardCapPct', 'action', 'status'],
  monthEndProjection: ['tier', 'monthToDateUsd', 'monthToDateRevenueUsd', 'daysInMonth', 'daysElapsed', 'projectedCostUsd', 'projectedRevenueUsd', 'projectedMarginUsd'],
  budgetDecisions: ['tier', 'blocks', 'warnings', 'degrades', 'dryRunWouldBlock', 'decisions'],
  budgetDecisionsByScope: ['budget', 'blocks', 'warnings', 'degrades', 'dryRunWouldBlock', 'loops', 'decisions'],
  loopsStopped: ['tier', 'toolName', 'sessions', 'decisions', 'blocks', 'maxToolCalls'],
  incompleteUsage: ['scope', 'detail', 'calls'],
  cohortCost: ['signupMonth', 'tier', 'users', 'activeUsers', 'revenueUsd', 'costUsd', 'medianCostPerUserUsd', 'p95CostPerUserUsd', 'grossMarginUsd', 'grossMarginPct'],
  weeklyTierMargin: ['week', 'tier', 'weekDays', 'activeUsers', 'revenueUsd', 'costUsd', 'grossMarginUsd', 'grossMarginPct', 'costPerUserUsd', 'aiCogsPct'],
  capSuggestions: [
    'tier',
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
  ],
  tagCost: ['tagValue', 'calls', 'activeUsers', 'costUsd', 'avgCostPerCallUsd', 'costPerUserUsd', 'costSharePct', 'unpricedCalls'],
};

/** The title a column is shown under. */
export const fieldTitle = (name: FieldName): string => FIELDS[name].title;

/** Per-column overrides that give each shown column its title, unit and decimals. */
export function fieldOverrides(names: readonly FieldName[]): FieldConfig['overrides'] {
  return names.map((name) => {
    const field: FieldDisplay = FIELDS[name];
    return {
      matcher: { id: 'byName', options: name },
      properties: [
        { id: 'displayName', value: field.title },
        ...(field.unit === undefined ? [] : [{ id: 'unit', value: field.unit }]),
        ...(field.decimals === undefined ? [] : [{ id: 'decimals', value: field.decimals }]),
      ],
    };
  });
}
