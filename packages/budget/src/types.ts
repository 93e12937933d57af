import type { BudgetAction, BudgetPlan } from './plan.js';
import type { PeriodOptions } from './period.js';

/** Who a budget check is for. */
export interface BudgetSubject {
  userId: string;
  /** The user's tier; a user override's tier wins. */
  tier: string;
  /** Checked against the tier's per-session budget when given. */
  sessionId?: string | undefined;
}

/** Where a user stands against the budget. */
export type BudgetState = 'ok' | 'warning' | 'exceeded';

/** The answer of `check()`. */
export interface BudgetDecision {
  /** `allow` while within budget; the tier's (or user's) action once exceeded. */
  action: 'allow' | BudgetAction;
  state: BudgetState;
  spentUsd: number;
  /** Infinity when neither the user nor the tier has a budget. */
  limitUsd: number;
  remainingUsd: number;
  /** When the period, and so the spend, resets. */
  resetAt: Date;
  /** The model to use instead, for `degrade`. */
  model?: string | undefined;
  /** Whether the session budget, not the monthly one, decided. */
  scope: 'period' | 'session';
}

/** A decision other than ok, as recorded for the budgets dashboard. */
export interface BudgetEvent {
  timeMs: number;
  userId: string;
  tier: string;
  sessionId: string | undefined;
  state: Exclude<BudgetState, 'ok'>;
  action: BudgetDecision['action'];
  scope: BudgetDecision['scope'];
  spentUsd: number;
  limitUsd: number;
}

/** A threshold crossing, passed to `onWarning` / `onExceeded` once per period. */
export interface BudgetCrossing {
  userId: string;
  tier: string;
  spentUsd: number;
  limitUsd: number;
  resetAt: Date;
}

/** Period spend of every user, for several app instances to agree (e.g. read from ClickHouse). */
export interface SpendSource {
  /** USD spent per user id from `periodStartMs` up to now. */
  periodSpend(periodStartMs: number): Promise<ReadonlyMap<string, number>>;
}

/** Where budgets are reloaded from without a deploy (the plans table, a file). */
export interface PlanSource {
  load(): Promise<BudgetPlan>;
}

/** Receives every decision other than ok (e.g. to write the `budget_events` table). */
export interface BudgetEventSink {
  record(event: BudgetEvent): void;
}

/** Options of `BudgetGuard`. */
export interface BudgetGuardOptions {
  /** Budgets per tier and per-user overrides. Required unless `planSource` is given. */
  plan?: BudgetPlan;
  /** Reloads the plan every `reloadIntervalMs`. Default: none. */
  planSource?: PlanSource;
  /** Default: 60,000. */
  reloadIntervalMs?: number;
  /** Share of the budget at which the state becomes `warning`. Default: 0.8. */
  warningThreshold?: number;
  /** When periods reset. Default: the 1st of the month, midnight UTC. */
  period?: PeriodOptions;
  /** Period spend of all users across instances. Default: none (this process's spend only). */
  spendSource?: SpendSource;
  /** Default: 30,000. */
  refreshIntervalMs?: number;
  /** Called once per user and period when spend reaches the warning threshold. */
  onWarning?: (crossing: BudgetCrossing) => void;
  /** Called once per user and period when spend reaches the budget. */
  onExceeded?: (crossing: BudgetCrossing) => void;
  /** Receives decisions other than ok. Default: none (span events only). */
  eventSink?: BudgetEventSink;
  /** Users tracked at most; the least recently seen are forgotten past it. Default: 1,000,000. */
  maxUsers?: number;
  /** Sessions tracked at most, for session budgets. Default: 100,000. */
  maxSessions?: number;
  /** Clock, epoch ms. Default: `Date.now`. */
  now?: () => number;
}
