import type { BudgetAction, BudgetPlan } from './plan.js';
import type { PeriodOptions } from './period.js';

/** Who and what a budget check is for; every budget that applies to it is checked. */
export interface BudgetSubject {
  /** The user; checked against their own or their tier's budget. */
  userId?: string | undefined;
  /** The user's tier; a user override's tier wins. */
  tier: string;
  /** Checked against the tier's per-session budget and for tool-call loops when given. */
  sessionId?: string | undefined;
  /** Checked against the feature's budget (all users' spend on it) when given. */
  feature?: string | undefined;
  /** Checked against the tenant's budget (the whole account's spend) when given. */
  tenantId?: string | undefined;
}

/** Which budget a decision or crossing is about. */
export type BudgetScope = 'user' | 'session' | 'feature' | 'tenant';

/** Where a call stands: within budget, past the warning share, past the hard cap, or in a tool-call loop. */
export type BudgetState = 'ok' | 'warning' | 'exceeded' | 'loop';

/** The tool call a session keeps repeating. */
export interface LoopInfo {
  /** `gen_ai.tool.name` of the repeated call. */
  toolName: string;
  /** How often the same call (name and arguments) occurs in the last `withinSteps` steps. */
  count: number;
}

/** The answer of `check()`: the most restrictive of every budget that applies. */
export interface BudgetDecision {
  /** `allow` below the hard cap; the budget's action at or past it (or the loop action). */
  action: 'allow' | BudgetAction;
  state: BudgetState;
  /** Which budget decided. */
  scope: BudgetScope;
  spentUsd: number;
  /** Where the action applies: the budget × its `blockAtPct`. Infinity when no budget applies. */
  limitUsd: number;
  /** The budget itself (the monthly or session amount). Infinity when no budget applies. */
  budgetUsd: number;
  remainingUsd: number;
  /** When the period, and so the spend, resets. */
  resetAt: Date;
  /** The model to use instead, for `degrade`. */
  model?: string | undefined;
  /** Set when `state` is `loop`. */
  loop?: LoopInfo | undefined;
}

/** A decision other than ok, as recorded for the budgets dashboard. */
export interface BudgetEvent {
  timeMs: number;
  userId: string;
  tier: string;
  sessionId: string | undefined;
  feature: string | undefined;
  tenantId: string | undefined;
  state: Exclude<BudgetState, 'ok'>;
  action: BudgetDecision['action'];
  scope: BudgetScope;
  spentUsd: number;
  limitUsd: number;
  /** For loops: the repeated tool and how often it occurred. */
  toolName: string | undefined;
  toolCalls: number;
}

/** A threshold crossing, passed to `onWarning` / `onExceeded` once per budget and period (per session for session budgets). */
export interface BudgetCrossing {
  scope: BudgetScope;
  /** The user; for feature and tenant budgets the user whose call crossed, when known. */
  userId?: string | undefined;
  tier?: string | undefined;
  sessionId?: string | undefined;
  feature?: string | undefined;
  tenantId?: string | undefined;
  spentUsd: number;
  /** Where the action applies (the budget × its `blockAtPct`). */
  limitUsd: number;
  /** The budget itself. */
  budgetUsd: number;
  resetAt: Date;
}

/** A tool-call loop, passed to `onLoop` once per session. */
export interface LoopCrossing extends LoopInfo {
  sessionId: string;
  userId: string | undefined;
  tier: string | undefined;
  /** The window the count is over. */
  withinSteps: number;
  timeMs: number;
}

/** Period spend per user, feature and tenant, for several app instances to agree (e.g. read from ClickHouse). */
export interface PeriodSpend {
  users: ReadonlyMap<string, number>;
  /** Absent: feature spend stays this process's own. */
  features?: ReadonlyMap<string, number> | undefined;
  /** Absent: tenant spend stays this process's own. */
  tenants?: ReadonlyMap<string, number> | undefined;
}

/** Period spend of every user, feature and tenant across instances. */
export interface SpendSource {
  /** USD spent from `periodStartMs` up to now. */
  periodSpend(periodStartMs: number): Promise<PeriodSpend>;
}

/** Where budgets are reloaded from without a deploy (the plans table, a file). */
export interface PlanSource {
  load(): Promise<BudgetPlan>;
}

/** Receives every decision other than ok (e.g. to write the `budget_events` table). */
export interface BudgetEventSink {
  record(event: BudgetEvent): void;
}

