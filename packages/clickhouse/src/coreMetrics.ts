import type { MetricSqlContext } from './queries/context.js';
import { spanConditions } from './queries/context.js';
import { importedUsersSource, plansSource, sessionDailySource, userDailySource } from './queries/sources.js';
import { IU, P, S, SS, TABLES, U, qualified } from './tables.js';

/**
 * The metrics, each defined once as SQL over placeholders (`MetricSqlContext`): the CLI report
 * runs them with query parameters, Grafana dashboards and alert rules with its macros. Every USD
 * and % figure users read is computed here; cost sums stay Decimal (exact) until the last step.
 * Definitions follow PRODUCT.md, for a window of D days:
 * - only priced model calls (`SpanRole = 'inference'`, `Priced`) add cost; wrappers never do;
 * - a user's tier is the tier imported from billing (`users` table) where the user is there, else the
 *   tier on their latest span in the window; their cost and revenue count there;
 * - a span with a tenant and no user is account-level: it adds cost to the account's tier (the tier
 *   on the tenant's latest span), not users; a span with neither counts in its own tier;
 * - revenue = Σ over a tier's active users of monthly price × D / 30; a user's price is the imported
 *   one, else the plan file's for the user, else their tier's.
 * Percentages are in percent (3 means 3 %); shares are fractions (0.25 means 25 %).
 */

/** One metric: a stable id (for dashboards and alerts), what it shows, and its SQL. */
export interface MetricDefinition {
  id: string;
  description: string;
  sql(ctx: MetricSqlContext): string;
}

/** Users at or above this multiple of their tier's median cost are power users. */
export const POWER_USER_MULTIPLE = 3;

/** The window's length in days as a parenthesised SQL expression. */
export const days = (ctx: MetricSqlContext) => `(${ctx.days})`;

/** CTE `billing`: the users imported from billing, whose tier and price beat the spans' and the plan file's. */
export const billingCte = (ctx: MetricSqlContext): string => `billing AS (${importedUsersSource(ctx)})`;

/** A `billing` column (joined as `b`) where the row is an imported user (and `isUser` holds), else `otherwise`. */
const imported = (column: string, otherwise: string, isUser?: string) =>
  `if(${isUser === undefined ? '' : `${isUser} AND `}b.${IU.UserId} != '', b.${column}, ${otherwise})`;

/**
 * Per-user aggregate over the window (needs CTEs `src` and `billing`): tier (imported, else on the
 * latest span), cost, calls, and for imported users their price (null: the tier's) and signup date.
 */
export const usersCte = `users AS (
    SELECT a.userId AS userId, ${imported(IU.Tier, 'a.spanTier')} AS tier, a.cost AS cost, a.calls AS calls,
      ${imported(IU.MonthlyPriceUsd, 'NULL')} AS importedPriceUsd, ${imported(IU.SignupDate, 'NULL')} AS signupDate
    FROM (
      SELECT ${U.UserId} AS userId, argMaxMerge(${U.LatestTier}) AS spanTier, sum(${U.CostUsd}) AS cost, sum(${U.Calls}) AS calls
      FROM src WHERE ${U.UserId} != '' GROUP BY ${U.UserId}
    ) AS a
    LEFT ANY JOIN billing AS b ON b.${IU.UserId} = a.userId
  )`;

/** Joins the user's own plan as pu and their tier's as pt, for `userMonthlyPrice`. */
export const userPriceJoin = (userId: string, tier: string) => `LEFT JOIN (SELECT ${P.Key}, ${P.MonthlyPriceUsd} FROM plans WHERE ${P.Kind} = 'user') AS pu ON pu.${P.Key} = ${userId}
    LEFT JOIN (SELECT ${P.Key}, ${P.MonthlyPriceUsd} FROM plans WHERE ${P.Kind} = 'tier') AS pt ON pt.${P.Key} = ${tier}`;
/** A user's monthly price: imported (`importedPriceUsd` of users or subjects), else their own plan's, else their tier's, else 0. */
export const userMonthlyPrice = `coalesce(importedPriceUsd, pu.${P.MonthlyPriceUsd}, pt.${P.MonthlyPriceUsd}, 0)`;

