import { diag, trace } from '@opentelemetry/api';
import { BudgetExceededError } from './errors.js';
import { PeriodCalendar } from './period.js';
import type { Period } from './period.js';
import { BudgetConfigError, parseBudgetPlan } from './plan.js';
import type { BudgetAction, BudgetPlan } from './plan.js';
import type {
  BudgetCrossing,
  BudgetDecision,
  BudgetEvent,
  BudgetGuardOptions,
  BudgetState,
  BudgetSubject,
} from './types.js';

/** The budget that applies to one user: their overrides laid over their tier's. */
interface Limits {
  tier: string;
  limitUsd: number;
  action: BudgetAction;
  degradeModel: string | undefined;
  sessionLimitUsd: number | undefined;
}

/**
 * Spend is kept in integer units of 1e-10 USD (the precision of span costs): float sums drift
 * (ten $0.10 calls add up to $0.9999999999999999) and would let a user past an exact limit.
 * Integers stay exact up to $900,000 per user and period.
 */
const UNITS_PER_USD = 1e10;
const toUnits = (usd: number) => Math.round(usd * UNITS_PER_USD);

/** One user's spend in the current period, in units of 1e-10 USD. */
interface Ledger {
  /** The tier last seen for the user, so refreshes can judge crossings too. */
  tier: string;
  periodStartMs: number;
  /** Spend this process recorded in the period: a floor whatever the spend source says. */
  own: number;
  /** The period total the spend source gave at its last refresh. */
  sourceBase: number;
  /** Spend recorded here since the running or last refresh began. */
  sinceRefresh: number;
  /** Spend recorded here before that refresh began, until the refresh lands. */
  beforeRefresh: number;
  warned: boolean;
  exceeded: boolean;
}

/** What a span processor hands over for each priced call (structurally `SpanCostEvent`). */
export interface SpendEvent {
  attribution: { userId?: string | undefined; tier?: string | undefined; sessionId?: string | undefined };
  costUsd: number;
  startTimeMs: number;
}

/** Counters kept by a guard. */
export interface BudgetGuardStats {
  trackedUsers: number;
  refreshes: number;
  refreshFailures: number;
  reloads: number;
  reloadFailures: number;
  callbackErrors: number;
}

const NO_LIMIT: Omit<Limits, 'tier'> = { limitUsd: Infinity, action: 'warn', degradeModel: undefined, sessionLimitUsd: undefined };

/**
 * In-process LLM budgets: answers `check()` from memory, fed by the span processor with every
 * priced call (exact for one process) and, optionally, refreshed from a spend source shared by all
 * instances (ClickHouse) so they agree within one refresh interval.
 *
 * Worst overshoot: a call is checked before it runs and its cost is known only when it ends, so a
 * user can go past the limit by the calls admitted before the crossing one ended (one per request
 * in flight); with several instances, also by what the other instances admit between two
 * refreshes plus the exporter's delay (their spend reaches the source only once exported). For
 * N instances, refresh interval R, export delay E and a user spending at most r USD/s on each:
 * overshoot ≤ (N − 1) × r × (R + E) + the cost of the calls in flight.
 */
export class BudgetGuard {
  private plan: BudgetPlan;
  /** Limits worked out once per plan load, so checks allocate nothing for them. */
  private tierLimits = new Map<string, Limits>();
  private userLimits = new Map<string, Limits>();
  private readonly calendar: PeriodCalendar;
  private period: Period;
  private resetAt: Date;
  private readonly users = new Map<string, Ledger>();
  private readonly sessions = new Map<string, number>();
  private readonly warning: number;
  private readonly now: () => number;
  private readonly maxUsers: number;
  private readonly maxSessions: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly logged = new Set<string>();
  private readonly stats = { refreshes: 0, refreshFailures: 0, reloads: 0, reloadFailures: 0, callbackErrors: 0 };
  private started: Promise<void> | undefined;

