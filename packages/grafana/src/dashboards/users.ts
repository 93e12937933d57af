import { METRICS, POWER_USER_MULTIPLE } from '@genai-cost/clickhouse';
import type { DashboardSpec } from '../dashboard.js';
import { metricSql } from '../dashboard.js';
import { redAbove } from '../panels.js';

/** Who drives the bill: top and power users, cost skew and the spread of user cost per tier. */
export const users: DashboardSpec = {
  slug: 'users',
  title: 'genai-cost: Users',
  description: 'Which users drive the LLM bill, how concentrated it is, and how user cost is spread within each tier.',
  panels: (p) => {
    const skew = (column: string, title: string) => ({
      type: 'stat' as const,
      title,
      description: METRICS.costSkew.description,
      rawSql: `SELECT ${column} FROM (${metricSql(p, 'costSkew')})`,
      w: 6,
      h: 4,
      unit: 'percentunit',
      thresholds: redAbove(0.5),
    });
    return [
      { type: 'stat', title: 'Users with cost', description: 'Distinct users with model calls in the range', rawSql: `SELECT users FROM (${metricSql(p, 'costSkew')})`, w: 6, h: 4 },
      skew('top5PctShare', 'Cost share of the top 5 % of users'),
      skew('top10PctShare', 'Cost share of the top 10 % of users'),
      skew('top20PctShare', 'Cost share of the top 20 % of users'),
      {
        type: 'table',
        title: 'Top users by LLM cost',
        description: METRICS.userCost.description,
        rawSql: `${metricSql(p, 'userCost')}\nLIMIT 50`,
        w: 14,
        h: 10,
        thresholds: redAbove(POWER_USER_MULTIPLE),
      },
      {
        type: 'table',
        title: `Power users (≥ ${POWER_USER_MULTIPLE}× their tier median)`,
        description: METRICS.powerUsers.description,
        rawSql: `${metricSql(p, 'powerUsers')}\nLIMIT 100`,
        w: 10,
        h: 10,
        thresholds: redAbove(POWER_USER_MULTIPLE),
      },
      {
        type: 'table',
        title: 'User cost distribution per tier',
        description: METRICS.tierCostDistribution.description,
        rawSql: metricSql(p, 'tierCostDistribution'),
        w: 12,
        h: 8,
      },
      {
        type: 'barchart',
        title: 'User cost percentiles per tier',
        description: METRICS.tierCostDistribution.description,
        rawSql: `SELECT tier, p50Usd, p90Usd, p99Usd FROM (${metricSql(p, 'tierCostDistribution')})`,
        w: 12,
        h: 8,
        unit: 'currencyUSD',
        options: { orientation: 'auto', xField: 'tier' },
      },
    ];
  },
};
