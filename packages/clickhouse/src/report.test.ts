import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planRow, replacePlans } from './plans.js';
import type { PlanRow } from './plans.js';
import {
  costSkew,
  reportByAccount,
  reportByFeature,
  reportByModel,
  reportBySession,
  reportByTier,
  reportByUser,
  unpricedSpans,
} from './report.js';
import type { TierRow } from './report.js';
import { TestChdb, insertSpans, spanRow } from './test-support/chdb.js';
import type { SpanRow } from './tables.js';

const WINDOW = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-31T00:00:00Z') }; // D = 30
const day = (d: number, hour = 12) => new Date(Date.UTC(2026, 0, d, hour));

const plan = (kind: PlanRow['kind'], key: string, fields: Partial<PlanRow>): PlanRow => planRow({ kind, key, ...fields });

const PLANS: PlanRow[] = [
  plan('tier', 'pro', { tier: 'pro', monthlyPriceUsd: 20 }),
  plan('tier', 'solo', { tier: 'solo', monthlyPriceUsd: 19, monthlyBudgetUsd: 5, action: 'warn' }),
  plan('tier', 'team', { tier: 'team', monthlyPriceUsd: 49 }),
  plan('tier', 'free', { tier: 'free', monthlyPriceUsd: 0, action: 'block' }),
  plan('user', 'vip', { tier: 'team', monthlyPriceUsd: 99 }),
  plan('feature', 'summarise', { featureRevenuePerUserUsd: 50 }),
];

/**
 * The hand-computed dataset, 30 days:
 * - pro ($20): 5,000 users costing 0.80 / 1.20 / 1.60 / 2.00 / 2.40 in turn = $8,000, 3 unpriced calls, a wrapper;
 * - solo ($19): solo-1 costs $4.50 in two calls;
 * - team ($49): t1..t4 cost $1, t5 $10, vip ($99 override) $3, mover $2 (two $0.50 calls on solo,
 *   then $1 on team: counted in team); account-level cost of acme $7 (team) and globex $2 (no tier
 *   on its spans; its latest span is vip's, on team);
 * - free ($0): f1, f2 cost $1.50 each in summarise ($50/user/month), plus $0.10 with no user or account.
 */
function dataset(): SpanRow[] {
  const rows: SpanRow[] = [];
  for (let i = 0; i < 5000; i++) {
    const userId = `p${String(i).padStart(4, '0')}`;
    const cost = [0.8, 1.2, 1.6, 2.0, 2.4][i % 5]!;
    rows.push(spanRow({ at: day(2 + (i % 25)), UserId: userId, Tier: 'pro', Feature: 'chat', CostUsd: cost, InputTokens: 1000, OutputTokens: 100, CacheReadTokens: 200 }));
  }
  for (let i = 0; i < 3; i++) {
    rows.push(spanRow({ at: day(3), UserId: 'p0000', Tier: 'pro', Feature: 'chat', Model: 'mystery', Provider: 'acme-ai', Priced: false, CostUsd: 0, UnpricedReason: 'unknown_model', PriceId: '' }));
  }
  rows.push(spanRow({ at: day(3), UserId: 'p0001', Tier: 'pro', Feature: 'chat', SpanRole: 'wrapper', Operation: 'invoke_agent', Priced: false, CostUsd: 0, InputTokens: 5000, PriceId: '' }));
  rows.push(spanRow({ at: day(10), UserId: 'solo-1', Tier: 'solo', Feature: 'chat', CostUsd: 3 }));
  rows.push(spanRow({ at: day(20), UserId: 'solo-1', Tier: 'solo', Feature: 'chat', CostUsd: 1.5 }));
  for (const [userId, cost] of [['t1', 1], ['t2', 1], ['t3', 1], ['t4', 1], ['t5', 10]] as const) {
    rows.push(spanRow({ at: day(12), UserId: userId, TenantId: userId === 't1' ? 'acme' : '', Tier: 'team', Feature: 'chat', CostUsd: cost }));
  }
  rows.push(spanRow({ at: day(25), UserId: 'vip', TenantId: 'globex', Tier: 'team', Feature: 'chat', CostUsd: 3 }));
  rows.push(spanRow({ at: day(4), UserId: 'mover', Tier: 'solo', Feature: 'chat', CostUsd: 0.5 }));
  rows.push(spanRow({ at: day(5), UserId: 'mover', Tier: 'solo', Feature: 'chat', CostUsd: 0.5 }));
  rows.push(spanRow({ at: day(15), UserId: 'mover', Tier: 'team', Feature: 'chat', CostUsd: 1 }));
  rows.push(spanRow({ at: day(11), TenantId: 'acme', Tier: 'team', Feature: 'sync', CostUsd: 4 }));
  rows.push(spanRow({ at: day(13), TenantId: 'acme', Tier: 'team', Feature: 'sync', CostUsd: 3 }));
  rows.push(spanRow({ at: day(5), TenantId: 'globex', Tier: '', Feature: 'sync', CostUsd: 2 }));
  rows.push(spanRow({ at: day(6), UserId: 'f1', Tier: 'free', Feature: 'summarise', CostUsd: 0.75 }));
  rows.push(spanRow({ at: day(7), UserId: 'f1', Tier: 'free', Feature: 'summarise', CostUsd: 0.75 }));
  rows.push(spanRow({ at: day(8), UserId: 'f2', Tier: 'free', Feature: 'summarise', CostUsd: 1.5 }));
  rows.push(spanRow({ at: day(9), Tier: 'free', Feature: 'chat', CostUsd: 0.1 }));
  // Outside the window: must not count.
  rows.push(spanRow({ at: new Date('2025-12-31T23:59:59.999Z'), UserId: 'solo-1', Tier: 'solo', Feature: 'chat', CostUsd: 100 }));
  rows.push(spanRow({ at: WINDOW.to, UserId: 'solo-1', Tier: 'solo', Feature: 'chat', CostUsd: 100 }));
  return rows;
}

