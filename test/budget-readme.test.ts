import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { BudgetExceededError, BudgetGuard, LoopDetectedError, budgetPlanFromFile } from '@genai-cost/budget';
import type { BudgetPlan, BudgetSubject } from '@genai-cost/budget';
import { parseConfig } from '../packages/cli/src/config.js';

/** The README's Budgets section; its snippets are read from here, not copied. */
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const BUDGETS = README.slice(README.indexOf('## Budgets\n'), README.indexOf('## Dashboards and alerts\n'));

/** The `plan: { … }` object of the first snippet, evaluated as written. */
function readmePlan(): BudgetPlan {
  const start = BUDGETS.indexOf('plan: {') + 'plan: '.length;
  const end = BUDGETS.indexOf('\n  },\n  onExceeded', start) + '\n  }'.length;
  return new Function(`return ${BUDGETS.slice(start, end)};`)() as BudgetPlan;
}

function readmeYaml(): unknown {
  const start = BUDGETS.indexOf('```yaml\n') + '```yaml\n'.length;
  return parseYaml(BUDGETS.slice(start, BUDGETS.indexOf('```', start)));
}

describe('README Budgets section', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  const guard = () => new BudgetGuard({ plan: readmePlan(), now: () => now });
  const spend = (g: BudgetGuard, costUsd: number, attribution: Parameters<BudgetGuard['recordSpend']>[0]['attribution']) =>
    g.recordSpend({ attribution, costUsd, startTimeMs: now });

  it("warns pro users at $37.50 and blocks them at $75, as the plan's comment says", () => {
    const g = guard();
    spend(g, 37.5, { userId: 'p1', tier: 'pro' });
    expect(g.check({ userId: 'p1', tier: 'pro' })).toMatchObject({ state: 'warning', action: 'allow', budgetUsd: 50, limitUsd: 75 });
    spend(g, 37.5, { userId: 'p1', tier: 'pro' });
    expect(() => g.enforce({ userId: 'p1', tier: 'pro' })).toThrow(BudgetExceededError);
  });

  it('blocks the summarizer for everyone at $500 and acme at $2,000, with what the handler sends', () => {
    const g = guard();
    spend(g, 500, { userId: 'someone', tier: 'enterprise', feature: 'summarizer' });
    // The handler's subject: user, tier, session, feature and tenant.
    const subject: BudgetSubject = { userId: 'u1', tier: 'team', sessionId: 's1', feature: 'summarizer', tenantId: 'globex' };
    try {
      g.enforce(subject);
      expect.unreachable();
    } catch (err) {
      const e = err as BudgetExceededError;
      expect({ status: e.status, scope: e.scope, tier: e.tier, limitUsd: e.limitUsd, resetAt: e.resetAt.toISOString() }).toEqual({
        status: 429,
        scope: 'feature',
        tier: 'team',
        limitUsd: 500,
        resetAt: '2026-04-01T00:00:00.000Z',
      });
      expect(e.retryAfterSeconds(now)).toBe((Date.parse('2026-04-01T00:00:00Z') - now) / 1000);
    }
    spend(g, 2_000, { tenantId: 'acme', tier: 'team' });
    expect(g.check({ userId: 'u2', tier: 'team', tenantId: 'acme', feature: 'chat' })).toMatchObject({ scope: 'tenant', action: 'block' });
    expect(g.check({ userId: 'u2', tier: 'team', tenantId: 'globex', feature: 'chat' }).action).toBe('allow');
  });

  it('stops a free session at $0.50 and a looping one with what the handler sends', () => {
    const g = guard();
    spend(g, 0.5, { userId: 'f1', tier: 'free', sessionId: 's1' });
    expect(g.check({ userId: 'f1', tier: 'free', sessionId: 's1' })).toMatchObject({ scope: 'session', action: 'block', limitUsd: 0.5 });
    for (let i = 0; i < 3; i++) g.recordToolCall({ sessionId: 's2', toolName: 'search', arguments: { q: 'Paris' } });
    try {
      g.enforce({ userId: 'f2', tier: 'free', sessionId: 's2' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LoopDetectedError);
      expect({ status: (err as LoopDetectedError).status, tool: (err as LoopDetectedError).toolName, count: (err as LoopDetectedError).count }).toEqual({
        status: 429,
        tool: 'search',
        count: 3,
      });
    }
  });

  it('takes the plan-file budgets as written, in the CLI and in FilePlanSource', () => {
    const config = parseConfig(readmeYaml(), 'README');
    expect(config.tiers.pro).toMatchObject({ warnAtPct: 75, blockAtPct: 150, sessionBudgetUsd: 2 });
    const g = new BudgetGuard({ plan: budgetPlanFromFile(readmeYaml(), 'README'), now: () => now });
    spend(g, 15, { userId: 'p1', tier: 'pro', sessionId: 's', feature: 'summarizer', tenantId: 'acme' });
    expect(g.check({ userId: 'p1', tier: 'pro' })).toMatchObject({ state: 'warning', budgetUsd: 20, limitUsd: 30 });
    expect(g.check({ userId: 'p1', tier: 'pro', sessionId: 's' })).toMatchObject({ scope: 'session', state: 'exceeded', action: 'block' });
    spend(g, 485, { userId: 'p2', tier: 'pro', feature: 'summarizer' });
    expect(g.check({ userId: 'p3', tier: 'pro', feature: 'summarizer' })).toMatchObject({ scope: 'feature', action: 'block', spentUsd: 500 });
    spend(g, 1_985, { tier: 'pro', tenantId: 'acme' });
    expect(g.check({ userId: 'p3', tier: 'pro', tenantId: 'acme' })).toMatchObject({ scope: 'tenant', action: 'degrade', model: 'gpt-4.1-mini' });
  });
});
