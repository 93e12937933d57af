import { billingCte, modelUsage, sessionDailyCte, subjectsCte, tierMargin, userCost, userMonthlyPrice, userPriceJoin } from './coreMetrics.js';
import type { MetricDefinition } from './coreMetrics.js';
import { plansSource, userDailySource } from './queries/sources.js';
import { U } from './tables.js';

/** A session costing more than this multiple of its tier's P95 session cost is an outlier. */
export const SESSION_OUTLIER_MULTIPLE = 5;

/** See its description. */
export const overallMargin: MetricDefinition = {
  id: 'overall_margin',
  description: 'All tiers together: active users, revenue, LLM cost, gross margin ($ and %), cost per active user and AI COGS %',
  sql: (ctx) => `SELECT users AS activeUsers, revenue AS revenueUsd, cost AS costUsd, revenue - cost AS grossMarginUsd,
  if(revenue = 0, NULL, 100 * (revenue - cost) / revenue) AS grossMarginPct,
  if(users = 0, NULL, cost / users) AS costPerUserUsd,
  if(revenue = 0, NULL, 100 * cost / revenue) AS aiCogsPct
FROM (SELECT sum(t.activeUsers) AS users, sum(t.revenueUsd) AS revenue, sum(t.costUsd) AS cost FROM (${tierMargin.sql(ctx)}) AS t)`,
};

/** See its description. */
export const marginTrend: MetricDefinition = {
  id: 'margin_trend',
  description:
    'Per UTC day and tier: revenue, LLM cost and gross margin ($ and %), each day a window of D = 1 (users active that day × monthly price / 30)',
  sql: (ctx) => `WITH
  src AS (${userDailySource(ctx)}),
  plans AS (${plansSource(ctx)}),
  ${billingCte(ctx)},
  ${subjectsCte([U.Day])},
  byDay AS (
    SELECT subjects.${U.Day} AS day, subjects.tier AS tier, sumIf(${userMonthlyPrice} / 30, kind = 'user') AS revenueUsd, toFloat64(sum(cost)) AS costUsd
    FROM subjects ${userPriceJoin(`if(kind = 'user', key, '')`, 'subjects.tier')}
    GROUP BY day, tier
  )
SELECT toDateTime(day, 'UTC') AS time, tier, revenueUsd, costUsd, revenueUsd - costUsd AS grossMarginUsd,
  if(revenueUsd = 0, NULL, 100 * grossMarginUsd / revenueUsd) AS grossMarginPct
FROM byDay
ORDER BY time, tier`,
};

/** See its description. */
export const unprofitableUsers: MetricDefinition = {
  id: 'unprofitable_users',
  description: 'Users whose LLM cost over the window exceeds their revenue (price × D / 30), most negative margin first',
  sql: (ctx) => `SELECT * FROM (${userCost.sql(ctx)}) WHERE grossMarginUsd < 0 ORDER BY grossMarginUsd, userId`,
};

/** See its description. */
export const tierCostDistribution: MetricDefinition = {
  id: 'tier_cost_distribution',
  description: 'Per tier: users and the P25 / P50 / P75 / P90 / P99 of user cost',
  sql: (ctx) => `SELECT tier, users, q[1] AS p25Usd, q[2] AS p50Usd, q[3] AS p75Usd, q[4] AS p90Usd, q[5] AS p99Usd
FROM (SELECT tier, count() AS users, quantilesExactInclusive(0.25, 0.5, 0.75, 0.9, 0.99)(costUsd) AS q FROM (${userCost.sql(ctx)}) GROUP BY tier)
ORDER BY tier`,
};

/** See its description. */
export const cacheReadShare: MetricDefinition = {
  id: 'cache_read_share',
  description: 'Per provider and model: input tokens, cache-read tokens and the cache-read share of input (input includes cached tokens), %',
  sql: (ctx) => `SELECT provider, model, inputTokens, cacheReadTokens, if(inputTokens = 0, NULL, 100 * cacheReadTokens / inputTokens) AS cacheReadSharePct
FROM (${modelUsage.sql(ctx)})
ORDER BY inputTokens DESC, provider, model`,
};

/** See its description. */
export const sessionOutliers: MetricDefinition = {
  id: 'session_outliers',
  description: `Sessions costing more than ${SESSION_OUTLIER_MULTIPLE}× the P95 session cost of their tier (of the session's latest span) in the window`,
  sql: (ctx) => `WITH
  ${sessionDailyCte(ctx)},
  ranked AS (SELECT *, quantileExactInclusive(0.95)(cost) OVER (PARTITION BY tier) AS tierP95Usd FROM sessions)
SELECT sessionId, feature, tier, cost AS costUsd, tierP95Usd, if(tierP95Usd = 0, NULL, cost / tierP95Usd) AS multipleOfTierP95
FROM ranked
WHERE multipleOfTierP95 > ${SESSION_OUTLIER_MULTIPLE}
ORDER BY costUsd DESC, sessionId`,
};
