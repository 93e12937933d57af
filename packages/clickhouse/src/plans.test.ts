import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseConfigError } from './errors.js';
import { readPlans, replacePlans } from './plans.js';
import type { PlanRow } from './plans.js';
import { TestChdb } from './test-support/chdb.js';

const EMPTY = { tier: '', monthlyPriceUsd: null, monthlyBudgetUsd: null, action: null, targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null, sessionBudgetUsd: null, warnAtPct: null, blockAtPct: null, targetAiCogsPct: null };
const solo: PlanRow = { ...EMPTY, kind: 'tier', key: 'solo', tier: 'solo', monthlyPriceUsd: 19, monthlyBudgetUsd: 5, action: 'degrade', targetMarginPct: 70, degradeModel: 'gpt-4o-mini' };
const team: PlanRow = { ...EMPTY, kind: 'tier', key: 'team', tier: 'team', monthlyPriceUsd: 49, action: 'dry-run' };
const pro: PlanRow = { ...EMPTY, kind: 'tier', key: 'pro', tier: 'pro', monthlyPriceUsd: 29, monthlyBudgetUsd: 20, action: 'block', sessionBudgetUsd: 2, warnAtPct: 75, blockAtPct: 150 };
const vip: PlanRow = { ...EMPTY, kind: 'user', key: 'u-42', tier: 'team', monthlyPriceUsd: 99 };
const summarise: PlanRow = { ...EMPTY, kind: 'feature', key: 'summarise', featureRevenuePerUserUsd: 50, monthlyBudgetUsd: 500, action: 'block' };
const acme: PlanRow = { ...EMPTY, kind: 'tenant', key: 'acme', monthlyBudgetUsd: 200, action: 'degrade', degradeModel: 'gpt-4.1-mini' };

let ch: TestChdb;
let db: string;
beforeAll(async () => {
  ch = new TestChdb();
  db = await ch.database();
});
afterAll(async () => {
  await ch.close();
});

describe('replacePlans', () => {
  it('stores plan rows and reads them back', async () => {
    await replacePlans(ch.client, db, [solo, team, vip, summarise]);
    expect(await readPlans(ch.client, db)).toEqual([solo, team, vip, summarise]);
  });

  it('stores tenant budgets, caps and session ceilings; rows written without them read as null', async () => {
    const teamWithoutCaps: PlanRow = { kind: 'tier', key: 'team', tier: 'team', monthlyPriceUsd: 49, monthlyBudgetUsd: null, action: 'dry-run', targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null };
    await replacePlans(ch.client, db, [pro, teamWithoutCaps, summarise, acme]);
    expect(await readPlans(ch.client, db)).toEqual([pro, team, summarise, acme]);
    await expect(replacePlans(ch.client, db, [{ ...pro, blockAtPct: 0 }])).rejects.toThrow(/"0.blockAtPct": expected a percentage of the budget > 0/);
  });

  it('replaces the whole set: removed keys disappear, changed ones change', async () => {
    await replacePlans(ch.client, db, [{ ...solo, monthlyPriceUsd: 25 }, summarise]);
    expect(await readPlans(ch.client, db)).toEqual([{ ...solo, monthlyPriceUsd: 25 }, summarise]);
    await ch.client.command({ query: `OPTIMIZE TABLE ${db}.plans FINAL` });
    expect(await readPlans(ch.client, db)).toEqual([{ ...solo, monthlyPriceUsd: 25 }, summarise]);
  });

  it('takes an empty replacement as no plans', async () => {
    await replacePlans(ch.client, db, []);
    expect(await readPlans(ch.client, db)).toEqual([]);
    await replacePlans(ch.client, db, [team]);
    expect(await readPlans(ch.client, db)).toEqual([team]);
  });

  it('rejects invalid rows before writing, naming the field', async () => {
    await expect(replacePlans(ch.client, db, [team, { ...team }])).rejects.toThrow(/"1.key": expected one row per kind and key, "tier:team" repeats/);
    await expect(replacePlans(ch.client, db, [{ ...solo, monthlyPriceUsd: -1 }])).rejects.toThrow(ClickHouseConfigError);
    await expect(replacePlans(ch.client, db, [{ ...solo, action: 'panic' as PlanRow['action'] }])).rejects.toThrow(/"0.action"/);
    expect(await readPlans(ch.client, db)).toEqual([team]);
  });
});
