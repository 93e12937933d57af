export { BudgetGuard } from './BudgetGuard.js';
export { BudgetExceededError, LoopDetectedError } from './errors.js';
export { FilePlanSource, budgetPlanFromFile } from './FilePlanSource.js';
export { PeriodCalendar } from './period.js';
export type { Period, PeriodOptions } from './period.js';
export { BUDGET_ACTIONS, BudgetConfigError, budgetPlanSchema, parseBudgetPlan } from './plan.js';
export type { BudgetAction, BudgetPlan, SharedBudget, TierBudget, UserBudget } from './plan.js';
export { hashArguments } from './sessions.js';
export type {
  BudgetCrossing,
  BudgetDecision,
  BudgetEvent,
  BudgetEventSink,
  BudgetGuardOptions,
  BudgetGuardStats,
  BudgetScope,
  BudgetState,
  BudgetSubject,
  CallAttribution,
  LoopCrossing,
  LoopGuardOptions,
  LoopInfo,
  PeriodSpend,
  PlanSource,
  SpendEvent,
  SpendSource,
  ToolCall,
  ToolCallSpanEvent,
} from './types.js';
