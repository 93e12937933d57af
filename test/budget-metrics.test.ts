import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetGuard } from '@genai-cost/budget';
import { ClickHouseBudgetEventSink, ClickHousePlanSource, ClickHouseSpendSource, METRICS, bindWindow, planRow, replacePlans } from '@genai-cost/clickhouse';
import type { BudgetEventRecord, SpanRow } from '@genai-cost/clickhouse';
import { TestChdb, insertSpans, spanRow } from '../packages/clickhouse/src/test-support/chdb.js';

/**
 * The budgets dashboard and alerts read the same state the budget guard acts on: a user's soft cap
 * is their tier's (or their own) warnAtPct, default 80 %; the hard cap its blockAtPct, default
 * 100 %; and a spend of exactly the cap has reached it. One plan and one month of spend in chDB;
 * the guard reads both from there (ClickHousePlanSource, ClickHouseSpendSource), the metrics too.
 */
const NOW = Date.UTC(2026, 10, 22, 12);
const WINDOW = { from: new Date(Date.UTC(2026, 10, 1)), to: new Date(NOW) };
const at = new Date(Date.UTC(2026, 10, 10, 12));

const PLANS = [
  planRow({ kind: 'tier', key: 'solo', monthlyPriceUsd: 19, monthlyBudgetUsd: 8, action: 'warn' }),
  planRow({ kind: 'tier', key: 'pro', monthlyPriceUsd: 49, monthlyBudgetUsd: 20, action: 'block', warnAtPct: 75, blockAtPct: 150 }),
  planRow({ kind: 'tier', key: 'odd', monthlyPriceUsd: 5, monthlyBudgetUsd: 0.57, action: 'block' }),
  planRow({ kind: 'user', key: 'vip', monthlyBudgetUsd: 50 }),
  planRow({ kind: 'feature', key: 'summarizer', monthlyBudgetUsd: 100, action: 'block' }),
  planRow({ kind: 'feature', key: 'search', monthlyBudgetUsd: 10, action: 'warn', warnAtPct: 50, blockAtPct: 120 }),
  planRow({ kind: 'tenant', key: 'acme', monthlyBudgetUsd: 200, action: 'degrade', degradeModel: 'small-model', blockAtPct: 150 }),
  planRow({ kind: 'tenant', key: 'globex', monthlyBudgetUsd: 1000, action: 'block' }),
];

const spend = (UserId: string, Tier: string, CostUsd: number, more: Partial<SpanRow> = {}) => spanRow({ at, UserId, Tier, CostUsd, Feature: 'chat', ...more });

const SPANS: SpanRow[] = [
  spend('s1', 'solo', 6.4), // 80 %: at the soft cap
  spend('s2', 'solo', 6.39), // 79.875 %
  spanRow({ at: new Date(Date.UTC(2026, 9, 31, 12)), UserId: 's2', Tier: 'solo', CostUsd: 100 }), // last month
  spend('s3', 'solo', 8), // 100 %: the hard cap
  spend('vip', 'solo', 45), // 90 % of their own $50
  spend('p1', 'pro', 15), // 75 %: pro's soft cap
  spend('p2', 'pro', 20), // 100 %, below pro's 150 % hard cap
  spend('p3', 'pro', 30), // 150 %
  spend('p4', 'pro', 14.99),
  spend('o1', 'odd', 0.57), // 100 %, where 100 × 0.57 / 0.57 is 99.99999999999999 in floating point
  spend('n1', 'none', 50, { Feature: 'summarizer' }),
  spend('', 'team', 35, { Feature: 'summarizer', TenantId: 'acme' }), // account-level work of acme
  spend('n2', 'none', 6, { Feature: 'search' }),
  spend('n3', 'team', 270, { TenantId: 'acme' }),
  spend('n4', 'none', 100, { TenantId: 'globex' }),
];

/** Users: budget used %, the metric's status and the guard's state (`over budget` is still a warning to the guard). */
const USERS: Record<string, [number, string, string]> = {
  s1: [80, 'warning', 'warning'],
  s2: [79.875, 'ok', 'ok'],
  s3: [100, 'exceeded', 'exceeded'],
  vip: [90, 'warning', 'warning'],
  p1: [75, 'warning', 'warning'],
  p2: [100, 'over budget', 'warning'],
  p3: [150, 'exceeded', 'exceeded'],
  p4: [74.95, 'ok', 'ok'],
  o1: [100, 'exceeded', 'exceeded'],
};

/** Features and tenants: spend, budget used %, the metric's status and the guard's state. */
const SHARED: Record<string, [number, number, string, string]> = {
  'feature summarizer': [85, 85, 'warning', 'warning'],
  'feature search': [6, 60, 'warning', 'warning'],
  'tenant acme': [305, 152.5, 'exceeded', 'exceeded'],
  'tenant globex': [100, 10, 'ok', 'ok'],
};

let ch: TestChdb;
let db: string;
let guard: BudgetGuard;

