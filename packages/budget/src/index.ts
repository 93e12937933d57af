export { BudgetGuard } from './BudgetGuard.js';
export type { BudgetGuardStats, SpendEvent } from './BudgetGuard.js';
export { BudgetExceededError } from './errors.js';
export { FilePlanSource, budgetPlanFromFile } from './FilePlanSource.js';
export { PeriodCalendar } from './period.js';
export type { Period, PeriodOptions } from './period.js';
export { BUDGET_ACTIONS, BudgetConfigError, budgetPlanSchema, parseBudgetPlan } from './plan.js';
export type { BudgetAction, BudgetPlan, TierBudget, UserBudget } from './plan.js';
export type {
  BudgetCrossing,
  BudgetDecision,
  BudgetEvent,
  BudgetEventSink,
  BudgetGuardOptions,
  BudgetState,
  BudgetSubject,
  PlanSource,
  SpendSource,
} from './types.js';
