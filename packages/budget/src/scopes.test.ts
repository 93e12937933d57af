import { describe, expect, it } from 'vitest';
import { BudgetGuard } from './BudgetGuard.js';
import { BudgetExceededError } from './errors.js';
import type { BudgetPlan } from './plan.js';
import type { BudgetCrossing, BudgetEvent } from './types.js';

/** Budgets reset on the 15th at midnight in Berlin: 2026-04-15T00:00+02:00 is 2026-04-14T22:00Z. */
const RESET_AT = '2026-04-14T22:00:00.000Z';

const PLAN: BudgetPlan = {
  tiers: {
    free: { monthlyBudgetUsd: 5, action: 'block', sessionBudgetUsd: 1 },
    pro: { monthlyBudgetUsd: 20, action: 'block', warnAtPct: 75, blockAtPct: 150 },
    team: { monthlyBudgetUsd: 1_000, action: 'warn', sessionBudgetUsd: 2 },
  },
  features: { summarizer: { monthlyBudgetUsd: 500, action: 'block' } },
  tenants: { acme: { monthlyBudgetUsd: 200, action: 'degrade', degradeModel: 'gpt-4.1-mini' } },
};

function setup() {
  const now = Date.parse('2026-03-20T12:00:00Z');
  const warnings: BudgetCrossing[] = [];
  const exceeded: BudgetCrossing[] = [];
  const events: BudgetEvent[] = [];
  const guard = new BudgetGuard({
    plan: PLAN,
    period: { resetDay: 15, timeZone: 'Europe/Berlin' },
    now: () => now,
    onWarning: (c) => warnings.push(c),
    onExceeded: (c) => exceeded.push(c),
    eventSink: { record: (e) => events.push(e) },
  });
  const spend = (costUsd: number, attribution: Parameters<BudgetGuard['recordSpend']>[0]['attribution']) =>
    guard.recordSpend({ attribution, costUsd, startTimeMs: now });
  return { guard, warnings, exceeded, events, spend };
}

