import {
  featureBudgetExceeded,
  featureBudgetWarning,
  featureCtr,
  marginVsTarget,
  sessionOutlierByTier,
  spendVsBaseline,
  tenantBudgetExceeded,
  tenantBudgetWarning,
  unpricedByModel,
  userBudgetOver,
  userBudgetWarning,
} from './alertMetrics.js';
import { budgetDecisions, budgetDecisionsByScope, loopSessionsByTool, loopsStopped } from './budgetEventMetrics.js';
import { budgetUsage, monthEndProjection, sharedBudgetUsage, usersNearBudget } from './budgetMetrics.js';
import {
  accountCost,
  costSkew,
  featureCost,
  incompleteUsage,
  modelUsage,
  powerUsers,
  sessionCost,
  tierMargin,
  unpricedSpans,
  userCost,
} from './coreMetrics.js';
import type { MetricDefinition } from './coreMetrics.js';
import { cacheReadShare, marginTrend, overallMargin, sessionOutliers, tierCostDistribution, unprofitableUsers } from './trendMetrics.js';
import { capSuggestions } from './capMetrics.js';
import { cohortCost } from './cohortMetrics.js';
import { aiCogsVsTarget, costPerUserClimb, weeklyTierMargin } from './targetMetrics.js';
import { tagCost } from './tagMetrics.js';

export type { MetricDefinition } from './coreMetrics.js';
export { POWER_USER_MULTIPLE } from './coreMetrics.js';
export { BUDGET_HARD_CAP_PCT, BUDGET_WARNING_PCT } from './budgetMetrics.js';
export { SESSION_OUTLIER_MULTIPLE } from './trendMetrics.js';
export { SPIKE_BASELINE_DAYS } from './alertMetrics.js';
export { SESSION_CAP_MULTIPLE } from './capMetrics.js';
export { COST_CLIMB_WEEKS, COST_PER_USER_CLIMB_PCT, DEFAULT_TARGET_AI_COGS_PCT } from './targetMetrics.js';

/** Every metric, by name: the one definition that the CLI report, the dashboards and the alert rules run. */
export const METRICS = {
  tierMargin,
  userCost,
  powerUsers,
  featureCost,
  modelUsage,
  accountCost,
  costSkew,
  sessionCost,
  unpricedSpans,
  incompleteUsage,
  overallMargin,
  marginTrend,
  unprofitableUsers,
  tierCostDistribution,
  cacheReadShare,
  sessionOutliers,
  budgetUsage,
  usersNearBudget,
  monthEndProjection,
  budgetDecisions,
  sharedBudgetUsage,
  budgetDecisionsByScope,
  loopsStopped,
  marginVsTarget,
  userBudgetWarning,
  userBudgetOver,
  featureBudgetWarning,
  featureBudgetExceeded,
  tenantBudgetWarning,
  tenantBudgetExceeded,
  loopSessionsByTool,
  spendVsBaseline,
  featureCtr,
  unpricedByModel,
  sessionOutlierByTier,
  cohortCost,
  weeklyTierMargin,
  capSuggestions,
  aiCogsVsTarget,
  costPerUserClimb,
  tagCost,
} as const satisfies Record<string, MetricDefinition>;

/** A metric's name in METRICS. */
export type MetricName = keyof typeof METRICS;