/**
 * Every subject that carries cost, in one pass over the rows (GROUPING SETS; a CTE named twice
 * would be computed twice): users by UserId, accounts by TenantId (tier from all the tenant's
 * spans, cost from its spans without a user), and spans with neither by their own Tier. Imported
 * users take their tier and price from `billing` (a CTE the query must define).
 */
export const subjectsCte = (by: readonly string[] = []): string => {
  const k = by.map((c) => `${c}, `).join('');
  const isUser = "g.kind = 'user'";
  return `subjects AS (
    SELECT ${by.map((c) => `g.${c} AS ${c}, `).join('')}g.kind AS kind, g.key AS key, ${imported(IU.Tier, 'g.spanTier', isUser)} AS tier, g.cost AS cost,
      ${imported(IU.MonthlyPriceUsd, 'NULL', isUser)} AS importedPriceUsd
    FROM (
      SELECT ${k}
        multiIf(grouping(${U.UserId}) = 0, 'user', grouping(${U.TenantId}) = 0, 'account', 'unattributed') AS kind,
        multiIf(kind = 'user', ${U.UserId}, kind = 'account', ${U.TenantId}, toString(${U.Tier})) AS key,
        if(kind = 'unattributed', key, argMaxMerge(${U.LatestTier})) AS spanTier,
        multiIf(kind = 'user', sum(${U.CostUsd}), kind = 'account', sumIf(${U.CostUsd}, ${U.UserId} = ''),
          sumIf(${U.CostUsd}, ${U.UserId} = '' AND ${U.TenantId} = '')) AS cost,
        multiIf(kind = 'user', 1, kind = 'account', countIf(${U.UserId} = ''), countIf(${U.UserId} = '' AND ${U.TenantId} = '')) AS rowsOfKind
      FROM src
      GROUP BY GROUPING SETS ((${k}${U.UserId}), (${k}${U.TenantId}), (${k}${U.Tier}))
      HAVING rowsOfKind > 0 AND (key != '' OR kind = 'unattributed')
    ) AS g
    LEFT ANY JOIN billing AS b ON b.${IU.UserId} = if(${isUser}, g.key, '')
  )`;
};

/** See its description. */
export const tierMargin: MetricDefinition = {
  id: 'tier_margin',
  description:
    "Per tier: active users, revenue, LLM cost, gross margin ($ and %), cost per active user, AI COGS %, the tier's monthly budget per user and the users' average cost as a share of it (budget × D / 30), %",
  sql: (ctx) => `WITH
  src AS (${userDailySource(ctx)}),
  plans AS (${plansSource(ctx)}),
  ${billingCte(ctx)},
  ${subjectsCte()},
  byTier AS (
    SELECT subjects.tier AS tier, countIf(kind = 'user') AS activeUsers,
      sumIf(${userMonthlyPrice} * ${days(ctx)} / 30, kind = 'user') AS revenueUsd, toFloat64(sum(cost)) AS costUsd,
      toFloat64(sumIf(cost, kind = 'user')) AS userCostUsd
    FROM subjects ${userPriceJoin(`if(kind = 'user', key, '')`, 'subjects.tier')}
    GROUP BY tier
  )
SELECT byTier.tier AS tier, activeUsers, revenueUsd, costUsd,
  revenueUsd - costUsd AS grossMarginUsd,
  if(revenueUsd = 0, NULL, 100 * grossMarginUsd / revenueUsd) AS grossMarginPct,
  if(activeUsers = 0, NULL, costUsd / activeUsers) AS costPerUserUsd,
  if(revenueUsd = 0, NULL, 100 * costUsd / revenueUsd) AS aiCogsPct,
  tb.${P.MonthlyBudgetUsd} AS monthlyBudgetUsd,
  if(activeUsers = 0 OR coalesce(monthlyBudgetUsd, 0) = 0, NULL, 100 * (userCostUsd / activeUsers) / (monthlyBudgetUsd * ${days(ctx)} / 30)) AS avgBudgetUsedPct
FROM byTier
LEFT JOIN (SELECT ${P.Key}, ${P.MonthlyBudgetUsd} FROM plans WHERE ${P.Kind} = 'tier') AS tb ON tb.${P.Key} = byTier.tier
ORDER BY revenueUsd DESC, costUsd DESC, tier`,
};

