import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseConfigError } from './errors.js';
import { readUsers, replaceUsers } from './importedUsers.js';
import type { ImportedUser } from './importedUsers.js';
import { METRICS } from './metrics.js';
import { planRow, replacePlans } from './plans.js';
import { bindWindow } from './queries/window.js';
import { reportByCohort, reportByTier, reportByUser } from './report.js';
import { TestChdb, insertSpans, spanRow } from './test-support/chdb.js';

const WINDOW = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-31T00:00:00Z') }; // D = 30
const day = (d: number) => new Date(Date.UTC(2026, 0, d, 12));
const user = (userId: string, tier: string, signupDate: string, monthlyPriceUsd: number | null = null): ImportedUser => ({ userId, tier, signupDate, monthlyPriceUsd });

let ch: TestChdb;
beforeAll(() => {
  ch = new TestChdb();
});
afterAll(async () => {
  await ch.close();
});

describe('replaceUsers', () => {
  let db: string;
  beforeAll(async () => {
    db = await ch.database();
  });

  it('stores the users and reads them back', async () => {
    const users = [user('a', 'solo', '2025-11-03', 15), user('b', 'team', '2025-12-01')];
    expect(await replaceUsers(ch.client, db, users)).toEqual({ previous: 0 });
    expect(await readUsers(ch.client, db)).toEqual(users);
  });

  it('replaces the whole set: a user missing from the new import is gone, and older imports are dropped', async () => {
    expect(await replaceUsers(ch.client, db, [user('b', 'solo', '2025-12-01', 9)])).toEqual({ previous: 2 });
    expect(await readUsers(ch.client, db)).toEqual([user('b', 'solo', '2025-12-01', 9)]);
    expect(await ch.rows(`SELECT UserId FROM ${db}.users WHERE UserId != ''`)).toEqual([{ UserId: 'b' }]);
  });

  it('never shows an import whose commit row was not written', async () => {
    await ch.client.insert({
      table: `${db}.users`,
      values: [{ Version: Date.now() + 60_000, UserId: 'half-way', Tier: 'team', SignupDate: '2026-01-01', MonthlyPriceUsd: null }],
      format: 'JSONEachRow',
    });
    expect(await readUsers(ch.client, db)).toEqual([user('b', 'solo', '2025-12-01', 9)]);
    await replaceUsers(ch.client, db, [user('c', 'team', '2026-01-02')]);
    expect(await readUsers(ch.client, db)).toEqual([user('c', 'team', '2026-01-02')]);
    expect(await ch.rows(`SELECT UserId FROM ${db}.users WHERE UserId != ''`)).toEqual([{ UserId: 'c' }]);
  });

  it('rejects invalid users before writing, naming the row and field', async () => {
    await expect(replaceUsers(ch.client, db, [user('x', 'solo', '2026-02-30')])).rejects.toThrow(/"0.signupDate": expected a calendar date as YYYY-MM-DD/);
    await expect(replaceUsers(ch.client, db, [user('x', 'solo', '2026-01-01', -5)])).rejects.toThrow(ClickHouseConfigError);
    await expect(replaceUsers(ch.client, db, [user('x', 'solo', '2026-01-01'), user('x', 'team', '2026-01-01')])).rejects.toThrow(/"1.userId": expected one row per user, "x" repeats/);
    expect(await readUsers(ch.client, db)).toEqual([user('c', 'team', '2026-01-02')]);
  });
});

/**
 * Plans: solo $19 (budget $5), team $49, free $0; the plan file gives carol $29. Spans, 30 days:
 * alice $3 on free, imported as team (tier's price); bob $4.50 on solo, imported as solo at $15;
 * carol $2 on solo, imported without a price (so the plan file's $29); dave $1 on team and erin
 * $4.50 on solo, not imported; frank imported at $99 without spans (not active: no revenue).
 */
