import { describe, expect, it } from 'vitest';
import { planRow } from '@genai-cost/clickhouse';
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
      sessionBudgetUsd: null,
      warnAtPct: null,
      blockAtPct: null,
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
      sessionBudgetUsd: null,
      warnAtPct: null,
      blockAtPct: null,
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
      planRow({ kind: 'user', key: 'alice', tier: 'team', monthlyPriceUsd: 39 }),
      planRow({ kind: 'user', key: 'bob', monthlyBudgetUsd: 5, action: 'block' }),
    ]);
  });

  it('carries session ceilings, soft and hard caps, feature budgets and tenant budgets', () => {
    const config = parseConfig(
      {
        tiers: { pro: { monthlyPriceUsd: 49, monthlyBudgetUsd: 20, action: 'block', warnAtPct: 75, blockAtPct: 150, sessionBudgetUsd: 2 } },
        users: { vip: { monthlyBudgetUsd: 100, action: 'warn', warnAtPct: 90 } },
        features: { summarizer: { revenuePerUserUsd: 4, monthlyBudgetUsd: 500, action: 'block' }, search: { monthlyBudgetUsd: 50, action: 'degrade', degradeModel: 'small' } },
        tenants: { acme: { monthlyBudgetUsd: 200, action: 'block', blockAtPct: 120 } },
      },
      'plan',
    );
    expect(planRows(config)).toEqual([
      planRow({ kind: 'tier', key: 'pro', tier: 'pro', monthlyPriceUsd: 49, monthlyBudgetUsd: 20, action: 'block', warnAtPct: 75, blockAtPct: 150, sessionBudgetUsd: 2 }),
      planRow({ kind: 'user', key: 'vip', monthlyBudgetUsd: 100, action: 'warn', warnAtPct: 90 }),
      planRow({ kind: 'feature', key: 'summarizer', featureRevenuePerUserUsd: 4, monthlyBudgetUsd: 500, action: 'block' }),
      planRow({ kind: 'feature', key: 'search', monthlyBudgetUsd: 50, action: 'degrade', degradeModel: 'small' }),
      planRow({ kind: 'tenant', key: 'acme', monthlyBudgetUsd: 200, action: 'block', blockAtPct: 120 }),
    ]);
    expect(describePlan(planRows(config))).toBe('1 tier (pro), 1 user override, 2 features, 1 tenant');
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
