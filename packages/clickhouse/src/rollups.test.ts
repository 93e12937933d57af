import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from './metrics.js';
import type { MetricDefinition } from './metrics.js';
import { replacePlans } from './plans.js';
import { bindWindow } from './queries/window.js';
import type { ReportWindow } from './queries/window.js';
import type { MetricSqlContext } from './queries/context.js';
import { reportByTier, runMetric } from './report.js';
import { TestChdb, insertSpans, spanRow } from './test-support/chdb.js';
import type { SpanRow } from './tables.js';
import { seededRandom } from './test-support/random.js';

const START = Date.UTC(2026, 2, 1);
const HOUR = 3_600_000;

/** 3,000 spans over 12 days: users that change tier, power users, sessions, accounts, unpriced calls and wrappers. */
function randomSpans(): SpanRow[] {
  const r = seededRandom(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const rows: SpanRow[] = [];
  for (let i = 0; i < 3000; i++) {
    const user = r() < 0.1 ? '' : `u${Math.floor(r() * 120)}`;
    const priced = r() > 0.05;
    rows.push(
      spanRow({
        at: new Date(START + Math.floor(r() * 12 * 24 * HOUR) + (i % 1000)),
        UserId: user,
        TenantId: r() < 0.3 ? pick(['t1', 't2', 't3']) : '',
        SessionId: r() < 0.7 ? `s${Math.floor(r() * 300)}` : '',
        Tier: pick(['free', 'solo', 'team', 'team']),
        Feature: pick(['chat', 'summarise', 'search']),
        ServiceName: pick(['api', 'worker']),
        Model: pick(['gpt-test', 'claude-test']),
        Provider: pick(['openai', 'anthropic']),
        SpanRole: r() < 0.05 ? 'wrapper' : 'inference',
        Priced: priced,
        // u3 and u5 are heavy users, so there are power users to compare.
        CostUsd: priced ? (Math.round(r() * 1e8) / 1e7) * (user === 'u3' || user === 'u5' ? 40 : 1) : 0,
        UnpricedReason: priced ? '' : 'unknown_model',
        InputTokens: Math.floor(r() * 5000),
        OutputTokens: Math.floor(r() * 1000),
        CacheReadTokens: Math.floor(r() * 500),
        // From the index, not the generator, so the other columns stay as they were.
        Tags: i % 3 === 0 ? {} : { region: ['eu', 'us'][i % 2]!, ...(i % 5 === 0 && { plan_variant: 'b' }) },
      }),
    );
  }
  return rows;
}

let ch: TestChdb;
let db: string;

beforeAll(async () => {
  ch = new TestChdb();
  db = await ch.database();
  const rows = randomSpans();
  // Several inserts, so the rollups hold unmerged parts with the same keys.
  for (let i = 0; i < rows.length; i += 700) await insertSpans(ch.client, db, rows.slice(i, i + 700));
  await replacePlans(ch.client, db, [
    { kind: 'tier', key: 'solo', tier: 'solo', monthlyPriceUsd: 19, monthlyBudgetUsd: 0.5, action: 'warn', targetMarginPct: 99, degradeModel: null, featureRevenuePerUserUsd: null, targetAiCogsPct: null },
    { kind: 'tier', key: 'team', tier: 'team', monthlyPriceUsd: 49, monthlyBudgetUsd: 0.5, action: 'warn', targetMarginPct: 99, degradeModel: null, featureRevenuePerUserUsd: null, targetAiCogsPct: null },
    { kind: 'user', key: 'u7', tier: '', monthlyPriceUsd: 99, monthlyBudgetUsd: null, action: null, targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null, targetAiCogsPct: null },
    { kind: 'feature', key: 'chat', tier: '', monthlyPriceUsd: null, monthlyBudgetUsd: null, action: null, targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: 5, targetAiCogsPct: null },
  ]);
});
afterAll(async () => {
  await ch.close();
});

const WINDOWS: Record<string, ReportWindow> = {
  'whole days': { from: new Date(START + 24 * HOUR), to: new Date(START + 10 * 24 * HOUR) },
  'partial first and last days': { from: new Date(START + 30 * HOUR + 17), to: new Date(START + 250 * HOUR + 5) },
  'filtered, partial days': { from: new Date(START + 5 * HOUR), to: new Date(START + 200 * HOUR), tier: 'team', feature: 'chat', serviceName: 'api' },
  'within one day': { from: new Date(START + 50 * HOUR), to: new Date(START + 60 * HOUR) },
};

async function both(metric: MetricDefinition, window: ReportWindow, tagFilter?: MetricSqlContext['tagFilter']) {
  const bound = bindWindow(db, window);
  const params = bound.params;
  const ctx: MetricSqlContext = { ...bound.ctx, tagKey: "'region'", tagFilter };
  const viaRollups = await runMetric<Record<string, unknown>>(ch.client, metric, ctx, params, []);
  const rawOnly = await runMetric<Record<string, unknown>>(ch.client, metric, { ...ctx, dayFilter: undefined }, params, []);
  return { viaRollups, rawOnly, usedRollups: ctx.dayFilter !== undefined };
}

/**
 * Metrics whose reading does not depend on the window's split (budget_events, raw spans by the
 * hour, or whole weeks before the window always from the rollups), and ones that only list
 * outliers, which random data may not have.
 */
const NOT_ON_ROLLUPS = new Set(['budgetDecisions', 'budgetDecisionsByScope', 'loopsStopped', 'loopSessionsByTool', 'spendVsBaseline', 'costPerUserClimb']);
/** A filter on region = eu, active, as Grafana's tag variables make it. */
const EU: NonNullable<MetricSqlContext['tagFilter']> = { spans: "Tags['region'] = 'eu'", rollup: "TagKey = 'region' AND TagValue = 'eu'", active: '1' };
const MAY_BE_EMPTY = new Set([
  'incompleteUsage',
  'sessionOutliers',
  'sessionOutlierByTier',
  'usersNearBudget',
  'userBudgetWarning',
  'userBudgetOver',
  'unprofitableUsers',
  // The plans here give features and tenants no budgets.
  'sharedBudgetUsage',
  'featureBudgetWarning',
  'featureBudgetExceeded',
  'tenantBudgetWarning',
  'tenantBudgetExceeded',
]);

describe('rollup-based metrics equal the raw-table computation', () => {
  const cases = Object.entries(METRICS).filter(([name]) => !NOT_ON_ROLLUPS.has(name)).flatMap(([name, metric]) => Object.entries(WINDOWS).map(([w, window]) => [name, w, metric, window] as const));

  it.each(cases)('%s over %s', async (name, _w, metric, window) => {
    const { viaRollups, rawOnly } = await both(metric, window);
    if (!MAY_BE_EMPTY.has(name)) expect(rawOnly.length).toBeGreaterThan(0);
    expect(viaRollups).toEqual(rawOnly);
  });

  it.each(Object.keys(METRICS).filter((name) => !NOT_ON_ROLLUPS.has(name)))('%s with an active tag filter: the tag rollup or raw spans, never an unfiltered rollup', async (name) => {
    const metric = METRICS[name as keyof typeof METRICS];
    const window = WINDOWS['partial first and last days']!;
    const { viaRollups, rawOnly } = await both(metric, window, EU);
    expect(viaRollups).toEqual(rawOnly);
    // Inactive, the filter changes nothing.
    expect((await both(metric, window, { ...EU, spans: '1', active: '0' })).viaRollups).toEqual((await both(metric, window)).viaRollups);
  });

  it('a tag filter keeps the cost of the spans with that value only', async () => {
    const window = WINDOWS['whole days']!;
    const cost = async (tagFilter?: MetricSqlContext['tagFilter']) => Number((await both(METRICS.overallMargin, window, tagFilter)).viaRollups[0]!.costUsd);
    const [eu, us, all] = [await cost(EU), await cost({ ...EU, spans: "Tags['region'] = 'us'", rollup: "TagKey = 'region' AND TagValue = 'us'" }), await cost()];
    expect(eu).toBeGreaterThan(0);
    expect(us).toBeGreaterThan(0);
    expect(eu + us).toBeLessThan(all);
  });

  it('reads the rollups for whole days only', () => {
    expect(bindWindow(db, WINDOWS['whole days']!).ctx.dayFilter).toBeDefined();
    expect(bindWindow(db, WINDOWS['within one day']!).ctx.dayFilter).toBeUndefined();
  });

  it('gives the same numbers after the rollups are merged', async () => {
    const before = await both(METRICS.tierMargin, WINDOWS['partial first and last days']!);
    await ch.client.command({ query: `OPTIMIZE TABLE ${db}.genai_user_daily FINAL` });
    await ch.client.command({ query: `OPTIMIZE TABLE ${db}.genai_session_daily FINAL` });
    const after = await both(METRICS.tierMargin, WINDOWS['partial first and last days']!);
    expect(after.viaRollups).toEqual(before.viaRollups);
  });
});

describe('tier margin against a direct SQL reading of the definition', () => {
  it('has the same cost and active users per tier', async () => {
    const window = WINDOWS['partial first and last days']!;
    const { params } = bindWindow(db, window);
    // Written straight from PRODUCT.md over raw spans, without the rollup aggregation.
    const direct = await ch.rows<{ tier: string; users: string; cost: number }>(
      `WITH w AS (SELECT * FROM ${db}.genai_spans
          WHERE Timestamp >= {from:DateTime64(3)} AND Timestamp < {to:DateTime64(3)} AND SpanRole = 'inference'),
        subjects AS (
          SELECT UserId != '' AS isUser, argMax(Tier, Timestamp) AS tier, sumIf(CostUsd, Priced) AS cost FROM w WHERE UserId != '' GROUP BY UserId, isUser
          UNION ALL
          SELECT 0, any(t.tier), sumIf(CostUsd, Priced) FROM w
            JOIN (SELECT TenantId, argMax(Tier, Timestamp) AS tier FROM w WHERE TenantId != '' GROUP BY TenantId) AS t USING TenantId
            WHERE UserId = '' GROUP BY TenantId
          UNION ALL
          SELECT 0, Tier, sumIf(CostUsd, Priced) FROM w WHERE UserId = '' AND TenantId = '' GROUP BY Tier)
      SELECT tier, sum(isUser) AS users, toFloat64(sum(cost)) AS cost FROM subjects GROUP BY tier ORDER BY tier`,
      params,
    );
    const report = await reportByTier(ch.client, db, window);
    expect(report.map((r) => ({ tier: r.tier, users: r.activeUsers, cost: r.costUsd })).sort((a, b) => a.tier.localeCompare(b.tier))).toEqual(
      direct.map((d) => ({ tier: d.tier, users: Number(d.users), cost: d.cost })),
    );
  });
});