let ch: TestChdb;
let db: string;
let tiers: Map<string, TierRow>;

beforeAll(async () => {
  ch = new TestChdb();
  db = await ch.database();
  await insertSpans(ch.client, db, dataset());
  await replacePlans(ch.client, db, PLANS);
  tiers = new Map((await reportByTier(ch.client, db, WINDOW)).map((r) => [r.tier, r]));
});
afterAll(async () => {
  await ch.close();
});

describe('reportByTier', () => {
  it('5,000 active users costing $8,000 in 30 days cost $1.60 per user', () => {
    expect(tiers.get('pro')).toEqual({
      tier: 'pro',
      activeUsers: 5000,
      revenueUsd: 100_000,
      costUsd: 8000,
      grossMarginUsd: 92_000,
      grossMarginPct: 92,
      costPerUserUsd: 1.6,
      aiCogsPct: 8,
      monthlyBudgetUsd: null,
      avgBudgetUsedPct: null,
    });
  });

  it('a $19 Solo user costing $4.50 leaves a $14.50 margin', () => {
    const solo = tiers.get('solo')!;
    expect(solo).toMatchObject({ activeUsers: 1, revenueUsd: 19, costUsd: 4.5, grossMarginUsd: 14.5, costPerUserUsd: 4.5 });
    expect(solo.grossMarginPct).toBeCloseTo((14.5 / 19) * 100, 12);
  });

  it("shows the users' average cost as a share of the tier's monthly budget: solo users average 90 % of their $5", () => {
    expect(tiers.get('solo')).toMatchObject({ monthlyBudgetUsd: 5, avgBudgetUsedPct: 90 });
  });

  it('counts a user who changed tier in the tier of their latest span, with account-level cost and price overrides', () => {
    // t1..t5, vip, mover: 6 × $49 + vip's $99; users' $19 plus acme's $7 and globex's $2.
    const team = tiers.get('team')!;
    expect(team).toMatchObject({ activeUsers: 7, revenueUsd: 6 * 49 + 99, costUsd: 28, grossMarginUsd: 393 - 28 });
    expect(team.costPerUserUsd).toBeCloseTo(4, 12);
  });

  it('shows a free tier with revenue 0: margin % and AI COGS % are null, cost is a subsidy', () => {
    expect(tiers.get('free')).toEqual({
      tier: 'free',
      activeUsers: 2,
      revenueUsd: 0,
      costUsd: 3.1,
      grossMarginUsd: -3.1,
      grossMarginPct: null,
      costPerUserUsd: 1.55,
      aiCogsPct: null,
      monthlyBudgetUsd: null,
      avgBudgetUsedPct: null,
    });
  });

  it('prorates revenue by D / 30 and takes the tier of the latest span in that window', async () => {
    const week = new Map(
      (await reportByTier(ch.client, db, { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-01-08T00:00:00Z') })).map((r) => [r.tier, r]),
    );
    // mover is still on solo in the first week; solo-1's spans come later.
    expect(week.get('solo')).toMatchObject({ activeUsers: 1, costUsd: 1, costPerUserUsd: 1 });
    expect(week.get('solo')!.revenueUsd).toBeCloseTo((19 * 7) / 30, 12);
    // $1 against the $5 budget prorated to 7 days.
    expect(week.get('solo')!.avgBudgetUsedPct).toBeCloseTo((100 * 1) / ((5 * 7) / 30), 12);
    expect(week.has('team')).toBe(false);
    // globex's account-level span has no tier and no later span of globex falls in the week.
    expect(week.get('')).toEqual({
      tier: '',
      activeUsers: 0,
      revenueUsd: 0,
      costUsd: 2,
      grossMarginUsd: -2,
      grossMarginPct: null,
      costPerUserUsd: null,
      aiCogsPct: null,
      monthlyBudgetUsd: null,
      avgBudgetUsedPct: null,
    });
    expect(week.get('pro')!.revenueUsd).toBeCloseTo(week.get('pro')!.activeUsers * 20 * (7 / 30), 9);
  });
});

describe('reportByUser', () => {
  it('orders users by cost and computes revenue, margin and the multiple of the tier median', async () => {
    const users = await reportByUser(ch.client, db, { ...WINDOW, limit: 3 });
    expect(users).toEqual([
      { userId: 't5', tier: 'team', costUsd: 10, calls: 1, revenueUsd: 49, grossMarginUsd: 39, multipleOfTierMedian: 10 },
      { userId: 'solo-1', tier: 'solo', costUsd: 4.5, calls: 2, revenueUsd: 19, grossMarginUsd: 14.5, multipleOfTierMedian: 1 },
      { userId: 'vip', tier: 'team', costUsd: 3, calls: 1, revenueUsd: 99, grossMarginUsd: 96, multipleOfTierMedian: 3 },
    ]);
  });

  it('puts the tier changer in the tier of their latest span', async () => {
    const mover = (await reportByUser(ch.client, db, { ...WINDOW, limit: 10_000 })).find((u) => u.userId === 'mover');
    expect(mover).toEqual({ userId: 'mover', tier: 'team', costUsd: 2, calls: 3, revenueUsd: 49, grossMarginUsd: 47, multipleOfTierMedian: 2 });
  });

  it('marks power users at ≥ 3× their tier median (team median $1: t5 and vip)', async () => {
    const users = await reportByUser(ch.client, db, { ...WINDOW, limit: 10_000 });
    expect(users).toHaveLength(5000 + 1 + 7 + 2);
    expect(users.filter((u) => (u.multipleOfTierMedian ?? 0) >= 3).map((u) => u.userId)).toEqual(['t5', 'vip']);
    const pro = users.filter((u) => u.tier === 'pro');
    expect(pro.find((u) => u.costUsd === 2.4)!.multipleOfTierMedian).toBeCloseTo(1.5, 12);
  });
});

describe('reportByFeature', () => {
  it('a feature earning $50/user/month that costs $1.50/user has a 3 % CTR', async () => {
    const features = await reportByFeature(ch.client, db, WINDOW);
    expect(features.find((f) => f.feature === 'summarise')).toEqual({
      feature: 'summarise',
      calls: 3,
      activeUsers: 2,
      costUsd: 3,
      avgCostPerCallUsd: 1,
      costPerUserUsd: 1.5,
      ctrPct: 3,
    });
  });

  it('has no CTR without feature revenue and no per-user cost for account-level features', async () => {
    const features = await reportByFeature(ch.client, db, WINDOW);
    expect(features.find((f) => f.feature === 'sync')).toEqual({
      feature: 'sync',
      calls: 3,
      activeUsers: 0,
      costUsd: 9,
      avgCostPerCallUsd: 3,
      costPerUserUsd: null,
      ctrPct: null,
    });
    const chat = features.find((f) => f.feature === 'chat')!;
    expect(chat.calls).toBe(5000 + 3 + 2 + 5 + 1 + 3 + 1);
    expect(chat.ctrPct).toBeNull();
  });
});

describe('reportByModel and unpricedSpans', () => {
  it('sums usage per model, never counting wrappers, and counts unpriced calls', async () => {
    const models = await reportByModel(ch.client, db, WINDOW);
    expect(models).toHaveLength(2);
    expect(models[0]).toMatchObject({ provider: 'openai', model: 'gpt-test', costUsd: 8000 + 4.5 + 28 + 3.1, unpricedCalls: 0 });
    expect(models[0]!.inputTokens).toBe(5000 * 1000 + 100 * (2 + 5 + 1 + 3 + 3 + 4));
    expect(models[0]!.cacheReadTokens).toBe(5000 * 200);
    expect(models[1]).toEqual({ provider: 'acme-ai', model: 'mystery', calls: 3, inputTokens: 300, outputTokens: 30, cacheReadTokens: 0, costUsd: 0, unpricedCalls: 3 });
  });

  it('lists unpriced spans per model and reason', async () => {
    expect(await unpricedSpans(ch.client, db, WINDOW)).toEqual([{ model: 'mystery', provider: 'acme-ai', reason: 'unknown_model', spans: 3 }]);
  });
});

describe('reportByAccount', () => {
  it("shows account-level cost per account in the tier of the account's latest span", async () => {
    expect(await reportByAccount(ch.client, db, WINDOW)).toEqual([
      { tenantId: 'acme', tier: 'team', costUsd: 7, calls: 2 },
      { tenantId: 'globex', tier: 'team', costUsd: 2, calls: 1 },
    ]);
  });
});

describe('costSkew and reportBySession', () => {
  let skewDb: string;
  beforeAll(async () => {
    skewDb = await ch.database();
    const rows: SpanRow[] = [];
    // 20 users costing $1..$20, total $210.
    for (let i = 1; i <= 20; i++) rows.push(spanRow({ at: day(2), UserId: `u${i}`, Tier: 'solo', Feature: 'chat', CostUsd: i }));
    // Sessions: chat/solo costing 1..5 ($5 one starts on free), summarise/team costing 10 and 20.
    const session = (id: string, tier: string, feature: string, costs: number[], firstDay = 3) =>
      costs.forEach((c, i) => rows.push(spanRow({ at: day(firstDay + i), UserId: 'u1', SessionId: id, Tier: tier, Feature: feature, CostUsd: c })));
    session('s1', 'solo', 'chat', [0.5, 0.5]);
    session('s2', 'solo', 'chat', [2]);
    session('s3', 'solo', 'chat', [1, 1, 1]);
    session('s4', 'solo', 'chat', [4]);
    session('s5', 'free', 'chat', [2]);
    session('s5', 'solo', 'chat', [3], 10);
    session('s6', 'team', 'summarise', [10]);
    session('s7', 'team', 'summarise', [5, 15]);
    await insertSpans(ch.client, skewDb, rows);
  });

  it('gives the share of cost from the top 5 / 10 / 20 % of users (top k = ceil(n × p))', async () => {
    const skew = await costSkew(ch.client, skewDb, WINDOW);
    expect(skew.users).toBe(20);
    // u1 also carries the session spans: 1 + 1 + 2 + 3 + 4 + 5 + 10 + 20 = 46.
    const total = 210 - 1 + 46;
    expect(skew.top5PctShare).toBeCloseTo(46 / total, 12);
    expect(skew.top10PctShare).toBeCloseTo((46 + 20) / total, 12);
    expect(skew.top20PctShare).toBeCloseTo((46 + 20 + 19 + 18) / total, 12);
  });

  it('gives exact session cost percentiles per feature and the tier of the latest span', async () => {
    const sessions = await reportBySession(ch.client, skewDb, WINDOW);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ feature: 'chat', tier: 'solo', sessions: 5, p50Usd: 3 });
    expect(sessions[0]!.p95Usd).toBeCloseTo(4.8, 12);
    expect(sessions[0]!.p99Usd).toBeCloseTo(4.96, 12);
    expect(sessions[1]).toMatchObject({ feature: 'summarise', tier: 'team', sessions: 2, p50Usd: 15 });
    expect(sessions[1]!.p95Usd).toBeCloseTo(19.5, 12);
    expect(sessions[1]!.p99Usd).toBeCloseTo(19.9, 12);
  });

  it('returns no skew for a window without users', async () => {
    const empty = { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-01-02T00:00:00Z') };
    expect(await costSkew(ch.client, skewDb, empty)).toEqual({ users: 0, top5PctShare: null, top10PctShare: null, top20PctShare: null });
  });
});