/** See its description. */
export const userCost: MetricDefinition = {
  id: 'user_cost',
  description: 'Per user, by cost: tier, cost, calls, revenue, gross margin and cost as a multiple of the tier median',
  sql: (ctx) => `WITH
  src AS (${userDailySource(ctx)}),
  plans AS (${plansSource(ctx)}),
  ${billingCte(ctx)},
  ${usersCte},
  priced AS (
    SELECT users.userId AS userId, users.tier AS tier, toFloat64(users.cost) AS costUsd, users.calls AS calls,
      ${userMonthlyPrice} * ${days(ctx)} / 30 AS revenueUsd,
      quantileExactInclusive(0.5)(toFloat64(users.cost)) OVER (PARTITION BY users.tier) AS tierMedianUsd
    FROM users ${userPriceJoin('users.userId', 'users.tier')}
  )
SELECT userId, tier, costUsd, calls, revenueUsd, revenueUsd - costUsd AS grossMarginUsd,
  if(tierMedianUsd = 0, NULL, costUsd / tierMedianUsd) AS multipleOfTierMedian
FROM priced
ORDER BY costUsd DESC, userId`,
};

/** See its description. */
export const powerUsers: MetricDefinition = {
  id: 'power_users',
  description: `Users whose cost is at least ${POWER_USER_MULTIPLE}× the median user cost of their tier`,
  sql: (ctx) => `SELECT * FROM (${userCost.sql(ctx)}) WHERE multipleOfTierMedian >= ${POWER_USER_MULTIPLE} ORDER BY costUsd DESC, userId`,
};

/** See its description. */
export const featureCost: MetricDefinition = {
  id: 'feature_cost',
  description: "Per feature: calls, users, cost, average cost per priced call, cost per user and cost-to-revenue ratio (CTR %) against the plan's feature revenue",
  sql: (ctx) => `WITH
  src AS (${userDailySource(ctx)}),
  plans AS (${plansSource(ctx)}),
  byFeature AS (
    SELECT ${U.Feature} AS feature, sum(${U.Calls}) AS calls, sum(${U.Calls}) - sum(${U.UnpricedCalls}) AS pricedCalls,
      uniqExactIf(${U.UserId}, ${U.UserId} != '') AS activeUsers, toFloat64(sum(${U.CostUsd})) AS costUsd
    FROM src GROUP BY ${U.Feature}
  )
SELECT byFeature.feature AS feature, calls, activeUsers, costUsd,
  if(pricedCalls = 0, NULL, costUsd / pricedCalls) AS avgCostPerCallUsd,
  if(activeUsers = 0, NULL, costUsd / activeUsers) AS costPerUserUsd,
  if(activeUsers = 0 OR coalesce(pf.${P.FeatureRevenuePerUserUsd}, 0) = 0, NULL,
    100 * costPerUserUsd / (pf.${P.FeatureRevenuePerUserUsd} * ${days(ctx)} / 30)) AS ctrPct
FROM byFeature
LEFT JOIN (SELECT ${P.Key}, ${P.FeatureRevenuePerUserUsd} FROM plans WHERE ${P.Kind} = 'feature') AS pf ON pf.${P.Key} = byFeature.feature
ORDER BY costUsd DESC, feature`,
};

/** See its description. */
export const modelUsage: MetricDefinition = {
  id: 'model_usage',
  description: 'Per provider and model: calls, tokens, cost and unpriced calls',
  sql: (ctx) => `WITH src AS (${userDailySource(ctx)})
SELECT ${U.Provider} AS provider, ${U.Model} AS model, sum(${U.Calls}) AS calls,
  sum(${U.InputTokens}) AS inputTokens, sum(${U.OutputTokens}) AS outputTokens, sum(${U.CacheReadTokens}) AS cacheReadTokens,
  toFloat64(sum(${U.CostUsd})) AS costUsd, sum(${U.UnpricedCalls}) AS unpricedCalls
FROM src GROUP BY ${U.Provider}, ${U.Model}
ORDER BY costUsd DESC, provider, model`,
};