describe('feature budgets', () => {
  it('blocks the summarizer for every user at $500 until the reset, while other features go on', () => {
    const { guard, warnings, exceeded, spend } = setup();
    // Ten team users spend $40 each on the summarizer: $400 is 80 % of $500, the warning share.
    for (let i = 0; i < 10; i++) spend(40, { userId: `t${i}`, tier: 'team', feature: 'summarizer' });
    expect(warnings).toEqual([expect.objectContaining({ scope: 'feature', feature: 'summarizer', spentUsd: 400, limitUsd: 500, budgetUsd: 500 })]);
    expect(guard.check({ userId: 't0', tier: 'team', feature: 'summarizer' })).toMatchObject({ scope: 'feature', state: 'warning', action: 'allow', remainingUsd: 100 });

    // $99.99 more leaves a cent; the last cent crosses.
    spend(99.99, { userId: 't1', tier: 'team', feature: 'summarizer' });
    expect(guard.check({ userId: 'new', tier: 'free', feature: 'summarizer' }).action).toBe('allow');
    spend(0.01, { userId: 't2', tier: 'team', feature: 'summarizer' });
    expect(exceeded).toEqual([expect.objectContaining({ scope: 'feature', feature: 'summarizer', userId: 't2', spentUsd: 500, limitUsd: 500 })]);

    for (const subject of [
      { userId: 't0', tier: 'team', feature: 'summarizer' },
      { userId: 'someone-new', tier: 'free', feature: 'summarizer' },
      { userId: 'p1', tier: 'pro', feature: 'summarizer' },
    ]) {
      const d = guard.check(subject);
      expect(d).toMatchObject({ scope: 'feature', state: 'exceeded', action: 'block', spentUsd: 500, limitUsd: 500, remainingUsd: 0 });
      expect(d.resetAt.toISOString()).toBe(RESET_AT);
    }
    expect(guard.check({ userId: 't0', tier: 'team', feature: 'chat' })).toMatchObject({ action: 'allow', state: 'ok', scope: 'user' });
    expect(guard.check({ userId: 't0', tier: 'team' })).toMatchObject({ action: 'allow' });

    try {
      guard.enforce({ userId: 'someone-new', tier: 'free', feature: 'summarizer' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BudgetExceededError);
      expect(e).toMatchObject({ status: 429, scope: 'feature', limitUsd: 500, tier: 'free' });
      expect((e as BudgetExceededError).resetAt.toISOString()).toBe(RESET_AT);
      expect((e as Error).message).toBe(`LLM budget of this feature exceeded (free tier, limit $500); resets at ${RESET_AT}`);
    }
    expect(exceeded).toHaveLength(1);
  });
});

describe('feature and tenant budgets from a plan source', () => {
  it('apply a changed budget to spend already recorded', async () => {
    let plan: BudgetPlan = { tiers: {}, features: { search: { monthlyBudgetUsd: 10, action: 'block' } } };
    const guard = new BudgetGuard({ planSource: { load: async () => plan } });
    await guard.start();
    guard.recordSpend({ attribution: { feature: 'search', tenantId: 'acme', tier: 'team' }, costUsd: 6, startTimeMs: Date.now() });
    expect(guard.check({ tier: 'team', feature: 'search', tenantId: 'acme' })).toMatchObject({ scope: 'feature', action: 'allow', limitUsd: 10 });
    plan = { tiers: {}, features: { search: { monthlyBudgetUsd: 5, action: 'block' } }, tenants: { acme: { monthlyBudgetUsd: 6, action: 'degrade', degradeModel: 'small' } } };
    await guard.reload();
    expect(guard.check({ tier: 'team', feature: 'search' })).toMatchObject({ scope: 'feature', action: 'block', limitUsd: 5 });
    expect(guard.check({ tier: 'team', tenantId: 'acme' })).toMatchObject({ scope: 'tenant', action: 'degrade', spentUsd: 6 });
    await guard.stop();
  });
});

describe('tenant budgets', () => {
  it("degrades every call of acme's users once the account has spent $200, account-level work included", () => {
    const { guard, exceeded, events, spend } = setup();
    spend(120, { userId: 'a1', tier: 'team', tenantId: 'acme' });
    spend(60, { userId: 'a2', tier: 'team', tenantId: 'acme' });
    // Account-level work: a tenant and no user.
    spend(19.5, { tenantId: 'acme', tier: 'team' });
    expect(guard.check({ userId: 'a3', tier: 'team', tenantId: 'acme' })).toMatchObject({ scope: 'tenant', state: 'warning', spentUsd: 199.5, remainingUsd: 0.5 });
    spend(0.5, { userId: 'a2', tier: 'team', tenantId: 'acme' });
    expect(exceeded).toEqual([expect.objectContaining({ scope: 'tenant', tenantId: 'acme', spentUsd: 200, limitUsd: 200 })]);

    const d = guard.check({ userId: 'a3', tier: 'team', tenantId: 'acme', feature: 'chat' });
    expect(d).toMatchObject({ scope: 'tenant', state: 'exceeded', action: 'degrade', model: 'gpt-4.1-mini', spentUsd: 200, limitUsd: 200 });
    expect(d.resetAt.toISOString()).toBe(RESET_AT);
    expect(guard.check({ tier: 'team', tenantId: 'acme' })).toMatchObject({ scope: 'tenant', action: 'degrade' });
    expect(guard.check({ userId: 'b1', tier: 'team', tenantId: 'globex' })).toMatchObject({ state: 'ok', action: 'allow' });
    expect(events.at(-1)).toMatchObject({ userId: '', tier: 'team', tenantId: 'acme', scope: 'tenant', action: 'degrade' });
  });

  it('answers the most restrictive budget and says which', () => {
    const { guard, spend } = setup();
    // a1's own budget is only at warning ($4 of $5); acme's is spent, but degrade is milder than block.
    spend(4, { userId: 'a1', tier: 'free', tenantId: 'acme' });
    spend(196, { userId: 'a9', tier: 'team', tenantId: 'acme' });
    expect(guard.check({ userId: 'a1', tier: 'free', tenantId: 'acme' })).toMatchObject({ scope: 'tenant', action: 'degrade' });
    spend(1, { userId: 'a1', tier: 'free', tenantId: 'acme' });
    expect(guard.check({ userId: 'a1', tier: 'free', tenantId: 'acme' })).toMatchObject({ scope: 'user', action: 'block', spentUsd: 5 });
    // Within every budget: the one most used is reported ($5 of the user's $1,000 is 0.5 %, acme's $201 of $200 is past).
    expect(guard.check({ userId: 'a9', tier: 'team' })).toMatchObject({ scope: 'user', state: 'ok', remainingUsd: 804 });
  });
});

describe('soft and hard caps', () => {
  it('warns a pro user at 75 % ($15 of $20) and blocks only at 150 % ($30)', () => {
    const { guard, warnings, exceeded, spend } = setup();
    spend(14.99, { userId: 'p1', tier: 'pro' });
    expect(guard.check({ userId: 'p1', tier: 'pro' })).toMatchObject({ state: 'ok', limitUsd: 30, budgetUsd: 20 });
    spend(0.01, { userId: 'p1', tier: 'pro' });
    expect(warnings).toEqual([expect.objectContaining({ scope: 'user', userId: 'p1', tier: 'pro', spentUsd: 15, limitUsd: 30, budgetUsd: 20 })]);
    expect(guard.check({ userId: 'p1', tier: 'pro' })).toMatchObject({ state: 'warning', action: 'allow' });

    spend(10, { userId: 'p1', tier: 'pro' }); // $25: over the $20 budget, under the $30 cap
    expect(guard.enforce({ userId: 'p1', tier: 'pro' })).toMatchObject({ state: 'warning', action: 'allow', spentUsd: 25, remainingUsd: 5 });
    expect(exceeded).toHaveLength(0);

    spend(5, { userId: 'p1', tier: 'pro' });
    expect(guard.check({ userId: 'p1', tier: 'pro' })).toMatchObject({ state: 'exceeded', action: 'block', spentUsd: 30, limitUsd: 30, budgetUsd: 20 });
    expect(exceeded).toEqual([expect.objectContaining({ userId: 'p1', tier: 'pro', spentUsd: 30, limitUsd: 30, budgetUsd: 20 })]);
    spend(1, { userId: 'p1', tier: 'pro' });
    expect(warnings).toHaveLength(1);
    expect(exceeded).toHaveLength(1);
  });

  it('keeps the 80 % default warning and a 100 % block for tiers without caps', () => {
    const { guard, warnings, spend } = setup();
    spend(4, { userId: 'f1', tier: 'free' });
    expect(warnings).toEqual([expect.objectContaining({ spentUsd: 4, limitUsd: 5, budgetUsd: 5 })]);
    spend(1, { userId: 'f1', tier: 'free' });
    expect(guard.check({ userId: 'f1', tier: 'free' })).toMatchObject({ action: 'block', limitUsd: 5 });
  });

  it('calls onExceeded once for a session ceiling, with the session spend and the tier', () => {
    const { guard, exceeded, spend } = setup();
    spend(1.5, { userId: 't1', tier: 'team', sessionId: 's1' });
    spend(0.5, { userId: 't1', tier: 'team', sessionId: 's1' });
    spend(0.25, { userId: 't1', tier: 'team', sessionId: 's1' });
    expect(exceeded).toEqual([{ scope: 'session', sessionId: 's1', userId: 't1', tier: 'team', spentUsd: 2, limitUsd: 2, budgetUsd: 2, resetAt: new Date(RESET_AT) }]);
    expect(guard.check({ userId: 't1', tier: 'team', sessionId: 's1' })).toMatchObject({ scope: 'session', action: 'warn', spentUsd: 2.25, limitUsd: 2 });
  });

  it('rejects caps out of order, naming the field', () => {
    expect(() => new BudgetGuard({ plan: { tiers: { pro: { monthlyBudgetUsd: 20, action: 'block', warnAtPct: 160, blockAtPct: 150 } } } })).toThrow(
      /tiers\.pro\.warnAtPct: expected at most blockAtPct \(150\)/,
    );
    expect(() => new BudgetGuard({ plan: { tiers: {}, features: { f: { monthlyBudgetUsd: 1, action: 'block', blockAtPct: 0 } } } })).toThrow(/features\.f\.blockAtPct/);
  });
});
