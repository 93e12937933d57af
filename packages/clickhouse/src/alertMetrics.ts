import { sharedBudgetUsage, usersNearBudget } from './budgetMetrics.js';
import { featureCost, tierMargin, unpricedSpans } from './coreMetrics.js';
import type { MetricDefinition } from './coreMetrics.js';
import { spanConditions } from './queries/context.js';
import { plansSource } from './queries/sources.js';
import { sessionOutliers } from './trendMetrics.js';
import { P, S, TABLES, qualified } from './tables.js';

/**
 * The queries of the Grafana alert rules. Grafana turns each result row into one alert instance:
 * the String columns become its labels (so `tier`, `feature`, `user` are column names) and the one
 * numeric column its value, which the rule's threshold compares. Each composes the metric the
 * dashboards show, so an alert and its panel never disagree.
 */

/** Days of hourly history that the spend-spike baseline averages. */
export const SPIKE_BASELINE_DAYS = 7;

/** See its description. */
export const marginVsTarget: MetricDefinition = {
  id: 'alert_margin_vs_target',
  description: "Per tier with a target margin and revenue: gross margin % minus the plan's TargetMarginPct (negative = below target)",
  sql: (ctx) => `SELECT m.tier AS tier, m.grossMarginPct - t.${P.TargetMarginPct} AS marginVsTargetPct
FROM (${tierMargin.sql(ctx)}) AS m
INNER JOIN (SELECT ${P.Key}, ${P.TargetMarginPct} FROM (${plansSource(ctx)}) WHERE ${P.Kind} = 'tier' AND ${P.TargetMarginPct} IS NOT NULL) AS t
  ON t.${P.Key} = m.tier
WHERE m.grossMarginPct IS NOT NULL
ORDER BY tier`,
};

/** See its description. */
export const userBudgetWarning: MetricDefinition = {
  id: 'alert_user_budget_warning',
  description: "Per user past the soft cap of their monthly budget and below 100 % (status 'warning'): tier, user and budget used, %",
  sql: (ctx) => `SELECT tier, userId AS user, budgetUsedPct FROM (${usersNearBudget.sql(ctx)}) WHERE status = 'warning' ORDER BY tier, user`,
};

/** See its description. */
export const userBudgetOver: MetricDefinition = {
  id: 'alert_user_budget_over',
  description: "Per user at or over 100 % of their monthly budget, or at its hard cap where that is lower: tier, user and budget used, %",
  sql: (ctx) => `SELECT tier, userId AS user, budgetUsedPct FROM (${usersNearBudget.sql(ctx)}) WHERE status IN ('over budget', 'exceeded') ORDER BY tier, user`,
};

/** The feature or tenant budgets of `scope` in one of `statuses`, labelled `feature` or `tenant` (with the tenant's tier). */
const sharedBudgetAlert = (scope: 'feature' | 'tenant', statuses: readonly string[], description: string): MetricDefinition => ({
  id: `alert_${scope}_budget_${statuses.includes('exceeded') ? 'exceeded' : 'warning'}`,
  description,
  sql: (ctx) => `SELECT name AS ${scope}, ${scope === 'tenant' ? 'tier, ' : ''}action, budgetUsedPct FROM (${sharedBudgetUsage.sql(ctx)})
WHERE budget = '${scope}' AND status IN (${statuses.map((st) => `'${st}'`).join(', ')})
ORDER BY ${scope}`,
});

/** Features past the soft cap of their monthly budget, below the hard cap. */
export const featureBudgetWarning = sharedBudgetAlert('feature', ['warning', 'over budget'], "Per feature past its monthly budget's soft cap and below its hard cap: feature, action and budget used, %");
/** Features at the hard cap of their monthly budget: the budget guard applies the action. */
export const featureBudgetExceeded = sharedBudgetAlert('feature', ['exceeded'], "Per feature at its monthly budget's hard cap, where the budget guard applies its action: feature, action and budget used, %");
/** Tenants past the soft cap of their monthly budget, below the hard cap. */
export const tenantBudgetWarning = sharedBudgetAlert('tenant', ['warning', 'over budget'], "Per tenant past its monthly budget's soft cap and below its hard cap: tenant, its tier, action and budget used, %");
/** Tenants at the hard cap of their monthly budget: the budget guard applies the action. */
export const tenantBudgetExceeded = sharedBudgetAlert('tenant', ['exceeded'], "Per tenant at its monthly budget's hard cap, where the budget guard applies its action: tenant, its tier, action and budget used, %");

/** See its description. */
export const spendVsBaseline: MetricDefinition = {
  id: 'alert_spend_vs_baseline',
  description: `LLM cost of the hour up to the window's end / the average cost of the same hour of day over the previous ${SPIKE_BASELINE_DAYS} days (null without a baseline)`,
  sql: (ctx) => `SELECT if(baseline = 0, NULL, lastHour / baseline) AS spendVsBaseline
FROM (
  SELECT toFloat64(sumIf(cost, dayBack = 0)) AS lastHour, toFloat64(sumIf(cost, dayBack BETWEEN 1 AND ${SPIKE_BASELINE_DAYS})) / ${SPIKE_BASELINE_DAYS} AS baseline
  FROM (
    SELECT ${S.CostUsd} AS cost, toInt64(toUnixTimestamp(${ctx.to ?? 'now()'})) - toInt64(toUnixTimestamp(${S.Timestamp})) AS age, intDiv(age, 86400) AS dayBack
    FROM ${qualified(ctx.database, TABLES.spans)}
    WHERE ${[ctx.timeFilter, `${S.SpanRole} = 'inference'`, S.Priced, ...spanConditions(ctx)].map((c) => `(${c})`).join(' AND ')}
  )
  WHERE age >= 0 AND age % 86400 < 3600
)`,
};

/** See its description. */
export const featureCtr: MetricDefinition = {
  id: 'alert_feature_ctr',
  description: 'Per feature with plan revenue: its cost-to-revenue ratio, %',
  sql: (ctx) => `SELECT feature, ctrPct FROM (${featureCost.sql(ctx)}) WHERE ctrPct IS NOT NULL ORDER BY feature`,
};

/** See its description. */
export const unpricedByModel: MetricDefinition = {
  id: 'alert_unpriced_by_model',
  description: 'Per model and provider: model calls left without a cost',
  sql: (ctx) => `SELECT model, provider, sum(spans) AS spans FROM (${unpricedSpans.sql(ctx)}) GROUP BY model, provider ORDER BY model, provider`,
};

/** See its description. */
export const sessionOutlierByTier: MetricDefinition = {
  id: 'alert_session_outlier',
  description: "Per tier with outlier sessions: the largest session cost as a multiple of the tier's P95",
  sql: (ctx) => `SELECT tier, max(multipleOfTierP95) AS multipleOfTierP95 FROM (${sessionOutliers.sql(ctx)}) GROUP BY tier ORDER BY tier`,
};