/** See its description. */
export const accountCost: MetricDefinition = {
  id: 'account_cost',
  description: "Account-level cost (spans with a tenant and no user) per account, in the tier of the account's latest span",
  sql: (ctx) => `WITH src AS (${userDailySource(ctx)})
SELECT ${U.TenantId} AS tenantId, argMaxMerge(${U.LatestTier}) AS tier,
  toFloat64(sumIf(${U.CostUsd}, ${U.UserId} = '')) AS costUsd, sumIf(${U.Calls}, ${U.UserId} = '') AS calls
FROM src WHERE ${U.TenantId} != '' GROUP BY ${U.TenantId}
HAVING countIf(${U.UserId} = '') > 0
ORDER BY costUsd DESC, tenantId`,
};

/** Share of the users' total cost from the top ⌈n × pct / 100⌉ users, in integer arithmetic. */
const topShare = (pct: number) =>
  `if(total = 0, NULL, toFloat64(arraySum(arraySlice(sorted, 1, intDiv(n * ${pct} + 99, 100)))) / toFloat64(total))`;

/** See its description. */
export const costSkew: MetricDefinition = {
  id: 'cost_skew',
  description: "Share of the users' total cost caused by the top 5 %, 10 % and 20 % of users by cost",
  sql: (ctx) => `WITH
  src AS (${userDailySource(ctx)}),
  ${billingCte(ctx)},
  ${usersCte},
  ranked AS (SELECT count() AS n, sum(cost) AS total, arrayReverseSort(groupArray(cost)) AS sorted FROM users)
SELECT n AS users, ${topShare(5)} AS top5PctShare, ${topShare(10)} AS top10PctShare, ${topShare(20)} AS top20PctShare
FROM ranked`,
};

/** CTEs `src` and `sessions`: per session of the window its cost and the feature and tier of its latest span. */
export const sessionDailyCte = (ctx: MetricSqlContext): string => `src AS (${sessionDailySource(ctx)}),
  sessions AS (
    SELECT ${SS.SessionId} AS sessionId, argMaxMerge(${SS.LatestFeature}) AS feature, argMaxMerge(${SS.LatestTier}) AS tier,
      toFloat64(sum(${SS.CostUsd})) AS cost
    FROM src GROUP BY ${SS.SessionId}
  )`;

/** See its description. */
export const sessionCost: MetricDefinition = {
  id: 'session_cost',
  description: "Session cost (sum over a session's spans) P50 / P95 / P99 per feature and tier of the session's latest span",
  sql: (ctx) => `WITH
  ${sessionDailyCte(ctx)},
  quantiles AS (
    SELECT feature, tier, count() AS sessions, quantilesExactInclusive(0.5, 0.95, 0.99)(cost) AS q FROM sessions GROUP BY feature, tier
  )
SELECT feature, tier, sessions, q[1] AS p50Usd, q[2] AS p95Usd, q[3] AS p99Usd
FROM quantiles
ORDER BY feature, tier`,
};

/** See its description. */
export const unpricedSpans: MetricDefinition = {
  id: 'unpriced_spans',
  description: 'Model calls left without a cost, per model, provider and reason',
  sql: (ctx) => `SELECT ${S.Model} AS model, ${S.Provider} AS provider, ${S.UnpricedReason} AS reason, count() AS spans
FROM ${qualified(ctx.database, TABLES.spans)}
WHERE ${[ctx.timeFilter, `${S.SpanRole} = 'inference'`, `NOT ${S.Priced}`, ...spanConditions(ctx)].map((c) => `(${c})`).join(' AND ')}
GROUP BY ${S.Model}, ${S.Provider}, ${S.UnpricedReason}
ORDER BY spans DESC, model, provider, reason`,
};

/** See its description. */
export const incompleteUsage: MetricDefinition = {
  id: 'incomplete_usage',
  description: 'Priced model calls whose instrumentation dropped a usage detail that changes the price, per instrumentation scope and detail',
  sql: (ctx) => `SELECT ${S.ScopeName} AS scope, ${S.UsageIncomplete} AS detail, count() AS calls
FROM ${qualified(ctx.database, TABLES.spans)}
WHERE ${[ctx.timeFilter, `${S.SpanRole} = 'inference'`, S.Priced, `${S.UsageIncomplete} != ''`, ...spanConditions(ctx)].map((c) => `(${c})`).join(' AND ')}
GROUP BY ${S.ScopeName}, ${S.UsageIncomplete}
ORDER BY calls DESC, scope, detail`,
};
