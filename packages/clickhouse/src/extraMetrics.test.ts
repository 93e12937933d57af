import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from './metrics.js';
import { replacePlans } from './plans.js';
import type { PlanRow } from './plans.js';
import { bindWindow } from './queries/window.js';
import { TestChdb, insertSpans, spanRow } from './test-support/chdb.js';

const TO = new Date('2026-11-22T12:00:00Z');
const WINDOW = { from: new Date('2026-11-01T00:00:00Z'), to: TO };
const at = (iso: string) => new Date(iso);

function plan(kind: PlanRow['kind'], key: string, fields: Partial<PlanRow>): PlanRow {
  return { kind, key, tier: '', monthlyPriceUsd: null, monthlyBudgetUsd: null, action: null, targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null, targetAiCogsPct: null, ...fields };
}

let db: TestChdb;
let database: string;

async function rows(name: keyof typeof METRICS): Promise<Record<string, unknown>[]> {
  const { ctx, params } = bindWindow(database, WINDOW);
  return db.rows(METRICS[name].sql(ctx), params);
}

beforeAll(async () => {
  db = new TestChdb();
  database = await db.database();
  await replacePlans(db.client, database, [
    plan('tier', 'solo', { monthlyPriceUsd: 19, monthlyBudgetUsd: 8, action: 'warn', targetMarginPct: 70 }),
    plan('tier', 'free', { monthlyPriceUsd: 0, monthlyBudgetUsd: 1, action: 'block' }),
    plan('user', 'vip', { monthlyBudgetUsd: 50 }),
  ]);
  const s = (iso: string, fields: Parameters<typeof spanRow>[0] extends infer T ? Omit<T, 'at'> : never) => spanRow({ at: at(iso), Feature: 'chat', ...fields });
  await insertSpans(db.client, database, [
    s('2026-10-31T12:00:00Z', { UserId: 'u1', Tier: 'solo', CostUsd: 100 }), // last month: not in the budget
    s('2026-11-10T12:00:00Z', { UserId: 'u1', Tier: 'solo', CostUsd: 2 }),
    s('2026-11-22T10:00:00Z', { UserId: 'u1', Tier: 'solo', CostUsd: 7 }),
    s('2026-11-15T14:00:00Z', { UserId: 'u2', Tier: 'solo', CostUsd: 6.5 }),
    s('2026-11-15T14:00:00Z', { UserId: 'vip', Tier: 'solo', CostUsd: 20 }),
    s('2026-11-21T11:30:00Z', { UserId: 'f1', Tier: 'free', CostUsd: 0.5 }),
    // The hour before TO: $3; the same hour of the previous days: $3.50 over 7 days, so 0.5 a day.
    s('2026-11-21T11:10:00Z', { UserId: 'f1', Tier: 'free', CostUsd: 1 }),
    s('2026-11-20T11:20:00Z', { UserId: 'f1', Tier: 'free', CostUsd: 2 }),
    s('2026-11-22T11:15:00Z', { UserId: 'f1', Tier: 'free', CostUsd: 3 }),
    ...Array.from({ length: 20 }, (_, i) => s('2026-11-05T09:00:00Z', { UserId: 'f2', Tier: 'free', SessionId: `s${i}`, CostUsd: 0.1 })),
    s('2026-11-05T09:00:00Z', { UserId: 'f2', Tier: 'free', SessionId: 'big', CostUsd: 2 }),
  ]);
});

afterAll(async () => {
  await db.close();
});

describe('budget metrics', () => {
  it('uses this month only, and a user override beats the tier budget', async () => {
    const byUser = Object.fromEntries((await rows('budgetUsage')).map((r) => [r.userId, Number(r.budgetUsedPct)]));
    expect(byUser.u1).toBeCloseTo(112.5, 9);
    expect(byUser.u2).toBeCloseTo(81.25, 9);
    expect(byUser.vip).toBeCloseTo(40, 9);
  });

  it('lists users past the 80 % soft cap and at or over the budget, which is the hard cap here', async () => {
    const near = await rows('usersNearBudget');
    expect(near.map((r) => [r.userId, r.status])).toEqual([
      ['f1', 'exceeded'],
      ['f2', 'exceeded'],
      ['u1', 'exceeded'],
      ['u2', 'warning'],
    ]);
    expect((await rows('userBudgetOver')).map((r) => r.user)).toEqual(['f1', 'f2', 'u1']);
    expect((await rows('userBudgetWarning')).map((r) => r.user)).toEqual(['u2']);
  });

  it('projects month-end cost as cost so far × days in month / days elapsed', async () => {
    const solo = (await rows('monthEndProjection')).find((r) => r.tier === 'solo')!;
    expect(Number(solo.monthToDateUsd)).toBeCloseTo(35.5, 9);
    expect(Number(solo.daysElapsed)).toBeCloseTo(21.5, 9);
    expect(Number(solo.projectedCostUsd)).toBeCloseTo((35.5 * 30) / 21.5, 9);
  });
});

describe('alert metrics', () => {
  it('compares the last hour with the same hour over the previous 7 days', async () => {
    const [row] = await rows('spendVsBaseline');
    expect(Number(row!.spendVsBaseline)).toBeCloseTo(6, 9);
  });

  it('finds a session above 5× its tier P95', async () => {
    const outliers = await rows('sessionOutliers');
    expect(outliers.map((r) => r.sessionId)).toEqual(['big']);
    expect(await rows('sessionOutlierByTier')).toEqual([{ tier: 'free', multipleOfTierP95: 20 }]);
  });

  it('reports the margin against the tier target', async () => {
    const [solo] = await rows('marginVsTarget');
    const revenue = (3 * 19 * 21.5) / 30;
    expect(solo!.tier).toBe('solo');
    expect(Number(solo!.marginVsTargetPct)).toBeCloseTo((100 * (revenue - 35.5)) / revenue - 70, 9);
  });
});

describe('trend metrics', () => {
  it('run, and the overall margin adds the tiers up', async () => {
    const [overall] = await rows('overallMargin');
    const tiers = await rows('tierMargin');
    expect(Number(overall!.costUsd)).toBeCloseTo(tiers.reduce((a, r) => a + Number(r.costUsd), 0), 9);
    for (const name of ['marginTrend', 'unprofitableUsers', 'tierCostDistribution', 'cacheReadShare'] as const) {
      expect((await rows(name)).length).toBeGreaterThan(0);
    }
  });
});
