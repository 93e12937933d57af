import { diag, trace } from '@opentelemetry/api';
import { BudgetExceededError, LoopDetectedError } from './errors.js';
import { SPAN_EVENT, budgetEvent, spanEventAttributes } from './events.js';
import { SpendLedgers, UNITS_PER_USD, toUnits } from './ledger.js';
import type { Ledger } from './ledger.js';
import { PlanLimits } from './limits.js';
import type { Limits } from './limits.js';
import { resolveGuardOptions } from './options.js';
import type { ResolvedGuardOptions } from './options.js';
import type { Period } from './period.js';
import { parseBudgetPlan } from './plan.js';
import type { BudgetAction, BudgetPlan } from './plan.js';
import { Sessions, hashArguments } from './sessions.js';
import type { SessionState } from './sessions.js';
import type {
  BudgetCrossing,
  BudgetDecision,
  BudgetGuardOptions,
  BudgetGuardStats,
  BudgetScope,
  BudgetSubject,
  LoopCrossing,
  SpendEvent,
  ToolCall,
  ToolCallSpanEvent,
} from './types.js';

/** Rank of a decision: the most restrictive budget answers. */
const EXCEEDED_RANK: Readonly<Record<BudgetAction, number>> = { block: 5, degrade: 4, warn: 3, 'dry-run': 2 };
const WARNING_RANK = 1;

/** The budget leading a `check()` so far; one per guard, reused, since checks run synchronously. */
interface Leader {
  scope: BudgetScope;
  rank: number;
  share: number;
  spent: number;
  limits: Limits;
  limitUsd: number;
  budgetUsd: number;
}

/**
 * In-process LLM budgets per user (or tier), session, feature and tenant, and a tool-call loop
 * guard: answers `check()` from memory, fed by the span processor with every priced call and tool
 * call (exact for one process) and, optionally, refreshed from a spend source shared by all
 * instances (ClickHouse) so they agree within one refresh interval.
 *
 * Worst overshoot: a call is checked before it runs and its cost is known only when it ends, so
 * spend can go past a hard cap by the calls admitted before the crossing one ended (one per
 * request in flight); with several instances, also by what the other instances admit between two
 * refreshes plus the exporter's delay. For N instances, refresh interval R, export delay E and
 * spend of at most r USD/s on each: overshoot ≤ (N − 1) × r × (R + E) + the calls in flight.
 */
export class BudgetGuard {
  private readonly o: ResolvedGuardOptions;
  private limits: PlanLimits;
  private period: Period;
  private readonly users: SpendLedgers;
  private readonly features: SpendLedgers;
  private readonly tenants: SpendLedgers;
  private readonly sessions: Sessions;
  private readonly pick: Leader;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly logged = new Set<string>();
  private readonly stats = { refreshes: 0, refreshFailures: 0, reloads: 0, reloadFailures: 0, callbackErrors: 0, loopsDetected: 0, identityMismatches: 0 };
  private started: Promise<void> | undefined;

