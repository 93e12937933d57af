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
      targetAiCogsPct: null,
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
      targetAiCogsPct: null,
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
      { kind: 'user', key: 'alice', tier: 'team', monthlyPriceUsd: 39, monthlyBudgetUsd: null, action: null, targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null, targetAiCogsPct: null },
      { kind: 'user', key: 'bob', tier: '', monthlyPriceUsd: null, monthlyBudgetUsd: 5, action: 'block', targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null, targetAiCogsPct: null },
    ]);
  });

  it("carries a tier's AI COGS target", () => {
    const [solo] = planRows(parseConfig({ tiers: { solo: { monthlyPriceUsd: 19, targetAiCogsPct: 12.5 } } }, 'plan'));
    expect(solo).toMatchObject({ kind: 'tier', key: 'solo', targetAiCogsPct: 12.5 });
  });

  it('describes a plan in one line', () => {
    expect(describePlan(planRows(parseConfig(DEFAULT_PLAN, 'plan')))).toBe('4 tiers (free, solo, team, enterprise), 1 user override, 4 features');
    expect(describePlan([])).toBe('0 tiers, 0 user overrides, 0 features');
  });
});