describe('users imported from billing in the metrics', () => {
  let db: string;
  beforeAll(async () => {
    db = await ch.database();
    await replacePlans(ch.client, db, [
      planRow({ kind: 'tier', key: 'solo', tier: 'solo', monthlyPriceUsd: 19, monthlyBudgetUsd: 5, action: 'warn' }),
      planRow({ kind: 'tier', key: 'team', tier: 'team', monthlyPriceUsd: 49 }),
      planRow({ kind: 'tier', key: 'free', tier: 'free', monthlyPriceUsd: 0 }),
      planRow({ kind: 'user', key: 'carol', monthlyPriceUsd: 29 }),
    ]);
    await insertSpans(ch.client, db, [
      spanRow({ at: day(3), UserId: 'alice', Tier: 'free', CostUsd: 3 }),
      spanRow({ at: day(4), UserId: 'bob', Tier: 'solo', CostUsd: 4.5 }),
      spanRow({ at: day(5), UserId: 'carol', Tier: 'solo', CostUsd: 2 }),
      spanRow({ at: day(6), UserId: 'dave', Tier: 'team', CostUsd: 1 }),
      spanRow({ at: day(7), UserId: 'erin', Tier: 'solo', CostUsd: 3 }),
      spanRow({ at: day(8), UserId: 'erin', Tier: 'solo', CostUsd: 1.5 }),
    ]);
    await replaceUsers(ch.client, db, [
      user('alice', 'team', '2025-06-01'),
      user('bob', 'solo', '2025-07-01', 15),
      user('carol', 'solo', '2025-08-01'),
      user('frank', 'team', '2025-09-01', 99),
    ]);
  });

  it('takes the tier and price from the import where the user is in it, and the old rules elsewhere', async () => {
    const tiers = await reportByTier(ch.client, db, WINDOW);
    expect(tiers.map((t) => t.tier)).toEqual(['team', 'solo']);
    // team: alice ($49, cost $3) and dave ($49, $1).
    expect(tiers[0]).toMatchObject({ activeUsers: 2, revenueUsd: 98, costUsd: 4, grossMarginUsd: 94 });
    // solo: bob $15, carol $29, erin $19; cost 4.5 + 2 + 4.5; average user cost 11 / 3 of the $5 budget.
    expect(tiers[1]).toMatchObject({ activeUsers: 3, revenueUsd: 63, costUsd: 11, grossMarginUsd: 52, monthlyBudgetUsd: 5 });
    expect(tiers[1]!.avgBudgetUsedPct).toBeCloseTo((100 * 11) / 3 / 5, 12);
  });

  it('shows each user with the tier and revenue the import gives, and a Solo user who costs $4.50 still leaves $14.50', async () => {
    const users = new Map((await reportByUser(ch.client, db, WINDOW)).map((u) => [u.userId, u]));
    expect(users.get('alice')).toMatchObject({ tier: 'team', costUsd: 3, revenueUsd: 49, grossMarginUsd: 46 });
    expect(users.get('bob')).toMatchObject({ tier: 'solo', costUsd: 4.5, revenueUsd: 15, grossMarginUsd: 10.5 });
    expect(users.get('carol')).toMatchObject({ tier: 'solo', revenueUsd: 29, grossMarginUsd: 27 });
    expect(users.get('erin')).toMatchObject({ tier: 'solo', costUsd: 4.5, revenueUsd: 19, grossMarginUsd: 14.5 });
    expect(users.has('frank')).toBe(false);
  });

  it("measures budgets against the imported tier's", async () => {
    const { ctx, params } = bindWindow(db, { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-20T00:00:00Z') });
    const budgets = await ch.rows<{ userId: string; tier: string; budgetUsedPct: number }>(METRICS.budgetUsage.sql(ctx), params);
    // alice is on team now, which has no budget; bob's $4.50 is 90 % of solo's $5.
    expect(budgets.map((b) => [b.userId, b.tier, b.budgetUsedPct])).toEqual([
      ['bob', 'solo', 90],
      ['erin', 'solo', 90],
      ['carol', 'solo', 40],
    ]);
  });

  it('falls back to the spans when a re-import leaves a user out', async () => {
    await replaceUsers(ch.client, db, [user('bob', 'solo', '2025-07-01', 15)]);
    const tiers = new Map((await reportByTier(ch.client, db, WINDOW)).map((t) => [t.tier, t]));
    expect(tiers.get('free')).toMatchObject({ activeUsers: 1, revenueUsd: 0, costUsd: 3 });
    expect(tiers.get('team')).toMatchObject({ activeUsers: 1, revenueUsd: 49, costUsd: 1 });
    expect(tiers.get('solo')).toMatchObject({ activeUsers: 3, revenueUsd: 15 + 29 + 19, costUsd: 11 });
  });
});

/**
 * Imported: a1, a2, a3 on solo ($19) signed up in 2025-11; b1 (at $39) and b2 on team ($49) in
 * 2025-12; b3 on solo in 2025-12. Active in January: a1 $1, a2 $3, b1 $10, b2 $2, and z1 ($5 on
 * solo, not imported). a3 and b3 have no spans.
 */
describe('reportByCohort', () => {
  let db: string;
  beforeAll(async () => {
    db = await ch.database();
    await replacePlans(ch.client, db, [
      planRow({ kind: 'tier', key: 'solo', tier: 'solo', monthlyPriceUsd: 19 }),
      planRow({ kind: 'tier', key: 'team', tier: 'team', monthlyPriceUsd: 49 }),
    ]);
    await replaceUsers(ch.client, db, [
      user('a1', 'solo', '2025-11-03'),
      user('a2', 'solo', '2025-11-20'),
      user('a3', 'solo', '2025-11-30'),
      user('b1', 'team', '2025-12-01', 39),
      user('b2', 'team', '2025-12-15'),
      user('b3', 'solo', '2025-12-31'),
    ]);
    const spent = [['a1', 1], ['a2', 3], ['b1', 6], ['b1', 4], ['b2', 2], ['z1', 5]] as const;
    await insertSpans(ch.client, db, spent.map(([userId, cost], i) => spanRow({ at: day(2 + i), UserId: userId, Tier: 'solo', CostUsd: cost })));
  });

  it('gives users, cost percentiles and margin per signup month and tier', async () => {
    expect(await reportByCohort(ch.client, db, WINDOW)).toEqual([
      // Median of $1 and $3 is $2; P95 = 1 + 0.95 × (3 − 1).
      { signupMonth: '2025-11', tier: 'solo', users: 3, activeUsers: 2, revenueUsd: 38, costUsd: 4, medianCostPerUserUsd: 2, p95CostPerUserUsd: 2.9, grossMarginUsd: 34, grossMarginPct: (100 * 34) / 38 },
      { signupMonth: '2025-12', tier: 'solo', users: 1, activeUsers: 0, revenueUsd: 0, costUsd: 0, medianCostPerUserUsd: null, p95CostPerUserUsd: null, grossMarginUsd: 0, grossMarginPct: null },
      // b1 $10 at $39, b2 $2 at $49: median $6, P95 = 2 + 0.95 × 8.
      { signupMonth: '2025-12', tier: 'team', users: 2, activeUsers: 2, revenueUsd: 88, costUsd: 12, medianCostPerUserUsd: 6, p95CostPerUserUsd: 9.6, grossMarginUsd: 76, grossMarginPct: (100 * 76) / 88 },
      { signupMonth: null, tier: 'solo', users: null, activeUsers: 1, revenueUsd: 19, costUsd: 5, medianCostPerUserUsd: 5, p95CostPerUserUsd: 5, grossMarginUsd: 14, grossMarginPct: (100 * 14) / 19 },
    ]);
  });
});
