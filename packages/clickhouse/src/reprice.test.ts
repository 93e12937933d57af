import { PriceCatalog, priceUsage } from '@genai-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from './metrics.js';
import { bindWindow } from './queries/window.js';
import { reportByModel, reportByTier, runMetric } from './report.js';
import { dimensionsOfPriceId, reprice } from './reprice.js';
import { TestChdb, insertSpans, spanRow } from './test-support/chdb.js';
import type { SpanRow } from './tables.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 10, 1);
const window = { from: new Date(START), to: new Date(START + 6 * DAY) };

/** Today's catalog before and after a price is added for `acme-chat` and `gpt-test` is corrected. */
const OLD = PriceCatalog.empty().withPrices([
  { provider: 'openai', model: 'gpt-test', input: 1, output: 2 },
  { provider: 'openai', model: 'gpt-flex', input: 1, output: 1, serviceTiers: { flex: { multiplier: 0.5 } } },
]);
const NEW = OLD.withPrices([
  { provider: 'openai', model: 'gpt-test', input: 1.5, output: 3 },
  { provider: 'acme', model: 'acme-chat', input: 10, output: 20 },
]);

function costOf(catalog: PriceCatalog, row: SpanRow, serviceTier?: string): { cost: number; id: string } {
  const p = priceUsage(catalog, { model: row.Model, provider: row.Provider, at: Number(row.Timestamp) * 1000, serviceTier, usage: { inputTokens: row.InputTokens, outputTokens: row.OutputTokens } })!;
  return { cost: p.cost.totalUsd, id: p.priceId };
}

/** 600 spans over 6 days, tiers and users, priced with OLD the way the processor stores them. */
function spans(): SpanRow[] {
  const rows: SpanRow[] = [];
  for (let i = 0; i < 600; i++) {
    const base = {
      at: new Date(START + ((i * 997) % 6) * DAY + ((i * 7919) % DAY)),
      UserId: `u${i % 40}`,
      SessionId: `s${i % 90}`,
      Tier: ['free', 'solo', 'team'][i % 3]!,
      Feature: ['chat', 'search'][i % 2]!,
      InputTokens: 1000 + ((i * 31) % 5000),
      OutputTokens: 100 + ((i * 17) % 900),
    };
    if (i % 5 === 0) {
      rows.push(spanRow({ ...base, Provider: 'acme', Model: 'acme-chat', Priced: false, UnpricedReason: 'unknown_model', PriceId: '', CostUsd: 0 }));
    } else if (i % 7 === 0) {
      // A cost another tool put on the span: reprice leaves it alone.
      rows.push(spanRow({ ...base, Model: 'gpt-test', CostUsd: 0.5, PriceId: 'span' }));
    } else {
      const row = spanRow({ ...base, Model: i % 11 === 0 ? 'gpt-flex' : 'gpt-test' });
      const tier = row.Model === 'gpt-flex' ? 'flex' : undefined;
      const { cost, id } = costOf(OLD, row, tier);
      rows.push({ ...row, CostUsd: cost, PriceId: id });
    }
  }
  return rows;
}

let ch: TestChdb;
let db: string;
let rows: SpanRow[];

beforeAll(async () => {
  ch = new TestChdb();
  db = await ch.database();
  rows = spans();
  // Several inserts, so the rollups hold several parts.
  for (let i = 0; i < rows.length; i += 150) await insertSpans(ch.client, db, rows.slice(i, i + 150));
});
afterAll(async () => {
  await ch.close();
});

/** What every span should cost now, computed afresh from the rows as inserted. */
function expectedTotal(catalog: PriceCatalog): number {
  let total = 0;
  for (const r of rows) {
    if (r.PriceId === 'span') total += r.CostUsd;
    else total += costOf(catalog, r, r.Model === 'gpt-flex' ? 'flex' : undefined).cost;
  }
  return Math.round(total * 1e10) / 1e10;
}

async function totals() {
  const [spansTotal] = await ch.rows<{ usd: number; unpriced: string }>(
    `SELECT toFloat64(sumIf(CostUsd, Priced)) AS usd, countIf(NOT Priced) AS unpriced FROM ${db}.genai_spans WHERE SpanRole = 'inference'`,
  );
  const [userDaily] = await ch.rows<{ usd: number; unpriced: string }>(`SELECT toFloat64(sum(CostUsd)) AS usd, sum(UnpricedCalls) AS unpriced FROM ${db}.genai_user_daily`);
  const [sessionDaily] = await ch.rows<{ usd: number }>(`SELECT toFloat64(sum(CostUsd)) AS usd FROM ${db}.genai_session_daily`);
  const report = await reportByTier(ch.client, db, window);
  const { ctx, params } = bindWindow(db, window);
  const sessions = await runMetric<{ sessions: string }>(ch.client, METRICS.sessionCost, ctx, params, []);
  return {
    spans: spansTotal!.usd,
    unpriced: Number(spansTotal!.unpriced),
    userDaily: userDaily!.usd,
    rollupUnpriced: Number(userDaily!.unpriced),
    sessionDaily: sessionDaily!.usd,
    report: Math.round(report.reduce((s, r) => s + r.costUsd, 0) * 1e10) / 1e10,
    sessionRows: sessions.length,
  };
}