beforeAll(async () => {
  ch = new TestChdb();
  db = await ch.database();
  await replacePlans(ch.client, db, PLANS);
  await insertSpans(ch.client, db, SPANS);
  guard = new BudgetGuard({
    planSource: new ClickHousePlanSource({ client: ch.client, database: db }),
    spendSource: new ClickHouseSpendSource({ client: ch.client, database: db, now: () => NOW }),
    now: () => NOW,
  });
  await guard.start();
});

afterAll(async () => {
  await guard.stop();
  await ch.close();
});

/** Integer columns as numbers, whether the JSON output quotes 64-bit integers or not. */
const numbers = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]));

async function rows(metric: keyof typeof METRICS): Promise<Record<string, unknown>[]> {
  const { ctx, params } = bindWindow(db, WINDOW);
  return ch.rows(METRICS[metric].sql(ctx), params);
}

describe('budget metrics and the budget guard agree', () => {
  it('per user: soft caps per tier, the hard cap, and exactly 100 %', async () => {
    const byUser = new Map((await rows('budgetUsage')).map((r) => [r.userId as string, r]));
    for (const [user, [pct, status, state]] of Object.entries(USERS)) {
      const row = byUser.get(user)!;
      expect(Number(row.budgetUsedPct), user).toBeCloseTo(pct, 9);
      expect(row.status, user).toBe(status);
      expect(guard.check({ userId: user, tier: row.tier as string }).state, user).toBe(state);
    }
    const near = await rows('usersNearBudget');
    expect(near.map((r) => r.userId).sort()).toEqual(Object.keys(USERS).filter((u) => USERS[u]![1] !== 'ok').sort());
    expect(near.find((r) => r.userId === 'p1')).toMatchObject({ softCapPct: 75, hardCapPct: 150 });
  });

  it('per feature and tenant: the spend of every call naming it, against its caps', async () => {
    const shared = await rows('sharedBudgetUsage');
    expect(shared.map((r) => `${r.budget} ${r.name}`).sort()).toEqual(Object.keys(SHARED).sort());
    for (const r of shared) {
      const [usd, pct, status, state] = SHARED[`${r.budget} ${r.name}`]!;
      expect(Number(r.monthToDateUsd)).toBeCloseTo(usd, 9);
      expect(Number(r.budgetUsedPct)).toBeCloseTo(pct, 9);
      expect(r.status).toBe(status);
      const subject = r.budget === 'feature' ? { feature: r.name as string } : { tenantId: r.name as string };
      expect(guard.check({ userId: 'nobody', tier: 'none', ...subject }).state, `${r.budget} ${r.name}`).toBe(state);
    }
    expect(shared.find((r) => r.name === 'acme')).toMatchObject({ tier: 'team', action: 'degrade', hardCapPct: 150 });
  });

  it('counts the decisions by the budget that made them, and the loops by tier and tool', async () => {
    const sink = new ClickHouseBudgetEventSink({ client: ch.client, database: db });
    const event = (fields: Partial<BudgetEventRecord>): BudgetEventRecord => ({
      timeMs: at.getTime(), userId: 'u', tier: 'free', sessionId: undefined, state: 'exceeded', action: 'block', scope: 'user', spentUsd: 1, limitUsd: 1, ...fields,
    });
    const loop = (sessionId: string, tier: string, toolName: string, toolCalls: number, action: BudgetEventRecord['action']) =>
      event({ sessionId, tier, toolName, toolCalls, action, state: 'loop', scope: 'session' });
    for (const e of [
      loop('sA', 'free', 'search', 3, 'block'),
      loop('sA', 'free', 'search', 3, 'block'),
      loop('sB', 'free', 'search', 4, 'block'),
      loop('sC', 'pro', 'fetch', 3, 'dry-run'),
      event({}),
      event({ scope: 'feature', feature: 'summarizer', state: 'warning', action: 'allow' }),
      event({ scope: 'tenant', tenantId: 'acme', action: 'degrade' }),
    ]) {
      sink.record(e);
    }
    await sink.shutdown();
    expect((await rows('loopsStopped')).map(numbers)).toEqual([
      { tier: 'free', toolName: 'search', sessions: 2, decisions: 3, blocks: 3, maxToolCalls: 4 },
      { tier: 'pro', toolName: 'fetch', sessions: 1, decisions: 1, blocks: 0, maxToolCalls: 3 },
    ]);
    expect((await rows('loopSessionsByTool')).map(numbers)).toEqual([
      { tier: 'free', tool: 'search', sessions: 2 },
      { tier: 'pro', tool: 'fetch', sessions: 1 },
    ]);
    const byScope = Object.fromEntries((await rows('budgetDecisionsByScope')).map(({ budget, ...counts }) => [budget, numbers(counts)]));
    expect(byScope).toEqual({
      session: { blocks: 3, warnings: 0, degrades: 0, dryRunWouldBlock: 0, loops: 4, decisions: 4 },
      user: { blocks: 1, warnings: 0, degrades: 0, dryRunWouldBlock: 0, loops: 0, decisions: 1 },
      feature: { blocks: 0, warnings: 1, degrades: 0, dryRunWouldBlock: 0, loops: 0, decisions: 1 },
      tenant: { blocks: 0, warnings: 0, degrades: 1, dryRunWouldBlock: 0, loops: 0, decisions: 1 },
    });
  });
});