/** The loop rule: the same tool call `repeats` times within the last `withinSteps` steps of a session. */
export interface LoopGuardOptions {
  /** Default: 3. */
  repeats?: number;
  /** Steps are the session's model calls and tool calls. Default: 6. */
  withinSteps?: number;
  /** What `check()` answers for a looping session. Default: `block`. */
  action?: Exclude<BudgetAction, 'degrade'>;
}

/** Options of `BudgetGuard`. */
export interface BudgetGuardOptions {
  /** Budgets per tier, user, feature and tenant. Required unless `planSource` is given. */
  plan?: BudgetPlan;
  /** Reloads the plan every `reloadIntervalMs`. Default: none. */
  planSource?: PlanSource;
  /** Default: 60,000. */
  reloadIntervalMs?: number;
  /** Share of a budget at which the state becomes `warning`, unless the budget sets `warnAtPct`. Default: 0.8. */
  warningThreshold?: number;
  /** When periods reset. Default: the 1st of the month, midnight UTC. */
  period?: PeriodOptions;
  /** Period spend across instances. Default: none (this process's spend only). */
  spendSource?: SpendSource;
  /** Default: 30,000. */
  refreshIntervalMs?: number;
  /** Called once per budget and period when spend reaches the warning share. */
  onWarning?: (crossing: BudgetCrossing) => void;
  /** Called once per budget and period (per session for session budgets) when spend reaches the hard cap. */
  onExceeded?: (crossing: BudgetCrossing) => void;
  /** Called once per session when it starts repeating a tool call. */
  onLoop?: (loop: LoopCrossing) => void;
  /** The loop rule. Default: 3 repeats within 6 steps, action `block`. */
  loopGuard?: LoopGuardOptions;
  /** Receives decisions other than ok. Default: none (span events only). */
  eventSink?: BudgetEventSink;
  /** Users tracked at most; the least recently seen are forgotten past it. Default: 1,000,000. */
  maxUsers?: number;
  /** Tenants and features tracked at most, each. Default: 100,000. */
  maxTenants?: number;
  /** Sessions tracked at most, for session budgets and loops. Default: 100,000. */
  maxSessions?: number;
  /** Clock, epoch ms. Default: `Date.now`. */
  now?: () => number;
  /**
   * The span processor's `userIdHmacKey`: user ids given to the guard (raw, as the app knows them)
   * are keyed by their pseudonym, the id ClickHouse stores, so a spend source, the event sink and
   * per-user plan entries match the stored spans. Ids in decisions, events and callbacks are then
   * pseudonyms. At least 16 bytes. Default: none (raw ids).
   */
  userIdHmacKey?: string | Uint8Array;
}

/** Who caused a call, as the span processor hands it over (structurally its `Attribution`). */
export interface CallAttribution {
  userId?: string | undefined;
  tier?: string | undefined;
  sessionId?: string | undefined;
  feature?: string | undefined;
  tenantId?: string | undefined;
}

/** What a span processor hands over for each priced call (structurally `SpanCostEvent`). */
export interface SpendEvent {
  attribution: CallAttribution;
  /** The user id as the processor stored it; a guard that would key it otherwise says so once. */
  storedUserId?: string | undefined;
  costUsd: number;
  startTimeMs: number;
}

/** What a span processor hands over for each tool-call span (structurally `ToolCallEvent`). */
export interface ToolCallSpanEvent {
  attribution: CallAttribution;
  toolName: string;
  /** The call's arguments as the span carries them; only a hash is kept. */
  arguments?: string | undefined;
}

/** A tool call the app records itself (for tools no instrumentation traces). */
export interface ToolCall {
  sessionId: string;
  toolName: string;
  /** Text or a JSON-serialisable value; only a hash is kept. */
  arguments?: unknown;
  userId?: string | undefined;
  tier?: string | undefined;
}

/** Counters kept by a guard. */
export interface BudgetGuardStats {
  trackedUsers: number;
  trackedFeatures: number;
  trackedTenants: number;
  trackedSessions: number;
  refreshes: number;
  refreshFailures: number;
  reloads: number;
  reloadFailures: number;
  callbackErrors: number;
  loopsDetected: number;
  /** Spend events whose stored user id differs from the guard's own pseudonym of it (`userIdHmacKey` differs from the processor's). */
  identityMismatches: number;
}
