import { BUDGET_WARNING_PCT, METRICS, SESSION_CAP_MULTIPLE, SESSION_OUTLIER_MULTIPLE } from '@genai-cost/clickhouse';
import type { DashboardSpec } from '../dashboard.js';
import { metricQuery } from '../dashboard.js';
import { redAbove } from '../panels.js';
import type { ThresholdStep } from '../types.js';
import { FILTERS } from '../variables.js';

/** budget_events has tiers, features and services but no models or tags. */
const BUDGET_EVENTS = { filters: [FILTERS.tier, FILTERS.feature, FILTERS.service], tags: false } as const;

/** Budget used, %: orange from the default soft cap, red from the budget. */
const BUDGET_STEPS: ThresholdStep[] = [
  { color: 'green', value: null },
  { color: 'orange', value: BUDGET_WARNING_PCT },
  { color: 'red', value: 100 },
];

/** Session cost percentiles, budgets and caps, month-end projection, and what the budget guard did. */
export const sessionsBudgets: DashboardSpec = {
  slug: 'sessions-and-budgets',
  title: 'genai-cost: Sessions and budgets',
  description:
    'What a session costs, who and which features and tenants are near or over their monthly LLM budget, where the month will end, what the budget guard and its loop guard did, and the caps past spend suggests.',
  panels: (p) => {
    const decisions = metricQuery(p, 'budgetDecisions', BUDGET_EVENTS);
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
        title: "Users past their budget's soft cap or over it (month of the range's end)",
        description: `${METRICS.usersNearBudget.description}. Not filtered by tag: a budget counts all of a user's spend`,
        query: metricQuery(p, 'usersNearBudget', { tags: false }),
        w: 12,
        h: 9,
        thresholds: BUDGET_STEPS,
      },
      {
        type: 'table',
        title: "Feature and tenant budgets (month of the range's end)",
        description: `${METRICS.sharedBudgetUsage.description}. Not filtered by the dashboard's variables: a budget counts all of its spend`,
        query: metricQuery(p, 'sharedBudgetUsage', { filters: [], tags: false }),
        w: 12,
        h: 9,
        thresholds: BUDGET_STEPS,
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
        title: `Suggested caps per tier: session cap ${SESSION_CAP_MULTIPLE} × P90, budget at the target margin`,
        description: `${METRICS.capSuggestions.description}. The same numbers as genai-cost suggest-caps`,
        query: metricQuery(p, 'capSuggestions'),
        w: 12,
        h: 9,
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
      {
        type: 'table',
        title: 'Budget decisions per budget: user, session, feature, tenant',
        description: METRICS.budgetDecisionsByScope.description,
        query: metricQuery(p, 'budgetDecisionsByScope', BUDGET_EVENTS),
        w: 12,
        h: 8,
      },
      {
        type: 'table',
        title: 'Agent loops found by the loop guard, per tier and tool',
        description: METRICS.loopsStopped.description,
        query: metricQuery(p, 'loopsStopped', BUDGET_EVENTS),
        w: 12,
        h: 8,
        thresholds: redAbove(1),
      },
    ];
  },
};
