import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COST_PER_USER_CLIMB_PCT, METRICS, grafanaMetricContext, planRow, replacePlans } from '@genai-cost/clickhouse';
import type { MetricName, SpanRow } from '@genai-cost/clickhouse';
import { insertSpans, spanRow } from '../packages/clickhouse/src/test-support/chdb.js';
import { tableToSeries, thresholdHolds } from './support/grafanaAlertEval.js';
import { expandGrafanaQuery } from './support/grafanaMacros.js';
import { GRAFANA_DATABASE, GrafanaChdb, inDatabase } from './support/grafanaChdb.js';

/**
 * The alert queries of the AI COGS target and the cost-per-user climb, run as a Grafana rule would
 * run them (the plugin's macros expanded, String columns as labels, one numeric value) on a
 * breaching and a healthy dataset. Sunday 22 November 2026, noon: the last whole week is the one of
 * Monday 9 November, four weeks before it the one of Monday 12 October.
 */
const NOW = Date.UTC(2026, 10, 22, 12);
const RANGE = { from: new Date(NOW - 30 * 86_400_000), to: new Date(NOW) };
const at = (iso: string) => new Date(iso);

const PLANS = [
  planRow({ kind: 'tier', key: 'solo', tier: 'solo', monthlyPriceUsd: 20, targetAiCogsPct: 10 }),
  planRow({ kind: 'tier', key: 'team', tier: 'team', monthlyPriceUsd: 50 }),
  planRow({ kind: 'tier', key: 'free', tier: 'free', monthlyPriceUsd: 0 }),
];

const spend = (iso: string, tier: string, costs: number[]): SpanRow[] =>
  costs.map((cost, i) => spanRow({ at: at(iso), UserId: `${tier}-${i}`, Tier: tier, CostUsd: cost }));

/**
 * AI COGS, 30 days: solo ($20, target 10 %) 2 users × $2.50 = 12.5 %, 2.5 over; team ($50,
 * default 8 %) $3 = 6 %; free has no revenue, so no AI COGS %. Cost per active user (pro and max,
 * tiers without a price): pro from $1 to $1.50 (+50 %), max from $2 to $2.20 (+10 %); the current
 * week's $100 is not a whole week yet.
 */
const BREACHED: SpanRow[] = [
  ...spend('2026-11-10T12:00:00Z', 'solo', [2.5, 2.5]),
  ...spend('2026-11-10T12:00:00Z', 'team', [3]),
  ...spend('2026-11-10T12:00:00Z', 'free', [10]),
  ...spend('2026-10-14T12:00:00Z', 'pro', [1, 1]),
  ...spend('2026-11-11T12:00:00Z', 'pro', [1.5, 1.5]),
  ...spend('2026-11-17T12:00:00Z', 'pro', [100]),
  ...spend('2026-10-18T23:59:00Z', 'max', [2]),
  ...spend('2026-11-09T00:00:00Z', 'max', [2.2]),
];

/** solo 7.5 % (2.5 under), team $3.90 = 7.8 %; pro +20 %, max −50 %. */
const HEALTHY: SpanRow[] = [
  ...spend('2026-11-10T12:00:00Z', 'solo', [1.5, 1.5]),
  ...spend('2026-11-10T12:00:00Z', 'team', [3.9]),
  ...spend('2026-11-10T12:00:00Z', 'free', [10]),
  ...spend('2026-10-14T12:00:00Z', 'pro', [1, 1]),
  ...spend('2026-11-11T12:00:00Z', 'pro', [1.2, 1.2]),
  ...spend('2026-10-18T23:59:00Z', 'max', [2]),
  ...spend('2026-11-09T00:00:00Z', 'max', [1]),
];

let ch: GrafanaChdb;

beforeAll(async () => {
  ch = new GrafanaChdb();
  for (const [name, rows] of [['targets_breached', BREACHED], ['targets_healthy', HEALTHY]] as const) {
    await ch.migrated(name);
    await replacePlans(ch.client, name, PLANS);
    await insertSpans(ch.client, name, rows);
  }
});
afterAll(async () => {
  await ch.close();
});

async function series(metric: MetricName, database: string) {
  const sql = expandGrafanaQuery(METRICS[metric].sql(grafanaMetricContext(GRAFANA_DATABASE)), RANGE);
  return tableToSeries(await ch.typed(inDatabase(sql, database)));
}

const firing = (rows: { labels: Record<string, string>; value: number }[], threshold: number) => rows.filter((s) => thresholdHolds('gt', [threshold], s.value));

describe('AI COGS over target (aiCogsVsTarget > 0)', () => {
  it('fires for the tier over its target, by how much', async () => {
    const rows = await series('aiCogsVsTarget', 'targets_breached');
    expect(rows.map((r) => r.labels.tier)).toEqual(['solo', 'team']);
    expect(rows[0]!.value).toBeCloseTo(2.5, 9);
    expect(rows[1]!.value).toBeCloseTo(6 - 8, 9);
    expect(firing(rows, 0).map((r) => r.labels)).toEqual([{ tier: 'solo' }]);
  });

  it('stays quiet when every tier is under its target', async () => {
    const rows = await series('aiCogsVsTarget', 'targets_healthy');
    expect(rows.map((r) => r.value)).toEqual([expect.closeTo(-2.5, 9), expect.closeTo(7.8 - 8, 9)]);
    expect(firing(rows, 0)).toEqual([]);
  });
});

describe(`cost per active user climbing more than ${COST_PER_USER_CLIMB_PCT} % in four weeks (costPerUserClimb)`, () => {
  it('fires for the tier whose cost per user climbed past the threshold', async () => {
    const rows = await series('costPerUserClimb', 'targets_breached');
    expect(rows.map((r) => r.labels.tier)).toEqual(['max', 'pro']);
    expect(rows[0]!.value).toBeCloseTo(10, 9);
    expect(rows[1]!.value).toBeCloseTo(50, 9);
    expect(firing(rows, COST_PER_USER_CLIMB_PCT).map((r) => r.labels)).toEqual([{ tier: 'pro' }]);
  });

  it('stays quiet under the threshold', async () => {
    const rows = await series('costPerUserClimb', 'targets_healthy');
    expect(rows.map((r) => r.value)).toEqual([expect.closeTo(-50, 9), expect.closeTo(20, 9)]);
    expect(firing(rows, COST_PER_USER_CLIMB_PCT)).toEqual([]);
  });
});
