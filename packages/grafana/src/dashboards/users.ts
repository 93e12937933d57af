import { METRICS, POWER_USER_MULTIPLE } from '@genai-cost/clickhouse';
import type { DashboardSpec } from '../dashboard.js';
import { metricQuery } from '../dashboard.js';
import type { FieldName } from '../fields.js';
import { greenAbove, redAbove } from '../panels.js';
import type { PanelSpec } from '../panels.js';

/** Who drives the bill: top and power users, cost skew and the spread of user cost per tier. */
export const users: DashboardSpec = {
  slug: 'users',
  title: 'genai-cost: Users',
  description: 'Which users drive the LLM bill, how concentrated it is, and how user cost is spread within each tier.',
  panels: (p) => {
    const skew = metricQuery(p, 'costSkew');
    const distribution = metricQuery(p, 'tierCostDistribution');
    const share = (field: FieldName, title: string): PanelSpec => ({
      type: 'stat',
      title,
      description: METRICS.costSkew.description,
      query: skew,
      fields: [field],
      w: 6,
      h: 4,
      thresholds: redAbove(0.5),
    });
    return [
      { type: 'stat', title: 'Users with cost', description: 'Distinct users with model calls in the range', query: skew, fields: ['users'], w: 6, h: 4 },
      share('top5PctShare', 'Cost share of the top 5 % of users'),
      share('top10PctShare', 'Cost share of the top 10 % of users'),
      share('top20PctShare', 'Cost share of the top 20 % of users'),
      {
        type: 'table',
        title: 'Top users by LLM cost',
        description: METRICS.userCost.description,
        query: metricQuery(p, 'userCost', { limit: 50 }),
        w: 14,
        h: 10,
        thresholds: redAbove(POWER_USER_MULTIPLE),
      },
      {
        type: 'table',
        title: `Power users (≥ ${POWER_USER_MULTIPLE}× their tier median)`,
        description: METRICS.powerUsers.description,
        query: metricQuery(p, 'powerUsers', { limit: 100 }),
        w: 10,
        h: 10,
        thresholds: redAbove(POWER_USER_MULTIPLE),
      },
      {
        type: 'table',
        title: 'User cost distribution per tier',
        description: METRICS.tierCostDistribution.description,
        query: distribution,
        w: 12,
        h: 8,
      },
      {
        type: 'barchart',
        title: 'User cost percentiles per tier',
        description: METRICS.tierCostDistribution.description,
        query: distribution,
        fields: ['tier', 'p50Usd', 'p90Usd', 'p99Usd'],
        w: 12,
        h: 8,
        options: { orientation: 'auto' },
      },
      {
        type: 'table',
        title: 'Cohorts: signup month × tier of the users imported from billing',
        description: `${METRICS.cohortCost.description} (genai-cost users import; the row without a month holds the users not imported)`,
        query: metricQuery(p, 'cohortCost'),
        w: 24,
        h: 9,
        thresholds: greenAbove(0, 60),
      },
    ];
  },
};
