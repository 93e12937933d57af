import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it, vi } from 'vitest';
import { BudgetGuard } from './BudgetGuard.js';
import { BudgetExceededError } from './errors.js';
import type { BudgetPlan } from './plan.js';
import type { BudgetCrossing, BudgetEvent, SpendSource } from './types.js';

const PLAN: BudgetPlan = {
  tiers: {
    free: { monthlyBudgetUsd: 5, action: 'block' },
    pro: { monthlyBudgetUsd: 50, action: 'warn' },
    enterprise: { monthlyBudgetUsd: 500, action: 'dry-run' },
    team: { monthlyBudgetUsd: 20, action: 'degrade', degradeModel: 'gpt-4.1-mini', sessionBudgetUsd: 2 },
  },
  users: { user_99: { monthlyBudgetUsd: 0.5, action: 'block' } },
};

function setup(extra: Partial<ConstructorParameters<typeof BudgetGuard>[0]> = {}) {
  let now = Date.parse('2026-03-10T12:00:00Z');
  const warnings: BudgetCrossing[] = [];
  const exceeded: BudgetCrossing[] = [];
  const events: BudgetEvent[] = [];
  const guard = new BudgetGuard({
    plan: PLAN,
    now: () => now,
    onWarning: (c) => warnings.push(c),
    onExceeded: (c) => exceeded.push(c),
    eventSink: { record: (e) => events.push(e) },
    ...extra,
  });
  return { guard, warnings, exceeded, events, setNow: (iso: string) => (now = Date.parse(iso)), now: () => now };
}

describe('BudgetGuard on the reference plan', () => {
  it('warns a free user once at $4.00, blocks at $5.00 until the next period', () => {
    const { guard, warnings, exceeded, setNow, now } = setup();
    guard.record('u1', 'free', 3.99, now());
    expect(guard.check({ userId: 'u1', tier: 'free' })).toMatchObject({ state: 'ok', action: 'allow', remainingUsd: 5 - 3.99 });
    guard.record('u1', 'free', 0.01, now());
    guard.record('u1', 'free', 0.5, now());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ userId: 'u1', tier: 'free', spentUsd: 4, limitUsd: 5 });
    expect(guard.check({ userId: 'u1', tier: 'free' })).toMatchObject({ state: 'warning', action: 'allow' });

    guard.record('u1', 'free', 0.5, now());
    const blocked = guard.check({ userId: 'u1', tier: 'free' });
    expect(blocked).toMatchObject({ state: 'exceeded', action: 'block', spentUsd: 5, limitUsd: 5, remainingUsd: 0 });
    expect(blocked.resetAt.toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(exceeded).toHaveLength(1);
    expect(() => guard.enforce({ userId: 'u1', tier: 'free' })).toThrow(BudgetExceededError);

    setNow('2026-04-01T00:00:00Z');
    expect(guard.check({ userId: 'u1', tier: 'free' })).toMatchObject({ state: 'ok', action: 'allow', spentUsd: 0 });
    guard.record('u1', 'free', 4, now());
    expect(warnings).toHaveLength(2);
  });

  it('adds spend exactly: ten $0.10 calls reach a $1.00 limit', () => {
    const { guard, now } = setup({ plan: { tiers: { t: { monthlyBudgetUsd: 1, action: 'block' } } } });
    for (let i = 0; i < 10; i++) guard.record('u1', 't', 0.1, now());
    expect(guard.check({ userId: 'u1', tier: 't' })).toMatchObject({ spentUsd: 1, action: 'block' });
  });

  it('gives BudgetExceededError the status, reset time, limit and tier', () => {
    const { guard, now } = setup();
    guard.record('u1', 'free', 6, now());
    try {
      guard.enforce({ userId: 'u1', tier: 'free' });
      expect.unreachable();
    } catch (e) {
      const err = e as BudgetExceededError;
      expect(err).toMatchObject({ status: 429, limitUsd: 5, tier: 'free', scope: 'user' });
      expect(err.resetAt.toISOString()).toBe('2026-04-01T00:00:00.000Z');
      expect(err.retryAfterSeconds(now())).toBe((Date.parse('2026-04-01T00:00:00Z') - now()) / 1000);
    }
  });

  it('blocks user_99 at $0.50 while other free users go on', () => {
    const { guard, now } = setup();
    guard.record('user_99', 'free', 0.5, now());
    guard.record('u2', 'free', 0.5, now());
    expect(guard.check({ userId: 'user_99', tier: 'free' })).toMatchObject({ action: 'block', limitUsd: 0.5 });
    expect(guard.check({ userId: 'u2', tier: 'free' })).toMatchObject({ action: 'allow', state: 'ok' });
  });

  it('lets an enterprise user at $600 through and records a would-block', () => {
    const { guard, events, now } = setup();
    guard.record('e1', 'enterprise', 600, now());
    expect(guard.check({ userId: 'e1', tier: 'enterprise' })).toMatchObject({ state: 'exceeded', action: 'dry-run' });
    expect(() => guard.enforce({ userId: 'e1', tier: 'enterprise' })).not.toThrow();
    expect(events.filter((e) => e.action === 'dry-run')).toHaveLength(2);
    expect(events[0]).toMatchObject({ userId: 'e1', tier: 'enterprise', state: 'exceeded', spentUsd: 600, limitUsd: 500 });
  });

  it('warns but allows pro users over budget', () => {
    const { guard, now } = setup();
    guard.record('p1', 'pro', 51, now());
    expect(guard.enforce({ userId: 'p1', tier: 'pro' })).toMatchObject({ state: 'exceeded', action: 'warn' });
  });

  it('degrades to the cheaper model, for the period and per session', () => {
    const { guard, now } = setup();
    guard.record('t1', 'team', 1.5, now(), 's1');
    guard.record('t1', 'team', 0.5, now(), 's1');
    expect(guard.check({ userId: 't1', tier: 'team', sessionId: 's1' })).toMatchObject({ scope: 'session', action: 'degrade', model: 'gpt-4.1-mini', limitUsd: 2 });
    expect(guard.check({ userId: 't1', tier: 'team', sessionId: 's2' })).toMatchObject({ state: 'ok', action: 'allow', model: undefined });
    guard.record('t1', 'team', 18, now(), 's3');
    expect(guard.check({ userId: 't1', tier: 'team' })).toMatchObject({ scope: 'user', action: 'degrade', model: 'gpt-4.1-mini' });
  });

  it('adds a span event for decisions other than ok', () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const exporter = new InMemorySpanExporter();
    const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer('t');
    const { guard, now } = setup();
    guard.record('u1', 'free', 5, now());
    tracer.startActiveSpan('request', (span) => {
      guard.check({ userId: 'u1', tier: 'free' });
      guard.check({ userId: 'fresh', tier: 'free' });
      span.end();
    });
    const events = exporter.getFinishedSpans()[0]!.events;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ name: 'genai_cost.budget', attributes: { 'genai_cost.budget.action': 'block', 'genai_cost.budget.limit_usd': 5 } });
    expect(trace.getActiveSpan()).toBeUndefined();
    context.disable();
  });

  it('keeps going when a callback throws', () => {
    const { guard, now } = setup({ onWarning: () => { throw new Error('bug'); } });
    expect(() => guard.record('u1', 'free', 4.5, now())).not.toThrow();
    expect(guard.getStats().callbackErrors).toBe(1);
  });

  it('rejects a bad plan naming the field', () => {
    expect(() => new BudgetGuard({ plan: { tiers: { free: { monthlyBudgetUsd: -1, action: 'block' } } } })).toThrow(/tiers\.free\.monthlyBudgetUsd: expected a number of USD ≥ 0/);
    expect(() => new BudgetGuard({ plan: { tiers: { t: { monthlyBudgetUsd: 1, action: 'degrade' } } } })).toThrow(/tiers\.t\.degradeModel/);
    expect(() => new BudgetGuard({ plan: PLAN, period: { resetDay: 31 } })).toThrow(/period\.resetDay/);
    expect(() => new BudgetGuard({ plan: PLAN, period: { timeZone: 'Mars/Olympus' } })).toThrow(/period\.timeZone/);
  });
});