  /** Throws `BudgetConfigError` for an invalid plan or option. */
  constructor(private readonly options: BudgetGuardOptions) {
    this.o = resolveGuardOptions(options);
    this.limits = new PlanLimits(this.storedPlan(this.o.plan), this.o.warnAtPct);
    this.users = new SpendLedgers(this.o.maxUsers);
    this.features = new SpendLedgers(this.o.maxTenants, (f) => this.limits.forFeature(f));
    this.tenants = new SpendLedgers(this.o.maxTenants, (t) => this.limits.forTenant(t));
    this.sessions = new Sessions(this.o.maxSessions, this.o);
    this.period = this.o.calendar.periodAt(this.o.now());
    this.pick = { scope: 'user', rank: 0, share: 0, spent: 0, limits: this.limits.forUser(undefined, ''), limitUsd: 0, budgetUsd: 0 };
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

  /**
   * The most restrictive answer of every budget that applies to the subject (its user's or tier's,
   * its session's, its feature's, its tenant's) and of the loop guard, from memory: no I/O.
   * Decisions other than ok are recorded.
   */
  check(subject: BudgetSubject): BudgetDecision {
    return this.decide(this.storedSubject(subject));
  }

  /** `check()`, throwing `LoopDetectedError` or `BudgetExceededError` when the action is `block`. */
  enforce(subject: BudgetSubject): BudgetDecision {
    const stored = this.storedSubject(subject);
    const decision = this.decide(stored);
    if (decision.action !== 'block') return decision;
    if (decision.loop !== undefined) throw new LoopDetectedError(decision.loop.toolName, decision.loop.count, this.o.withinSteps, subject.sessionId!);
    throw new BudgetExceededError(decision, this.limits.forUser(stored.userId, subject.tier).tier);
  }

  /** The id this guard keys a user's spend by: the pseudonym under `userIdHmacKey`, as ClickHouse stores it, else the id. */
  storedUserId(userId: string): string {
    return this.o.pseudonymizer === undefined ? userId : this.o.pseudonymizer.pseudonym(userId);
  }

  private decide(subject: BudgetSubject): BudgetDecision {
    const now = this.o.now();
    if (now >= this.period.endMs) this.roll(now);
    const start = this.period.startMs;
    const p = this.pick;
    const limits = this.limits.forUser(subject.userId, subject.tier);
    p.rank = -1;
    this.consider('user', subject.userId === undefined ? 0 : this.users.spent(subject.userId, start), limits, limits.limitUnits, limits.limitUsd, limits.budgetUsd);
    const session = subject.sessionId === undefined ? undefined : this.sessions.get(subject.sessionId);
    if (session !== undefined && limits.sessionLimitUnits !== Infinity) {
      this.consider('session', session.units, limits, limits.sessionLimitUnits, limits.sessionBudgetUsd!, limits.sessionBudgetUsd!);
    }
    if (this.limits.hasShared) {
      if (subject.feature !== undefined) this.considerShared('feature', this.features, subject.feature, start);
      if (subject.tenantId !== undefined) this.considerShared('tenant', this.tenants, subject.tenantId, start);
    }
    const loop = session?.loop;
    if (loop !== undefined && EXCEEDED_RANK[this.o.loopAction] > p.rank) {
      const decision = this.decision('loop', this.o.loopAction, 'session', session!.units, Infinity, Infinity, undefined);
      decision.loop = { toolName: loop.toolName, count: loop.count };
      this.recordDecision(now, subject, limits.tier, decision);
      return decision;
    }
    const exceeded = p.rank >= EXCEEDED_RANK['dry-run'];
    const action = exceeded ? p.limits.action : 'allow';
    const decision = this.decision(
      exceeded ? 'exceeded' : p.rank === WARNING_RANK ? 'warning' : 'ok',
      action,
      p.scope,
      p.spent,
      p.limitUsd,
      p.budgetUsd,
      action === 'degrade' ? p.limits.degradeModel : undefined,
    );
    if (decision.state !== 'ok') this.recordDecision(now, subject, limits.tier, decision);
    return decision;
  }

  /** Adds a priced call's cost to its user's (and session's) spend. */
  record(userId: string, tier: string, costUsd: number, timeMs: number, sessionId?: string): void {
    this.recordSpend({ attribution: { userId, tier, sessionId }, costUsd, startTimeMs: timeMs });
  }

  /** Adds a model call's cost to the spend of its user, session, feature and tenant; it is also a step of its session. */
  recordSpend(e: SpendEvent): void {
    const { sessionId, feature, tenantId } = e.attribution;
    const userId = e.attribution.userId === undefined ? undefined : this.storedUserId(e.attribution.userId);
    if (userId !== undefined && e.storedUserId !== undefined && e.storedUserId !== userId) this.identityMismatch();
    const tier = e.attribution.tier ?? '';
    const now = this.o.now();
    if (now >= this.period.endMs) this.roll(now);
    const session = sessionId === undefined ? undefined : this.sessionOf(sessionId, userId, tier);
    if (session !== undefined) this.sessions.modelStep(session);
    if (!(e.costUsd > 0)) return;
    const units = toUnits(e.costUsd);
    if (session !== undefined) {
      session.units += units;
      this.sessionCrossing(sessionId!, session);
    }
    const start = this.period.startMs;
    if (e.startTimeMs < start) return;
    if (userId !== undefined) {
      const l = this.users.add(userId, units, start);
      if (tier !== '') l.tier = tier;
      this.userCrossings(userId, l);
    }
    if (feature !== undefined) this.sharedCrossings('feature', feature, this.features.add(feature, units, start), userId, tier);
    if (tenantId !== undefined) this.sharedCrossings('tenant', tenantId, this.tenants.add(tenantId, units, start), userId, tier);
  }

  /** A listener for the span processor's `onSpanCost` option. */
  spanCostListener(): (event: SpendEvent) => void {
    return (e) => this.recordSpend(e);
  }

  /**
   * Adds a tool call to its session's steps; a call repeated `repeats` times within the last
   * `withinSteps` steps makes the session loop (`onLoop` fires once per session).
   */
  recordToolCall(call: ToolCall): void {
    const session = this.sessionOf(call.sessionId, call.userId === undefined ? undefined : this.storedUserId(call.userId), call.tier ?? '');
    if (!this.sessions.toolStep(session, call.toolName, hashArguments(call.arguments)) || session.looped) return;
    session.looped = true;
    this.stats.loopsDetected++;
    const onLoop = this.options.onLoop;
    if (onLoop === undefined) return;
    const loop = session.loop!;
    const crossing: LoopCrossing = {
      sessionId: call.sessionId,
      userId: session.userId,
      tier: session.tier,
      toolName: loop.toolName,
      count: loop.count,
      withinSteps: this.o.withinSteps,
      timeMs: this.o.now(),
    };
    this.guarded(() => onLoop(crossing), 'an onLoop callback threw');
  }

  /** A listener for the span processor's `onToolCall` option; tool calls without a session are ignored. */
  toolCallListener(): (event: ToolCallSpanEvent) => void {
    return (e) => {
      const { sessionId, userId, tier } = e.attribution;
      if (sessionId !== undefined) this.recordToolCall({ sessionId, toolName: e.toolName, arguments: e.arguments, userId, tier });
    };
  }

  /** Pulls the period spend of every user, feature and tenant from the spend source now. */
  async refresh(): Promise<void> {
    const source = this.options.spendSource;
    if (source === undefined) return;
    const start = this.period.startMs;
    const scopes = [this.users, this.features, this.tenants];
    for (const s of scopes) s.beginRefresh();
    let totals: Awaited<ReturnType<typeof source.periodSpend>>;
    try {
      totals = await source.periodSpend(start);
    } catch (err) {
      for (const s of scopes) s.abortRefresh();
      this.stats.refreshFailures++;
      this.logOnce('refresh', 'BudgetGuard: spend refresh failed; using this process\'s spend until the next refresh', err);
      return;
    }
    this.stats.refreshes++;
    if (start !== this.period.startMs) return;
    this.users.applyRefresh(totals.users, start, (userId, l) => this.userCrossings(userId, l));
    if (totals.features === undefined) this.features.abortRefresh();
    else this.features.applyRefresh(totals.features, start, (f, l) => this.sharedCrossings('feature', f, l, undefined, ''));
    if (totals.tenants === undefined) this.tenants.abortRefresh();
    else this.tenants.applyRefresh(totals.tenants, start, (t, l) => this.sharedCrossings('tenant', t, l, undefined, ''));
  }

  /** Reloads the plan from the plan source now; a bad plan is logged and the old one kept. */
  async reload(): Promise<void> {
    const source = this.options.planSource;
    if (source === undefined) return;
    try {
      this.limits = new PlanLimits(this.storedPlan(parseBudgetPlan(await source.load(), 'plan source')), this.o.warnAtPct);
      this.features.relink((f) => this.limits.forFeature(f));
      this.tenants.relink((t) => this.limits.forTenant(t));
      this.stats.reloads++;
    } catch (err) {
      this.stats.reloadFailures++;
      this.logOnce('reload', 'BudgetGuard: plan reload failed; keeping the previous plan', err);
    }
  }

  /** Counters since construction. */
  getStats(): BudgetGuardStats {
    return {
      trackedUsers: this.users.byKey.size,
      trackedFeatures: this.features.byKey.size,
      trackedTenants: this.tenants.byKey.size,
      trackedSessions: this.sessions.byId.size,
      ...this.stats,
    };
  }

  /** The subject with its user id as stored. */
  private storedSubject(subject: BudgetSubject): BudgetSubject {
    if (this.o.pseudonymizer === undefined || subject.userId === undefined) return subject;
    return { ...subject, userId: this.o.pseudonymizer.pseudonym(subject.userId) };
  }

  /** The plan with each per-user entry also under its user's pseudonym, the key spend is looked up by. */
  private storedPlan(plan: BudgetPlan): BudgetPlan {
    const p = this.o.pseudonymizer;
    if (p === undefined || plan.users === undefined) return plan;
    const users = { ...plan.users };
    for (const [userId, budget] of Object.entries(plan.users)) users[p.pseudonym(userId)] ??= budget;
    return { ...plan, users };
  }

  private identityMismatch(): void {
    this.stats.identityMismatches++;
    if (this.logged.has('identity')) return;
    this.logged.add('identity');
    diag.error(
      'BudgetGuard: the span processor stores user ids other than the ones this guard counts (their userIdHmacKey differs); ' +
        'spend read back from ClickHouse cannot match. Give both the same userIdHmacKey, or neither.',
    );
  }

  /** Considers a feature's or tenant's budget: one lookup finds its spend and its budget. */
  private considerShared(scope: 'feature' | 'tenant', ledgers: SpendLedgers, key: string, start: number): void {
    const l = ledgers.byKey.get(key);
    const limits = l !== undefined ? l.limits : scope === 'feature' ? this.limits.forFeature(key) : this.limits.forTenant(key);
    if (limits === undefined) return;
    this.consider(scope, l === undefined ? 0 : ledgers.spentOf(l, start), limits, limits.limitUnits, limits.limitUsd, limits.budgetUsd);
  }

  /** Makes a budget the answer of the running check when it is more restrictive than the one so far. */
  private consider(scope: BudgetScope, spent: number, limits: Limits, limitUnits: number, limitUsd: number, budgetUsd: number): void {
    const warnUnits = scope === 'session' ? Infinity : limits.warnUnits;
    const rank = spent >= limitUnits ? EXCEEDED_RANK[limits.action] : spent >= warnUnits ? WARNING_RANK : 0;
    const share = limitUnits === Infinity ? 0 : limitUnits === 0 ? Infinity : spent / limitUnits;
    const p = this.pick;
    if (rank < p.rank || (rank === p.rank && share <= p.share)) return;
    p.scope = scope;
    p.rank = rank;
    p.share = share;
    p.spent = spent;
    p.limits = limits;
    p.limitUsd = limitUsd;
    p.budgetUsd = budgetUsd;
  }

  private decision(
    state: BudgetDecision['state'],
    action: BudgetDecision['action'],
    scope: BudgetScope,
    spentUnits: number,
    limitUsd: number,
    budgetUsd: number,
    model: string | undefined,
  ): BudgetDecision {
    const spentUsd = spentUnits / UNITS_PER_USD;
    return { action, state, scope, spentUsd, limitUsd, budgetUsd, remainingUsd: Math.max(0, limitUsd - spentUsd), resetAt: new Date(this.period.endMs), model };
  }

  private sessionOf(sessionId: string, userId: string | undefined, tier: string): SessionState {
    const s = this.sessions.stateOf(sessionId);
    if (userId !== undefined) s.userId = userId;
    if (tier !== '') s.tier = tier;
    return s;
  }

  private roll(now: number): void {
    this.period = this.o.calendar.periodAt(now);
  }

  private userCrossings(userId: string, l: Ledger): void {
    if (l.warned && l.exceeded) return;
    const limits = this.limits.forUser(userId, l.tier);
    this.crossings(l, limits, 'user', undefined, userId, limits.tier || l.tier);
  }

  private sharedCrossings(scope: 'feature' | 'tenant', key: string, l: Ledger, userId: string | undefined, tier: string): void {
    if (l.warned && l.exceeded) return;
    if (l.limits !== undefined) this.crossings(l, l.limits, scope, key, userId, tier);
  }

  /** Fires `onWarning` / `onExceeded` for thresholds the ledger has just reached. */
  private crossings(l: Ledger, limits: Limits, scope: BudgetScope, key: string | undefined, userId: string | undefined, tier: string): void {
    const spent = this.users.spentOf(l, this.period.startMs);
    const warn = !l.warned && spent >= limits.warnUnits;
    const exceed = !l.exceeded && spent >= limits.limitUnits;
    if (!warn && !exceed) return;
    const who: CrossingSubject = { scope, userId, tier: tier === '' ? undefined : tier };
    if (scope === 'feature') who.feature = key;
    if (scope === 'tenant') who.tenantId = key;
    if (warn) {
      l.warned = true;
      this.crossing(this.options.onWarning, who, spent, limits.limitUsd, limits.budgetUsd);
    }
    if (exceed) {
      l.exceeded = true;
      this.crossing(this.options.onExceeded, who, spent, limits.limitUsd, limits.budgetUsd);
    }
  }

  private sessionCrossing(sessionId: string, s: SessionState): void {
    if (s.exceeded) return;
    const limits = this.limits.forUser(s.userId, s.tier ?? '');
    if (s.units < limits.sessionLimitUnits) return;
    s.exceeded = true;
    const who = { scope: 'session' as const, sessionId, userId: s.userId, tier: limits.tier || s.tier };
    this.crossing(this.options.onExceeded, who, s.units, limits.sessionBudgetUsd!, limits.sessionBudgetUsd!);
  }

  private crossing(fn: ((c: BudgetCrossing) => void) | undefined, who: CrossingSubject, spentUnits: number, limitUsd: number, budgetUsd: number): void {
    if (fn === undefined) return;
    const crossing: BudgetCrossing = { ...who, spentUsd: spentUnits / UNITS_PER_USD, limitUsd, budgetUsd, resetAt: new Date(this.period.endMs) };
    this.guarded(() => fn(crossing), 'an onWarning/onExceeded callback threw');
  }

  private guarded(fn: () => void, what: string): void {
    try {
      fn();
    } catch (err) {
      this.stats.callbackErrors++;
      this.logOnce(`callback:${what}`, `BudgetGuard: ${what}`, err);
    }
  }

  private recordDecision(now: number, subject: BudgetSubject, tier: string, d: BudgetDecision): void {
    const event = budgetEvent(now, subject, tier, d);
    trace.getActiveSpan()?.addEvent(SPAN_EVENT, spanEventAttributes(event));
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

/** The fields of a crossing that say whose budget it is. */
type CrossingSubject = Omit<BudgetCrossing, 'spentUsd' | 'limitUsd' | 'budgetUsd' | 'resetAt'>;
