import { billingCte, days, subjectsCte, tierMargin, userMonthlyPrice, userPriceJoin } from './coreMetrics.js';
import type { MetricDefinition } from './coreMetrics.js';
import type { MetricSqlContext } from './queries/context.js';
import { plansSource, userDailySource } from './queries/sources.js';
import { P, S, U } from './tables.js';

/**
 * Trends and targets: margin per UTC week, and the alert queries that watch a tier's AI COGS %
 * against its target and its cost per active user over the weeks. The alert queries follow the
 * shape of `alertMetrics.ts`: String columns are labels, the one numeric column the value.
 */

/** The AI COGS % (LLM cost / revenue) a tier should stay under when the plan file names no `targetAiCogsPct`. */
export const DEFAULT_TARGET_AI_COGS_PCT = 8;
/** Cost per active user climbing by more than this share, %, over `COST_CLIMB_WEEKS` weeks is alerted on. */
export const COST_PER_USER_CLIMB_PCT = 25;
/** Weeks between the two weeks whose cost per active user the climb alert compares. */
export const COST_CLIMB_WEEKS = 4;

const DAY_SECONDS = 86_400;

/** The window's end as epoch seconds with milliseconds (Float64). */
const endSeconds = (ctx: MetricSqlContext) => `(toUnixTimestamp64Milli(toDateTime64(${ctx.to ?? 'now()'}, 3)) / 1000)`;

/** See its description. */
export const weeklyTierMargin: MetricDefinition = {
  id: 'weekly_tier_margin',
  description:
    'Per UTC week (from Monday) and tier: the days of the week inside the window, active users, revenue, LLM cost, gross margin ($ and %), cost per active user and AI COGS %; each week is a window of its own (D = its days in the window)',
  sql: (ctx) => {
    const end = endSeconds(ctx);
    const weekStart = `toFloat64(toUnixTimestamp(toDateTime(week, 'UTC')))`;
    return `WITH
  src AS (SELECT *, toMonday(${U.Day}) AS Week FROM (${userDailySource(ctx)})),
  plans AS (${plansSource(ctx)}),
  ${billingCte(ctx)},
  ${subjectsCte(['Week'])},
  byWeek AS (
    SELECT subjects.Week AS week, subjects.tier AS tier, countIf(kind = 'user') AS activeUsers,
      sumIf(${userMonthlyPrice}, kind = 'user') AS monthlyRevenueUsd, toFloat64(sum(cost)) AS costUsd,
      (least(${weekStart} + ${7 * DAY_SECONDS}, ${end}) - greatest(${weekStart}, ${end} - ${days(ctx)} * ${DAY_SECONDS})) / ${DAY_SECONDS} AS exactDays
    FROM subjects ${userPriceJoin(`if(kind = 'user', key, '')`, 'subjects.tier')}
    GROUP BY week, tier
  )
SELECT week, tier, round(exactDays, 2) AS weekDays,
  activeUsers, monthlyRevenueUsd * exactDays / 30 AS revenueUsd, costUsd,
  revenueUsd - costUsd AS grossMarginUsd,
  if(revenueUsd = 0, NULL, 100 * grossMarginUsd / revenueUsd) AS grossMarginPct,
  if(activeUsers = 0, NULL, costUsd / activeUsers) AS costPerUserUsd,
  if(revenueUsd = 0, NULL, 100 * costUsd / revenueUsd) AS aiCogsPct
FROM byWeek
ORDER BY week, tier`;
  },
};

/** Monday (UTC) of the week that holds the window's end, as a SQL Date. */
const currentMonday = (ctx: MetricSqlContext) => `toMonday(toTimeZone(${ctx.to ?? 'now()'}, 'UTC'))`;

/**
 * The `COST_CLIMB_WEEKS + 1` whole UTC weeks before the week that holds the window's end, whatever
 * the window's start: only whole days, so only the rollups are read.
 */
function wholeWeeksBefore(ctx: MetricSqlContext): MetricSqlContext {
  const end = currentMonday(ctx);
  const start = `(${end} - ${7 * (COST_CLIMB_WEEKS + 1)})`;
  return {
    ...ctx,
    timeFilter: `${S.Timestamp} >= toDateTime(${start}, 'UTC') AND ${S.Timestamp} < toDateTime(${end}, 'UTC')`,
    dayFilter: `Day >= ${start} AND Day < ${end}`,
    days: String(7 * (COST_CLIMB_WEEKS + 1)),
    to: `toDateTime(${end}, 'UTC')`,
  };
}

/** See its description. */
export const costPerUserClimb: MetricDefinition = {
  id: 'alert_cost_per_user_climb',
  description: `Per tier: how much its cost per active user grew from the whole UTC week ${COST_CLIMB_WEEKS} weeks before the last one to the last whole week before the window's end, % (alert above ${COST_PER_USER_CLIMB_PCT})`,
  sql: (ctx) => {
    const end = currentMonday(ctx);
    return `SELECT tier, 100 * ((lastCost / lastUsers) / (baseCost / baseUsers) - 1) AS costPerUserClimbPct
FROM (
  SELECT tier,
    sumIf(costUsd, week = ${end} - 7) AS lastCost, sumIf(activeUsers, week = ${end} - 7) AS lastUsers,
    sumIf(costUsd, week = ${end} - ${7 * (COST_CLIMB_WEEKS + 1)}) AS baseCost, sumIf(activeUsers, week = ${end} - ${7 * (COST_CLIMB_WEEKS + 1)}) AS baseUsers
  FROM (${weeklyTierMargin.sql(wholeWeeksBefore(ctx))})
  GROUP BY tier
)
WHERE lastUsers > 0 AND baseUsers > 0 AND baseCost > 0
ORDER BY tier`;
  },
};

/** See its description. */
export const aiCogsVsTarget: MetricDefinition = {
  id: 'alert_ai_cogs_vs_target',
  description: `Per tier with revenue: AI COGS % minus the plan's targetAiCogsPct (default ${DEFAULT_TARGET_AI_COGS_PCT}); positive = over target`,
  sql: (ctx) => `SELECT m.tier AS tier, m.aiCogsPct - coalesce(t.${P.TargetAiCogsPct}, ${DEFAULT_TARGET_AI_COGS_PCT}) AS aiCogsOverTargetPct
FROM (${tierMargin.sql(ctx)}) AS m
LEFT JOIN (SELECT ${P.Key}, ${P.TargetAiCogsPct} FROM (${plansSource(ctx)}) WHERE ${P.Kind} = 'tier') AS t ON t.${P.Key} = m.tier
WHERE m.aiCogsPct IS NOT NULL
ORDER BY tier`,
};
