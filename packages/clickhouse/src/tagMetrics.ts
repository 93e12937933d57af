import type { MetricDefinition } from './coreMetrics.js';
import { tagDailySource } from './queries/sources.js';
import { TG } from './tables.js';

/**
 * Cost by tag. A span counts toward the value its tag has on it (tags describe the call: the
 * region that served it, the variant of an experiment), so a user whose calls carry two values
 * counts as an active user of each; spans without the tag are in no row.
 */

/** See its description. */
export const tagCost: MetricDefinition = {
  id: 'tag_cost',
  description:
    "Per value of one tag (the spans carrying it): calls, users, LLM cost, cost per priced call and per user, the value's share of the cost of every span with the tag, %, and unpriced calls",
  sql: (ctx) => `WITH
  src AS (${tagDailySource(ctx)}),
  byValue AS (
    SELECT ${TG.TagValue} AS tagValue, sum(${TG.Calls}) AS calls, sum(${TG.UnpricedCalls}) AS unpricedCalls,
      uniqExactIf(${TG.UserId}, ${TG.UserId} != '') AS activeUsers, sum(${TG.CostUsd}) AS cost
    FROM src GROUP BY ${TG.TagValue}
  )
SELECT tagValue, calls, activeUsers, toFloat64(cost) AS costUsd,
  if(calls = unpricedCalls, NULL, costUsd / (calls - unpricedCalls)) AS avgCostPerCallUsd,
  if(activeUsers = 0, NULL, costUsd / activeUsers) AS costPerUserUsd,
  if(sum(cost) OVER () = 0, NULL, 100 * costUsd / toFloat64(sum(cost) OVER ())) AS costSharePct,
  unpricedCalls
FROM byValue
ORDER BY costUsd DESC, tagValue`,
};
