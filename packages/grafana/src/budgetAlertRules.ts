import { BUDGET_WARNING_PCT } from '@genai-cost/clickhouse';
import type { MetricName } from '@genai-cost/clickhouse';
import type { AlertSpec } from './alertRules.js';

const HOUR = 3600;
const DAY = 24 * HOUR;

/** Budget rules: the query returns exactly the budgets in the state, at the budget guard's own boundaries, so any row fires. */
const budgetRule = (uid: string, title: string, metric: MetricName, severity: AlertSpec['severity'], summary: string): AlertSpec => ({
  uid,
  title,
  metric,
  // Budgets are monthly: the query reads the UTC month up to the range's end.
  rangeSeconds: 31 * DAY,
  threshold: { type: 'gt', params: [0] },
  severity,
  for: '0s',
  summary,
  dashboard: 'genai-cost-sessions-and-budgets',
});

/** The rules on budgets and the loop guard, evaluated as often as spend moves. */
export const BUDGET_RULES: AlertSpec[] = [
  budgetRule(
    'genai-cost-budget-soft-cap',
    'User past the soft cap of monthly LLM budget',
    'userBudgetWarning',
    'info',
    `User {{ $labels.user }} ({{ $labels.tier }}) has used {{ $values.B }} % of their monthly LLM budget, past its soft cap (the tier's warnAtPct, default ${BUDGET_WARNING_PCT} %)`,
  ),
  budgetRule(
    'genai-cost-budget-exceeded',
    'User over monthly LLM budget',
    'userBudgetOver',
    'warning',
    'User {{ $labels.user }} ({{ $labels.tier }}) has used {{ $values.B }} % of their monthly LLM budget',
  ),
  budgetRule(
    'genai-cost-feature-budget-soft-cap',
    'Feature past the soft cap of its monthly LLM budget',
    'featureBudgetWarning',
    'warning',
    'Feature {{ $labels.feature }} has used {{ $values.B }} % of its monthly LLM budget, all users together; at the hard cap the budget guard will {{ $labels.action }}',
  ),
  budgetRule(
    'genai-cost-feature-budget-hard-cap',
    'Feature at the hard cap of its monthly LLM budget',
    'featureBudgetExceeded',
    'critical',
    'Feature {{ $labels.feature }} has used {{ $values.B }} % of its monthly LLM budget, its hard cap: the budget guard applies {{ $labels.action }} to every call of it until the month ends',
  ),
  budgetRule(
    'genai-cost-tenant-budget-soft-cap',
    'Tenant past the soft cap of its monthly LLM budget',
    'tenantBudgetWarning',
    'warning',
    'Tenant {{ $labels.tenant }} ({{ $labels.tier }}) has used {{ $values.B }} % of its monthly LLM budget; at the hard cap the budget guard will {{ $labels.action }}',
  ),
  budgetRule(
    'genai-cost-tenant-budget-hard-cap',
    'Tenant at the hard cap of its monthly LLM budget',
    'tenantBudgetExceeded',
    'critical',
    'Tenant {{ $labels.tenant }} ({{ $labels.tier }}) has used {{ $values.B }} % of its monthly LLM budget, its hard cap: the budget guard applies {{ $labels.action }} to the whole account until the month ends',
  ),
  {
    uid: 'genai-cost-agent-loops',
    title: 'Agent loops found by the loop guard',
    metric: 'loopSessionsByTool',
    rangeSeconds: HOUR,
    threshold: { type: 'gt', params: [0] },
    severity: 'warning',
    for: '0s',
    summary: '{{ $values.B }} {{ $labels.tier }} sessions of the last hour repeated the same call of the tool {{ $labels.tool }} and were stopped (or flagged) by the loop guard',
    dashboard: 'genai-cost-sessions-and-budgets',
  },
];