describe('BudgetGuard with a shared spend source', () => {
  it('counts spend of other instances after a refresh, without counting its own twice', async () => {
    const totals = new Map<string, number>();
    const source: SpendSource = { periodSpend: vi.fn(async () => ({ users: totals })) };
    const { guard, now } = setup({ spendSource: source });
    guard.record('u1', 'free', 1, now());
    totals.set('u1', 1 + 3.5); // our $1, exported, plus $3.50 from another instance
    await guard.refresh();
    expect(guard.check({ userId: 'u1', tier: 'free' }).spentUsd).toBe(4.5);
    guard.record('u1', 'free', 0.5, now());
    expect(guard.check({ userId: 'u1', tier: 'free' })).toMatchObject({ spentUsd: 5, action: 'block' });
  });

  it('never reports less than its own spend when the source lags or fails', async () => {
    const { guard, now } = setup({ spendSource: { periodSpend: async () => ({ users: new Map() }) } });
    guard.record('u1', 'free', 2, now());
    await guard.refresh();
    expect(guard.check({ userId: 'u1', tier: 'free' }).spentUsd).toBe(2);

    const failing = setup({ spendSource: { periodSpend: async () => Promise.reject(new Error('down')) } });
    failing.guard.record('u1', 'free', 2, failing.now());
    await failing.guard.refresh();
    expect(failing.guard.check({ userId: 'u1', tier: 'free' }).spentUsd).toBe(2);
    expect(failing.guard.getStats().refreshFailures).toBe(1);
  });

  it('reloads limits from a plan source', async () => {
    let plan: BudgetPlan = PLAN;
    const { guard, now } = setup({ plan: undefined, planSource: { load: async () => plan } });
    await guard.start();
    guard.record('u1', 'free', 1, now());
    expect(guard.check({ userId: 'u1', tier: 'free' }).action).toBe('allow');
    plan = { tiers: { free: { monthlyBudgetUsd: 1, action: 'block' } } };
    await guard.reload();
    expect(guard.check({ userId: 'u1', tier: 'free' }).action).toBe('block');
    await guard.stop();
  });
});
