import { METRICS } from '@genai-cost/clickhouse';
import type { DashboardSpec } from '../dashboard.js';
import { metricSql } from '../dashboard.js';
import { greenAbove, redAbove } from '../panels.js';

/** Revenue, LLM cost and gross margin per tier: the numbers of `genai-cost report --by tier`. */
export const unitEconomics: DashboardSpec = {
  slug: 'unit-economics',
  title: 'genai-cost: Unit economics',
  description: 'Is each pricing tier still profitable after its LLM bill? Revenue, LLM cost and gross margin per tier, as `genai-cost report --by tier`.',
  panels: (p) => {
    const overall = (column: string) => `SELECT ${column} FROM (${metricSql(p, 'overallMargin')})`;
    return [
      { type: 'stat', title: 'Revenue', description: 'Active users × monthly price × D / 30', rawSql: overall('revenueUsd'), w: 4, h: 4, unit: 'currencyUSD' },
      { type: 'stat', title: 'LLM cost', description: 'Priced model calls in the range', rawSql: overall('costUsd'), w: 4, h: 4, unit: 'currencyUSD' },
      { type: 'stat', title: 'Gross margin', description: 'Revenue − LLM cost', rawSql: overall('grossMarginUsd'), w: 4, h: 4, unit: 'currencyUSD', thresholds: greenAbove(0, 0.01) },
      { type: 'stat', title: 'Gross margin %', description: 'Margin / revenue', rawSql: overall('grossMarginPct'), w: 4, h: 4, unit: 'percent', thresholds: greenAbove(0, 60) },
      { type: 'stat', title: 'Cost per active user', description: 'LLM cost / distinct active users (per MAU over 30 days)', rawSql: overall('costPerUserUsd'), w: 4, h: 4, unit: 'currencyUSD' },
      { type: 'stat', title: 'AI COGS %', description: 'Cost per user / price per user', rawSql: overall('aiCogsPct'), w: 4, h: 4, unit: 'percent', thresholds: redAbove(40) },
      {
        type: 'table',
        title: 'Margin per tier',
        description: METRICS.tierMargin.description,
        rawSql: metricSql(p, 'tierMargin'),
        w: 24,
        h: 8,
        thresholds: greenAbove(0, 60),
        options: { sortBy: [{ displayName: 'revenueUsd', desc: true }] },
      },
      {
        type: 'timeseries',
        title: 'Gross margin per day and tier',
        description: METRICS.marginTrend.description,
        rawSql: `SELECT time, tier, grossMarginUsd FROM (${metricSql(p, 'marginTrend')})`,
        format: 'timeseries',
        w: 12,
        h: 9,
        unit: 'currencyUSD',
      },
      {
        type: 'timeseries',
        title: 'Gross margin % per day and tier',
        description: METRICS.marginTrend.description,
        rawSql: `SELECT time, tier, grossMarginPct FROM (${metricSql(p, 'marginTrend')}) WHERE grossMarginPct IS NOT NULL`,
        format: 'timeseries',
        w: 12,
        h: 9,
        unit: 'percent',
        thresholds: greenAbove(0, 60),
      },
      {
        type: 'table',
        title: 'Users whose LLM cost exceeds their price',
        description: METRICS.unprofitableUsers.description,
        rawSql: `${metricSql(p, 'unprofitableUsers')}\nLIMIT 100`,
        w: 24,
        h: 9,
        thresholds: redAbove(0),
      },
    ];
  },
};
