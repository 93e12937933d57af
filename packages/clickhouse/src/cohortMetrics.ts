import { billingCte, days, userMonthlyPrice, userPriceJoin, usersCte } from './coreMetrics.js';
import type { MetricDefinition } from './coreMetrics.js';
import { plansSource, userDailySource } from './queries/sources.js';
import { IU } from './tables.js';

/** `YYYY-MM` of a date. */
const month = (date: string) => `formatDateTime(toStartOfMonth(${date}), '%Y-%m')`;

/**
 * See its description. A cohort's users are the imported users of that signup month and tier;
 * its cost, revenue and percentiles are those of the ones active in the window (the definitions
 * count revenue for active users only). Users not imported have no signup month: one row per tier
 * with a null month keeps the totals whole.
 */
export const cohortCost: MetricDefinition = {
  id: 'cohort_cost',
  description:
    'Per signup month and tier of the users imported from billing: users, users active in the window, revenue, LLM cost, median and P95 cost per active user, gross margin ($ and %); users not imported under a null month',
  sql: (ctx) => `WITH
  src AS (${userDailySource(ctx)}),
  plans AS (${plansSource(ctx)}),
  ${billingCte(ctx)},
  ${usersCte},
  members AS (
    SELECT if(signupDate IS NULL, NULL, ${month('signupDate')}) AS signupMonth, toString(users.tier) AS tier, 0 AS imported, 1 AS active,
      users.cost AS userCost, toFloat64(${userMonthlyPrice} * ${days(ctx)} / 30) AS userRevenueUsd
    FROM users ${userPriceJoin('users.userId', 'users.tier')}
    UNION ALL
    SELECT toNullable(${month(IU.SignupDate)}), toString(${IU.Tier}), 1, 0, toDecimal128(0, 10), toFloat64(0) FROM billing
  ),
  cohorts AS (
    -- Cost stays Decimal until summed: a sum of floats would depend on the order rows arrive in.
    SELECT signupMonth, tier, sum(imported) AS importedUsers, sum(active) AS activeUsers, sum(userRevenueUsd) AS revenueUsd, toFloat64(sum(userCost)) AS costUsd,
      quantilesExactInclusiveIf(0.5, 0.95)(toFloat64(userCost), active = 1) AS q
    FROM members GROUP BY signupMonth, tier
  )
SELECT signupMonth, tier, if(signupMonth IS NULL, NULL, importedUsers) AS users, activeUsers, revenueUsd, costUsd,
  if(activeUsers = 0, NULL, q[1]) AS medianCostPerUserUsd, if(activeUsers = 0, NULL, q[2]) AS p95CostPerUserUsd,
  revenueUsd - costUsd AS grossMarginUsd, if(revenueUsd = 0, NULL, 100 * grossMarginUsd / revenueUsd) AS grossMarginPct
FROM cohorts
ORDER BY signupMonth, tier`,
};
