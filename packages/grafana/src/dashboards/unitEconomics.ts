import { BUDGET_WARNING_PCT, METRICS } from '@genai-cost/clickhouse';
import type { DashboardSpec } from '../dashboard.js';
import { metricQuery } from '../dashboard.js';
import { fieldTitle } from '../fields.js';
import type { FieldName } from '../fields.js';
import { greenAbove, redAbove } from '../panels.js';
import type { PanelSpec } from '../panels.js';
import type { ThresholdStep } from '../types.js';

/** Revenue, LLM cost and gross margin per tier: the numbers of `genai-cost report --by tier`. */
export const unitEconomics: DashboardSpec = {
  slug: 'unit-economics',
  title: 'genai-cost: Unit economics',
  description: 'Is each pricing tier still profitable after its LLM bill? Revenue, LLM cost and gross margin per tier, as `genai-cost report --by tier`.',
  panels: (p) => {
    const overall = metricQuery(p, 'overallMargin');
    const trend = metricQuery(p, 'marginTrend');
    const tiers = metricQuery(p, 'tierMargin');
    const weekly = metricQuery(p, 'weeklyTierMargin');
    const stat = (field: FieldName, description: string, thresholds?: ThresholdStep[]): PanelSpec => ({
      type: 'stat',
      title: fieldTitle(field),
      description,
      query: overall,
      fields: [field],
      w: 4,
      h: 4,
      ...(thresholds && { thresholds }),
    });
    return [
      stat('revenueUsd', 'Active users × monthly price × D / 30'),
      stat('costUsd', 'Priced model calls in the range'),
      stat('grossMarginUsd', 'Revenue − LLM cost', greenAbove(0, 0.01)),
      stat('grossMarginPct', 'Margin / revenue', greenAbove(0, 60)),
      stat('costPerUserUsd', 'LLM cost / distinct active users (per MAU over 30 days)'),
      stat('aiCogsPct', 'Cost per user / price per user', redAbove(40)),
      {
        type: 'table',
        title: 'Margin per tier',
        description: METRICS.tierMargin.description,
        query: tiers,
        w: 24,
        h: 8,
        thresholds: greenAbove(0, 60),
        options: { sortBy: [{ displayName: fieldTitle('revenueUsd'), desc: true }] },
      },
      {
        type: 'timeseries',
        title: 'Gross margin per day and tier',
        description: METRICS.marginTrend.description,
        query: trend,
        fields: ['time', 'tier', 'grossMarginUsd'],
        w: 12,
        h: 9,
      },
      {
        type: 'timeseries',
        title: 'Gross margin % per day and tier',
        description: `${METRICS.marginTrend.description}; tiers without revenue have no margin %`,
        query: trend,
        fields: ['time', 'tier', 'grossMarginPct'],
        skipNullsOf: 'grossMarginPct',
        w: 12,
        h: 9,
      },
      {
        type: 'timeseries',
        title: 'Cost per active user per week and tier',
        description: `${METRICS.weeklyTierMargin.description}; the first and last weeks are partial`,
        query: weekly,
        fields: ['week', 'tier', 'costPerUserUsd'],
        skipNullsOf: 'costPerUserUsd',
        w: 8,
        h: 9,
      },
      {
        type: 'timeseries',
        title: 'AI COGS % per week and tier',
        description: `${METRICS.weeklyTierMargin.description}; alert when a tier's AI COGS % passes its target (targetAiCogsPct)`,
        query: weekly,
        fields: ['week', 'tier', 'aiCogsPct'],
        skipNullsOf: 'aiCogsPct',
        w: 8,
        h: 9,
      },
      {
        type: 'barchart',
        title: 'Average user cost as a share of the monthly budget, per tier',
        description: "A tier's users' average cost / (its monthly budget per user × D / 30): \"free users average 96 % of their $5 limit\"",
        query: tiers,
        fields: ['tier', 'avgBudgetUsedPct'],
        skipNullsOf: 'avgBudgetUsedPct',
        w: 8,
        h: 9,
        thresholds: [
          { color: 'green', value: null },
          { color: 'orange', value: BUDGET_WARNING_PCT },
          { color: 'red', value: 100 },
        ],
        options: { colorByField: fieldTitle('avgBudgetUsedPct') },
      },
      {
        type: 'table',
        title: 'Margin per UTC week and tier',
        description: METRICS.weeklyTierMargin.description,
        query: weekly,
        w: 24,
        h: 9,
        thresholds: greenAbove(0, 60),
      },
      {
        type: 'table',
        title: 'Users whose LLM cost exceeds their price',
        description: METRICS.unprofitableUsers.description,
        query: metricQuery(p, 'unprofitableUsers', { limit: 100 }),
        w: 24,
        h: 9,
        thresholds: redAbove(0),
      },
    ];
  },
};