  /** Throws `BudgetConfigError` for an invalid plan or option. */
  constructor(private readonly options: BudgetGuardOptions) {
    if (options.plan === undefined && options.planSource === undefined) {
      throw new BudgetConfigError('BudgetGuard: expected a "plan" or a "planSource"');
    }
    const warning = options.warningThreshold ?? 0.8;
    if (!(warning > 0 && warning <= 1)) throw new BudgetConfigError('BudgetGuard option "warningThreshold": expected a number in (0, 1]');
    const resetDay = options.period?.resetDay ?? 1;
    if (!Number.isInteger(resetDay) || resetDay < 1 || resetDay > 28) {
      throw new BudgetConfigError('BudgetGuard option "period.resetDay": expected a whole day of the month from 1 to 28');
    }
    try {
      this.calendar = new PeriodCalendar(options.period);
    } catch (cause) {
      throw new BudgetConfigError(`BudgetGuard option "period.timeZone": expected an IANA time zone (${(cause as Error).message})`);
    }
    this.plan = options.plan === undefined ? { tiers: {} } : parseBudgetPlan(options.plan, 'BudgetGuard option "plan"');
    this.applyPlan(this.plan);
    this.warning = warning;
    this.now = options.now ?? Date.now;
    this.maxUsers = options.maxUsers ?? 1_000_000;
    this.maxSessions = options.maxSessions ?? 100_000;
    this.period = this.calendar.periodAt(this.now());
    this.resetAt = new Date(this.period.endMs);
  }

  /**
   * Loads the plan from `planSource` and the spend from `spendSource` once, then keeps both
   * fresh on their intervals (timers do not keep the process alive). Idempotent.
   */
  start(): Promise<void> {
    this.started ??= (async () => {
      if (this.options.planSource !== undefined) {
        await this.reload();
        this.every(this.options.reloadIntervalMs ?? 60_000, () => this.reload());
      }
      if (this.options.spendSource !== undefined) {
        await this.refresh();
        this.every(this.options.refreshIntervalMs ?? 30_000, () => this.refresh());
      }
    })();
    return this.started;
  }

  /** Stops the refresh and reload timers. */
  stop(): Promise<void> {
    for (const t of this.timers.splice(0)) clearInterval(t);
    return Promise.resolve();
  }

  /** Where the user stands, from memory: no I/O. Decisions other than ok are recorded. */
  check(subject: BudgetSubject): BudgetDecision {
    const now = this.now();
    if (now >= this.period.endMs) this.roll(now);
    const limits = this.limitsFor(subject.userId, subject.tier);
    const spent = this.spentOf(this.users.get(subject.userId));
    let state: BudgetState = spent >= limits.limitUsd ? 'exceeded' : spent >= limits.limitUsd * this.warning ? 'warning' : 'ok';
    let scope: BudgetDecision['scope'] = 'period';
    let limitUsd = limits.limitUsd;
    let spentUsd = spent;
    if (state !== 'exceeded' && subject.sessionId !== undefined && limits.sessionLimitUsd !== undefined) {
      const sessionSpent = (this.sessions.get(subject.sessionId) ?? 0) / UNITS_PER_USD;
      if (sessionSpent >= limits.sessionLimitUsd) {
        state = 'exceeded';
        scope = 'session';
        limitUsd = limits.sessionLimitUsd;
        spentUsd = sessionSpent;
      }
    }
    const exceeded = state === 'exceeded';
    const decision: BudgetDecision = {
      action: exceeded ? limits.action : 'allow',
      state,
      spentUsd,
      limitUsd,
      remainingUsd: Math.max(0, limitUsd - spentUsd),
      resetAt: new Date(this.period.endMs),
      model: exceeded && limits.action === 'degrade' ? limits.degradeModel : undefined,
      scope,
    };
    if (state !== 'ok') this.recordDecision(now, subject, limits.tier, decision);
    return decision;
  }

  /** `check()`, throwing `BudgetExceededError` when the action is `block`. */
  enforce(subject: BudgetSubject): BudgetDecision {
    const decision = this.check(subject);
    if (decision.action === 'block') throw new BudgetExceededError(decision, this.limitsFor(subject.userId, subject.tier).tier);
    return decision;
  }