describe('reprice on chDB', () => {
  it('changes nothing while the catalog has no new price', async () => {
    const result = await reprice(ch.client, OLD, { database: db, ...window });
    expect(result).toMatchObject({ newlyPriced: 0, changed: 0, stillUnpriced: 120, rebuiltDays: [] });
  });

  it('reports what it would change without writing on a dry run', async () => {
    const before = await totals();
    const result = await reprice(ch.client, NEW, { database: db, ...window, onlyUnpriced: true, dryRun: true });
    expect(result.newlyPriced).toBe(120);
    expect(await totals()).toEqual(before);
  });

  it('prices the unpriced spans once a price is added, in the table, the rollups and the reports', async () => {
    const result = await reprice(ch.client, NEW, { database: db, ...window, onlyUnpriced: true });
    expect(result).toMatchObject({ examined: 120, newlyPriced: 120, changed: 0, stillUnpriced: 0 });
    expect(result.rebuiltDays).toHaveLength(6);
    // Only the unknown model is newly priced: gpt-test keeps its old price with --only-unpriced.
    const acme = (await reportByModel(ch.client, db, window)).find((m) => m.model === 'acme-chat')!;
    expect(acme.unpricedCalls).toBe(0);
    const t = await totals();
    expect(t.unpriced).toBe(0);
    expect(t.rollupUnpriced).toBe(0);
    expect(t.userDaily).toBe(t.spans);
    expect(t.sessionDaily).toBe(t.spans);
    expect(t.report).toBe(t.spans);
  });

  it('applies a corrected price so that spans, rollups and every report equal a fresh recomputation', async () => {
    const result = await reprice(ch.client, NEW, { database: db, ...window });
    expect(result.changed).toBeGreaterThan(300);
    expect(result.newlyPriced).toBe(0);
    const expected = expectedTotal(NEW);
    const t = await totals();
    expect(t.spans).toBe(expected);
    expect(t.userDaily).toBe(expected);
    expect(t.sessionDaily).toBe(expected);
    expect(t.report).toBe(expected);
    expect(t.sessionRows).toBeGreaterThan(0);
    const sum = (k: 'beforeUsd' | 'afterUsd') => Math.round(result.tiers.reduce((s, x) => s + x[k], 0) * 1e10) / 1e10;
    expect(sum('afterUsd')).toBe(expected);
    expect(sum('afterUsd')).toBeGreaterThan(sum('beforeUsd'));
  });

  it('keeps the service tier a span was priced with and leaves costs from other tools alone', async () => {
    const flex = await ch.rows<{ PriceId: string }>(`SELECT DISTINCT PriceId FROM ${db}.genai_spans WHERE Model = 'gpt-flex'`);
    expect(flex.map((r) => r.PriceId)).toEqual(['openai/gpt-flex@1970-01-01+flex']);
    const other = await ch.rows<{ c: number }>(`SELECT DISTINCT toFloat64(CostUsd) AS c FROM ${db}.genai_spans WHERE PriceId = 'span'`);
    expect(other).toEqual([{ c: 0.5 }]);
  });

  it('changes nothing when run again', async () => {
    const before = await totals();
    const result = await reprice(ch.client, NEW, { database: db, ...window });
    expect(result).toMatchObject({ newlyPriced: 0, changed: 0, rebuiltDays: [] });
    expect(await totals()).toEqual(before);
  });

  it('rebuilds a day whose rollup no longer equals its spans', async () => {
    // A rollup row counted twice, as a concurrent insert during a rebuild could leave it.
    await ch.client.command({ query: `INSERT INTO ${db}.genai_user_daily SELECT * FROM ${db}.genai_user_daily WHERE Day = '2026-11-03' LIMIT 1` });
    const result = await reprice(ch.client, NEW, { database: db, ...window });
    expect(result.rebuiltDays).toEqual(['2026-11-03']);
    const t = await totals();
    expect(t.userDaily).toBe(t.spans);
  });
});

describe('dimensionsOfPriceId', () => {
  it.each([
    ['openai/gpt-5@2025-08-07+flex', { serviceTier: 'flex' }],
    ['anthropic/claude-opus-4-6@2026-02-05+batch+us', { serviceTier: 'batch', region: 'us' }],
    ['bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0@1970-01-01+geo+ctx>200k', {}],
    ['deepseek/deepseek-v4-pro@2026-08-16T16:00:00Z+peak', {}],
  ])('%s → %j', (id, expected) => {
    expect(dimensionsOfPriceId(id)).toEqual(expected);
  });
});
