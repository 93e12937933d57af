import { billingCte, tierMargin, usersCte } from './coreMetrics.js';
import type { MetricDefinition } from './coreMetrics.js';
import type { MetricSqlContext } from './queries/context.js';
import { plansSource, userDailySource } from './queries/sources.js';
import { B, P, S, TABLES, qualified } from './tables.js';

/** A user at or above this share of their monthly budget (%) is shown and alerted on. */
export const BUDGET_WARNING_PCT = 80;

const windowEnd = (ctx: MetricSqlContext) => ctx.to ?? 'now()';
const monthStart = (ctx: MetricSqlContext) => `toStartOfMonth(toTimeZone(${windowEnd(ctx)}, 'UTC'))`;

/**
 * The UTC calendar month up to the window's end, whatever the window's start: budgets are monthly.
 * Whole days before the end's day come from the rollups, the end's own day from raw spans.
 */
export function monthToDate(ctx: MetricSqlContext): MetricSqlContext {
  const end = windowEnd(ctx);
  const start = `toDateTime(${monthStart(ctx)}, 'UTC')`;
  return {
    ...ctx,
    timeFilter: `${S.Timestamp} >= ${start} AND ${S.Timestamp} <= ${end}`,
    dayFilter: `Day >= ${monthStart(ctx)} AND Day < toDate(toTimeZone(${end}, 'UTC'))`,
    days: `(toUnixTimestamp(${end}) - toUnixTimestamp(${start})) / 86400`,
  };
}

/** See its description. */
export const budgetUsage: MetricDefinition = {
  id: 'budget_usage',
  description:
    "Per user with a monthly LLM budget (the user's own beats the tier's), cost this UTC month up to the window's end and the share of the budget used, %",
  sql: (ctx) => `WITH
  src AS (${userDailySource(monthToDate(ctx))}),
  plans AS (${plansSource(ctx)}),
  ${billingCte(ctx)},
  ${usersCte},
  budgets AS (
    SELECT users.userId AS userId, users.tier AS tier, toFloat64(users.cost) AS monthToDateUsd,
      coalesce(pu.${P.MonthlyBudgetUsd}, pt.${P.MonthlyBudgetUsd}) AS budgetUsd
    FROM users
    LEFT JOIN (SELECT ${P.Key}, ${P.MonthlyBudgetUsd} FROM plans WHERE ${P.Kind} = 'user') AS pu ON pu.${P.Key} = users.userId
    LEFT JOIN (SELECT ${P.Key}, ${P.MonthlyBudgetUsd} FROM plans WHERE ${P.Kind} = 'tier') AS pt ON pt.${P.Key} = users.tier
  )
SELECT userId, tier, monthToDateUsd, budgetUsd, 100 * monthToDateUsd / budgetUsd AS budgetUsedPct
FROM budgets
WHERE budgetUsd > 0
ORDER BY budgetUsedPct DESC, userId`,
};

/** See its description. */
export const usersNearBudget: MetricDefinition = {
  id: 'users_near_budget',
  description: `Users at or above ${BUDGET_WARNING_PCT} % of their monthly budget this month, marked 'over budget' above 100 %`,
  sql: (ctx) => `SELECT userId, tier, if(budgetUsedPct > 100, 'over budget', 'at ${BUDGET_WARNING_PCT} %') AS status, monthToDateUsd, budgetUsd, budgetUsedPct
FROM (${budgetUsage.sql(ctx)})
WHERE budgetUsedPct >= ${BUDGET_WARNING_PCT}
ORDER BY budgetUsedPct DESC, userId`,
};

/** See its description. */
export const monthEndProjection: MetricDefinition = {
  id: 'month_end_projection',
  description: "Per tier: LLM cost and revenue this UTC month so far and projected to month end (so far × days in month / days elapsed), and the projected margin",
  sql: (ctx) => {
    const mtd = monthToDate(ctx);
    return `SELECT tier, costUsd AS monthToDateUsd, revenueUsd AS monthToDateRevenueUsd,
  toDayOfMonth(toLastDayOfMonth(toTimeZone(${windowEnd(ctx)}, 'UTC'))) AS daysInMonth, ${mtd.days} AS daysElapsed,
  if(daysElapsed <= 0, NULL, costUsd * daysInMonth / daysElapsed) AS projectedCostUsd,
  if(daysElapsed <= 0, NULL, revenueUsd * daysInMonth / daysElapsed) AS projectedRevenueUsd,
  projectedRevenueUsd - projectedCostUsd AS projectedMarginUsd
FROM (${tierMargin.sql(mtd)})
ORDER BY projectedCostUsd DESC, tier`;
  },
};

/** See its description. */
export const budgetDecisions: MetricDefinition = {
  id: 'budget_decisions',
  description:
    'Budget decisions other than ok from budget_events per tier: blocks, warnings, degrades and dry-run would-blocks (filters may name only Tier and ServiceName)',
  sql: (ctx) => `SELECT ${B.Tier} AS tier,
  countIf(${B.Action} = 'block') AS blocks,
  countIf(${B.State} = 'warning' OR ${B.Action} = 'warn') AS warnings,
  countIf(${B.Action} = 'degrade') AS degrades,
  countIf(${B.Action} = 'dry-run' AND ${B.State} = 'exceeded') AS dryRunWouldBlock,
  count() AS decisions
FROM ${qualified(ctx.database, TABLES.budgetEvents)}
WHERE ${[ctx.timeFilter, ...(ctx.filters ?? [])].map((c) => `(${c})`).join(' AND ')}
GROUP BY ${B.Tier}
ORDER BY decisions DESC, tier`,
};