  /** Adds a priced call's cost to its user's (and session's) spend. */
  record(userId: string, tier: string, costUsd: number, timeMs: number, sessionId?: string): void {
    if (!(costUsd > 0)) return;
    const units = toUnits(costUsd);
    const now = this.now();
    if (now >= this.period.endMs) this.roll(now);
    if (sessionId !== undefined) this.addSessionSpend(sessionId, units);
    if (timeMs < this.period.startMs) return;
    const ledger = this.ledgerOf(userId);
    if (tier !== '') ledger.tier = tier;
    ledger.own += units;
    ledger.sinceRefresh += units;
    this.crossings(userId, ledger);
  }

  /** A listener for the span processor's `onSpanCost` option. */
  spanCostListener(): (event: SpendEvent) => void {
    return (e) => {
      const { userId, tier, sessionId } = e.attribution;
      if (userId !== undefined) this.record(userId, tier ?? '', e.costUsd, e.startTimeMs, sessionId);
    };
  }

  /** Pulls every user's period spend from the spend source now. */
  async refresh(): Promise<void> {
    const source = this.options.spendSource;
    if (source === undefined) return;
    const periodStartMs = this.period.startMs;
    for (const l of this.users.values()) {
      l.beforeRefresh += l.sinceRefresh;
      l.sinceRefresh = 0;
    }
    let totals: ReadonlyMap<string, number>;
    try {
      totals = await source.periodSpend(periodStartMs);
    } catch (err) {
      for (const l of this.users.values()) {
        l.sinceRefresh += l.beforeRefresh;
        l.beforeRefresh = 0;
      }
      this.stats.refreshFailures++;
      this.logOnce('refresh', 'BudgetGuard: spend refresh failed; using this process\'s spend until the next refresh', err);
      return;
    }
    this.stats.refreshes++;
    if (periodStartMs !== this.period.startMs) return;
    for (const [userId, l] of this.users) {
      l.sourceBase = toUnits(totals.get(userId) ?? 0);
      l.beforeRefresh = 0;
      this.crossings(userId, l);
    }
    for (const [userId, total] of totals) {
      if (this.users.has(userId) || !(total > 0)) continue;
      const l = this.ledgerOf(userId);
      l.sourceBase = toUnits(total);
      this.crossings(userId, l);
    }
  }

  /** Reloads the plan from the plan source now; a bad plan is logged and the old one kept. */
  async reload(): Promise<void> {
    const source = this.options.planSource;
    if (source === undefined) return;
    try {
      this.applyPlan(parseBudgetPlan(await source.load(), 'plan source'));
      this.stats.reloads++;
    } catch (err) {
      this.stats.reloadFailures++;
      this.logOnce('reload', 'BudgetGuard: plan reload failed; keeping the previous plan', err);
    }
  }

  /** Counters since construction. */
  getStats(): BudgetGuardStats {
    return { trackedUsers: this.users.size, ...this.stats };
  }

  private applyPlan(plan: BudgetPlan): void {
    const tiers = new Map<string, Limits>();
    for (const [tier, t] of Object.entries(plan.tiers)) {
      tiers.set(tier, { tier, limitUsd: t.monthlyBudgetUsd, action: t.action, degradeModel: t.degradeModel, sessionLimitUsd: t.sessionBudgetUsd });
    }
    const users = new Map<string, Limits>();
    for (const [userId, u] of Object.entries(plan.users ?? {})) {
      const tier = u.tier === undefined ? undefined : tiers.get(u.tier);
      users.set(userId, {
        // Without a tier of its own the override applies over whatever tier the call names.
        tier: u.tier ?? '',
        limitUsd: u.monthlyBudgetUsd ?? tier?.limitUsd ?? Infinity,
        action: u.action ?? tier?.action ?? 'warn',
        degradeModel: u.degradeModel ?? tier?.degradeModel,
        sessionLimitUsd: tier?.sessionLimitUsd,
      });
    }
    this.plan = plan;
    this.tierLimits = tiers;
    this.userLimits = users;
  }

