import { billingCte, tierMargin, usersCte } from './coreMetrics.js';
import type { MetricDefinition } from './coreMetrics.js';
import type { MetricSqlContext } from './queries/context.js';
import { plansSource, userDailySource } from './queries/sources.js';
import { P, S, U } from './tables.js';

/** The soft cap (warning share, %) of a budget whose plan names none, as in `BudgetGuard`. */
export const BUDGET_WARNING_PCT = 80;
/** The hard cap (%, where the action applies) of a budget whose plan names none, as in `BudgetGuard`. */
export const BUDGET_HARD_CAP_PCT = 100;

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

/**
 * Whether `spent` (exact Decimal USD) reached `pct` % of `budgetUsd` (Float64), compared as
 * `BudgetGuard` compares: in units of 1e-10 USD, the cap rounded as `toUnits(budget × pct / 100)`,
 * so the two agree on every boundary, exactly 100 % included (reached, never below).
 */
const reached = (spent: string, budgetUsd: string, pct: string) =>
  `toInt128(${spent} * 10000000000) >= toInt128(round(${budgetUsd} * ${pct} / 100 * 10000000000))`;

/**
 * The state of a budget as `BudgetGuard` sees it, with `over budget` for spend past 100 % but
 * below a hard cap set above it: `exceeded` from the hard cap (the action applies), `warning` from
 * the soft cap (capped at the hard cap, as the guard does), else `ok`.
 */
const budgetStatus = (spent: string) => `multiIf(
    ${reached(spent, 'budgetUsd', 'hardCapPct')}, 'exceeded',
    ${reached(spent, 'budgetUsd', '100')}, 'over budget',
    ${reached(spent, 'budgetUsd', 'least(warnAtPct, hardCapPct)')}, 'warning', 'ok')`;

/** See its description. */
export const budgetUsage: MetricDefinition = {
  id: 'budget_usage',
  description: `Per user with a monthly LLM budget (the user's own beats the tier's), cost this UTC month up to the window's end, the share of the budget used, %, its soft and hard caps (default ${BUDGET_WARNING_PCT} and ${BUDGET_HARD_CAP_PCT} %) and its state`,
  sql: (ctx) => `WITH
  src AS (${userDailySource(monthToDate(ctx))}),
  plans AS (${plansSource(ctx)}),
  ${billingCte(ctx)},
  ${usersCte},
  budgets AS (
    SELECT users.userId AS userId, users.tier AS tier, users.cost AS spent,
      coalesce(pu.${P.MonthlyBudgetUsd}, pt.${P.MonthlyBudgetUsd}) AS budgetUsd,
      coalesce(pu.${P.WarnAtPct}, pt.${P.WarnAtPct}, ${BUDGET_WARNING_PCT}) AS warnAtPct,
      coalesce(pu.${P.BlockAtPct}, pt.${P.BlockAtPct}, ${BUDGET_HARD_CAP_PCT}) AS hardCapPct
    FROM users
    LEFT JOIN (SELECT ${P.Key}, ${P.MonthlyBudgetUsd}, ${P.WarnAtPct}, ${P.BlockAtPct} FROM plans WHERE ${P.Kind} = 'user') AS pu ON pu.${P.Key} = users.userId
    LEFT JOIN (SELECT ${P.Key}, ${P.MonthlyBudgetUsd}, ${P.WarnAtPct}, ${P.BlockAtPct} FROM plans WHERE ${P.Kind} = 'tier') AS pt ON pt.${P.Key} = users.tier
  )
SELECT userId, tier, toFloat64(spent) AS monthToDateUsd, budgetUsd, 100 * monthToDateUsd / budgetUsd AS budgetUsedPct,
  least(warnAtPct, hardCapPct) AS softCapPct, hardCapPct, ${budgetStatus('spent')} AS status
FROM budgets
WHERE budgetUsd > 0
ORDER BY budgetUsedPct DESC, userId`,
};

/** See its description. */
export const usersNearBudget: MetricDefinition = {
  id: 'users_near_budget',
  description: `Users past the soft cap of their monthly budget this month (their tier's or their own warnAtPct, default ${BUDGET_WARNING_PCT} %), or past 100 %: 'warning', 'over budget' (past 100 %, below a higher hard cap) or 'exceeded' (at the hard cap, where the budget guard acts)`,
  sql: (ctx) => `SELECT userId, tier, status, monthToDateUsd, budgetUsd, budgetUsedPct, softCapPct, hardCapPct
FROM (${budgetUsage.sql(ctx)})
WHERE status != 'ok'
ORDER BY budgetUsedPct DESC, userId`,
};

/** See its description. */
export const sharedBudgetUsage: MetricDefinition = {
  id: 'shared_budget_usage',
  description: `Per feature and tenant with a monthly LLM budget in the plans: its spend this UTC month up to the window's end (every call naming it, all users and account-level work together, as the budget guard counts it), the share of the budget used, %, its soft and hard caps and its state; a tenant's tier is the tier of its latest span`,
  sql: (ctx) => `WITH
  src AS (${userDailySource(monthToDate(ctx))}),
  plans AS (${plansSource(ctx)}),
  spend AS (
    SELECT if(grouping(${U.Feature}) = 0, 'feature', 'tenant') AS budget, if(budget = 'feature', toString(${U.Feature}), ${U.TenantId}) AS name,
      sum(${U.CostUsd}) AS spent, if(budget = 'tenant', argMaxMerge(${U.LatestTier}), '') AS tier
    FROM src
    GROUP BY GROUPING SETS ((${U.Feature}), (${U.TenantId}))
  ),
  budgets AS (
    SELECT toString(${P.Kind}) AS budget, ${P.Key} AS name, ${P.MonthlyBudgetUsd} AS budgetUsd, toString(assumeNotNull(${P.Action})) AS action,
      coalesce(${P.WarnAtPct}, ${BUDGET_WARNING_PCT}) AS warnAtPct, coalesce(${P.BlockAtPct}, ${BUDGET_HARD_CAP_PCT}) AS hardCapPct
    FROM plans WHERE ${P.Kind} IN ('feature', 'tenant') AND ${P.MonthlyBudgetUsd} > 0 AND ${P.Action} IS NOT NULL
  )
SELECT b.budget AS budget, b.name AS name, s.tier AS tier, toFloat64(coalesce(s.spent, 0)) AS monthToDateUsd, budgetUsd,
  100 * monthToDateUsd / budgetUsd AS budgetUsedPct, least(warnAtPct, hardCapPct) AS softCapPct, hardCapPct, action,
  ${budgetStatus('coalesce(s.spent, toDecimal128(0, 10))')} AS status
FROM budgets AS b
LEFT JOIN spend AS s ON s.budget = b.budget AND s.name = b.name
ORDER BY budgetUsedPct DESC, budget, name`,
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
