import { BUDGET_WARNING_PCT, METRICS, SESSION_OUTLIER_MULTIPLE } from '@genai-cost/clickhouse';
import type { DashboardSpec } from '../dashboard.js';
import { metricQuery } from '../dashboard.js';
import { redAbove } from '../panels.js';
import { FILTERS } from '../variables.js';

/** budget_events has tiers and services but no features or models. */
const BUDGET_EVENT_FILTERS = [FILTERS.tier, FILTERS.service];

/** Session cost percentiles, monthly budgets, month-end projection and the budget guard's decisions. */
export const sessionsBudgets: DashboardSpec = {
  slug: 'sessions-and-budgets',
  title: 'genai-cost: Sessions and budgets',
  description: 'What a session costs, who is near or over their monthly LLM budget, where the month will end, and what the budget guard did.',
  panels: (p) => {
    const decisions = metricQuery(p, 'budgetDecisions', { filters: BUDGET_EVENT_FILTERS });
    return [
      {
        type: 'table',
        title: 'Session cost P50 / P95 / P99 per feature and tier',
        description: METRICS.sessionCost.description,
        query: metricQuery(p, 'sessionCost'),
        w: 12,
        h: 9,
      },
      {
        type: 'table',
        title: `Sessions above ${SESSION_OUTLIER_MULTIPLE}× their tier's P95`,
        description: METRICS.sessionOutliers.description,
        query: metricQuery(p, 'sessionOutliers', { limit: 100 }),
        w: 12,
        h: 9,
        thresholds: redAbove(SESSION_OUTLIER_MULTIPLE),
      },
      {
        type: 'table',
        title: `Users at ${BUDGET_WARNING_PCT} % and over 100 % of their monthly budget (month of the range's end)`,
        description: METRICS.usersNearBudget.description,
        query: metricQuery(p, 'usersNearBudget'),
        w: 12,
        h: 9,
        thresholds: [
          { color: 'green', value: null },
          { color: 'orange', value: BUDGET_WARNING_PCT },
          { color: 'red', value: 100 },
        ],
      },
      {
        type: 'table',
        title: 'Month-end projection per tier',
        description: METRICS.monthEndProjection.description,
        query: metricQuery(p, 'monthEndProjection'),
        w: 12,
        h: 9,
        thresholds: [
          { color: 'red', value: null },
          { color: 'green', value: 0 },
        ],
      },
      {
        type: 'table',
        title: 'Budget decisions per tier',
        description: METRICS.budgetDecisions.description,
        query: decisions,
        w: 12,
        h: 8,
      },
      {
        type: 'barchart',
        title: 'Blocks, warnings, degrades and dry-run would-blocks per tier',
        description: METRICS.budgetDecisions.description,
        query: decisions,
        fields: ['tier', 'blocks', 'warnings', 'degrades', 'dryRunWouldBlock'],
        w: 12,
        h: 8,
        options: { stacking: 'normal' },
      },
    ];
  },
};
