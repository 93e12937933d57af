import { billingCte, days, sessionDailyCte, usersCte } from './coreMetrics.js';
import type { MetricDefinition } from './coreMetrics.js';
import { plansSource, userDailySource } from './queries/sources.js';
import { DEFAULT_TARGET_AI_COGS_PCT } from './targetMetrics.js';
import { P } from './tables.js';

/** The suggested session cap is this multiple of the tier's P90 session cost. */
export const SESSION_CAP_MULTIPLE = 3;

/**
 * See its description. Gross margin here is revenue − LLM cost, so margin % = 100 − AI COGS %: a
 * tier without a target margin keeps the one its AI COGS target implies. Budgets are monthly and
 * the window is D days, so a user counts as stopped when their cost in the window passes the
 * budget × D / 30 (with --since 30d, the budget itself).
 */
export const capSuggestions: MetricDefinition = {
  id: 'cap_suggestions',
  description: `Per tier: P50 / P90 / P95 session cost, the suggested session cap (${SESSION_CAP_MULTIPLE} × P90) and the sessions above it; the monthly budget per user that keeps the tier at its target margin (price × (1 − target margin); the target is the plan's targetMarginPct, else 100 − its AI COGS target); the users whose cost in the window passed the current and the suggested budget (× D / 30)`,
  sql: (ctx) => `WITH
  sessionStats AS (
    SELECT tier, count() AS sessions, quantilesExactInclusive(0.5, 0.9, 0.95)(cost) AS q, ${SESSION_CAP_MULTIPLE} * any(p90) AS capUsd, countIf(cost > ${SESSION_CAP_MULTIPLE} * p90) AS sessionsOverCap
    FROM (
      WITH ${sessionDailyCte(ctx)}
      SELECT toString(tier) AS tier, cost, quantileExactInclusive(0.9)(cost) OVER (PARTITION BY tier) AS p90 FROM sessions
    )
    GROUP BY tier
  ),
  src AS (${userDailySource(ctx)}),
  plans AS (${plansSource(ctx)}),
  ${billingCte(ctx)},
  ${usersCte},
  targets AS (
    SELECT ${P.Key} AS tier, ${P.MonthlyPriceUsd} AS priceUsd, ${P.MonthlyBudgetUsd} AS budgetUsd,
      toNullable(coalesce(${P.TargetMarginPct}, 100 - coalesce(${P.TargetAiCogsPct}, ${DEFAULT_TARGET_AI_COGS_PCT}))) AS targetMarginPct,
      if(coalesce(${P.MonthlyPriceUsd}, 0) = 0, NULL, ${P.MonthlyPriceUsd} * (1 - targetMarginPct / 100)) AS suggestedBudgetUsd
    FROM plans WHERE ${P.Kind} = 'tier'
  ),
  userStats AS (
    SELECT toString(users.tier) AS tier, count() AS activeUsers,
      countIf(coalesce(pu.${P.MonthlyBudgetUsd}, t.budgetUsd) IS NOT NULL AND users.cost > coalesce(pu.${P.MonthlyBudgetUsd}, t.budgetUsd) * ${days(ctx)} / 30) AS usersOverBudget,
      countIf(users.cost > t.suggestedBudgetUsd * ${days(ctx)} / 30) AS usersOverSuggested
    FROM users
    LEFT JOIN (SELECT ${P.Key}, ${P.MonthlyBudgetUsd} FROM plans WHERE ${P.Kind} = 'user') AS pu ON pu.${P.Key} = users.userId
    LEFT JOIN targets AS t ON t.tier = users.tier
    GROUP BY tier
  ),
  tiers AS (SELECT tier FROM sessionStats UNION DISTINCT SELECT tier FROM userStats UNION DISTINCT SELECT tier FROM targets)
SELECT tiers.tier AS tier, ss.sessions AS sessions,
  if(ss.sessions = 0, NULL, ss.q[1]) AS p50SessionUsd, if(ss.sessions = 0, NULL, ss.q[2]) AS p90SessionUsd, if(ss.sessions = 0, NULL, ss.q[3]) AS p95SessionUsd,
  if(ss.sessions = 0, NULL, ss.capUsd) AS suggestedSessionCapUsd, ss.sessionsOverCap AS sessionsOverCap,
  t.priceUsd AS monthlyPriceUsd, t.targetMarginPct AS targetMarginPct, t.budgetUsd AS monthlyBudgetUsd, t.suggestedBudgetUsd AS suggestedBudgetUsd,
  us.activeUsers AS activeUsers, us.usersOverBudget AS usersOverBudget,
  if(t.suggestedBudgetUsd IS NULL, NULL, us.usersOverSuggested) AS usersOverSuggestedBudget
FROM tiers
LEFT JOIN sessionStats AS ss ON ss.tier = tiers.tier
LEFT JOIN userStats AS us ON us.tier = tiers.tier
LEFT JOIN targets AS t ON t.tier = tiers.tier
ORDER BY tier`,
};
