import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { DEFAULT_PLAN } from './defaultPlan.js';
import { describePlan, planRows } from './planRows.js';

describe('planRows', () => {
  it('has one row per tier, user override and feature, in file order', () => {
    const rows = planRows(parseConfig(DEFAULT_PLAN, 'plan'));
    expect(rows.map((r) => `${r.kind}:${r.key}`)).toEqual([
      'tier:free',
      'tier:solo',
      'tier:team',
      'tier:enterprise',
      'user:user-00007',
      'feature:chat',
      'feature:summarise',
      'feature:code-review',
      'feature:agent-research',
    ]);
    expect(rows[0]).toEqual({
      kind: 'tier',
      key: 'free',
      tier: 'free',
      monthlyPriceUsd: 0,
      monthlyBudgetUsd: 1,
      action: 'degrade',
      targetMarginPct: null,
      degradeModel: 'gpt-4o-mini',
      featureRevenuePerUserUsd: null,
    });
    expect(rows.find((r) => r.key === 'code-review')).toEqual({
      kind: 'feature',
      key: 'code-review',
      tier: '',
      monthlyPriceUsd: null,
      monthlyBudgetUsd: null,
      action: null,
      targetMarginPct: null,
      degradeModel: null,
      featureRevenuePerUserUsd: 20,
    });
  });

  it("keeps a user's override fields and leaves an unset tier empty", () => {
    const config = parseConfig(
      {
        tiers: { solo: { monthlyPriceUsd: 19 }, team: { monthlyPriceUsd: 49 } },
        users: { alice: { tier: 'team', monthlyPriceUsd: 39 }, bob: { monthlyBudgetUsd: 5, action: 'block' } },
      },
      'plan',
    );
    const users = planRows(config).filter((r) => r.kind === 'user');
    expect(users).toEqual([
      { kind: 'user', key: 'alice', tier: 'team', monthlyPriceUsd: 39, monthlyBudgetUsd: null, action: null, targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null },
      { kind: 'user', key: 'bob', tier: '', monthlyPriceUsd: null, monthlyBudgetUsd: 5, action: 'block', targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null },
    ]);
  });

  it('describes a plan in one line', () => {
    expect(describePlan(planRows(parseConfig(DEFAULT_PLAN, 'plan')))).toBe('4 tiers (free, solo, team, enterprise), 1 user override, 4 features');
    expect(describePlan([])).toBe('0 tiers, 0 user overrides, 0 features');
  });
});