  private limitsFor(userId: string, tier: string): Limits {
    const user = this.userLimits.size === 0 ? undefined : this.userLimits.get(userId);
    if (user === undefined) return this.tierLimits.get(tier) ?? { tier, ...NO_LIMIT };
    if (user.tier !== '') return user;
    const t = this.tierLimits.get(tier);
    const override = this.plan.users![userId]!;
    return {
      tier,
      limitUsd: override.monthlyBudgetUsd ?? t?.limitUsd ?? Infinity,
      action: override.action ?? t?.action ?? 'warn',
      degradeModel: override.degradeModel ?? t?.degradeModel,
      sessionLimitUsd: t?.sessionLimitUsd,
    };
  }

  private spentOf(l: Ledger | undefined): number {
    if (l === undefined || l.periodStartMs !== this.period.startMs) return 0;
    return Math.max(l.sourceBase + l.beforeRefresh + l.sinceRefresh, l.own) / UNITS_PER_USD;
  }

  private ledgerOf(userId: string): Ledger {
    let l = this.users.get(userId);
    if (l === undefined) {
      if (this.users.size >= this.maxUsers) this.users.delete(this.users.keys().next().value!);
      l = { tier: '', periodStartMs: this.period.startMs, own: 0, sourceBase: 0, sinceRefresh: 0, beforeRefresh: 0, warned: false, exceeded: false };
      this.users.set(userId, l);
    } else if (l.periodStartMs !== this.period.startMs) {
      Object.assign(l, { periodStartMs: this.period.startMs, own: 0, sourceBase: 0, sinceRefresh: 0, beforeRefresh: 0, warned: false, exceeded: false });
    }
    return l;
  }

  private addSessionSpend(sessionId: string, units: number): void {
    const before = this.sessions.get(sessionId);
    if (before === undefined && this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(sessionId, (before ?? 0) + units);
  }

  private roll(now: number): void {
    this.period = this.calendar.periodAt(now);
    this.resetAt = new Date(this.period.endMs);
  }

  private crossings(userId: string, l: Ledger): void {
    const limits = this.limitsFor(userId, l.tier);
    const spent = this.spentOf(l);
    if (!l.warned && spent >= limits.limitUsd * this.warning) {
      l.warned = true;
      this.callback(this.options.onWarning, { userId, tier: limits.tier, spentUsd: spent, limitUsd: limits.limitUsd, resetAt: this.resetAt });
    }
    if (!l.exceeded && spent >= limits.limitUsd) {
      l.exceeded = true;
      this.callback(this.options.onExceeded, { userId, tier: limits.tier, spentUsd: spent, limitUsd: limits.limitUsd, resetAt: this.resetAt });
    }
  }

  private callback(fn: ((c: BudgetCrossing) => void) | undefined, crossing: BudgetCrossing): void {
    if (fn === undefined) return;
    try {
      fn({ ...crossing, resetAt: new Date(crossing.resetAt) });
    } catch (err) {
      this.stats.callbackErrors++;
      this.logOnce('callback', 'BudgetGuard: an onWarning/onExceeded callback threw', err);
    }
  }

  private recordDecision(now: number, subject: BudgetSubject, tier: string, d: BudgetDecision): void {
    const event: BudgetEvent = {
      timeMs: now,
      userId: subject.userId,
      tier,
      sessionId: subject.sessionId,
      state: d.state as BudgetEvent['state'],
      action: d.action,
      scope: d.scope,
      spentUsd: d.spentUsd,
      limitUsd: d.limitUsd,
    };
    trace.getActiveSpan()?.addEvent('genai_cost.budget', {
      'genai_cost.budget.state': event.state,
      'genai_cost.budget.action': event.action,
      'genai_cost.budget.scope': event.scope,
      'genai_cost.budget.spent_usd': event.spentUsd,
      'genai_cost.budget.limit_usd': event.limitUsd,
    });
    try {
      this.options.eventSink?.record(event);
    } catch (err) {
      this.logOnce('sink', 'BudgetGuard: the event sink threw', err);
    }
  }

  private every(ms: number, task: () => Promise<void>): void {
    const t = setInterval(() => void task(), ms);
    t.unref();
    this.timers.push(t);
  }

  private logOnce(kind: string, message: string, err: unknown): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    diag.error(`${message}. Further failures of this kind are only counted.`, err);
  }
}
