import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { replacePlans } from '@genai-cost/clickhouse';
import type { PlanRow, SpanRow } from '@genai-cost/clickhouse';
import { insertSpans, spanRow } from '../packages/clickhouse/src/test-support/chdb.js';
import { evaluateRule } from './support/grafanaAlertEval.js';
import type { AlertInstance, ProvisionedRule } from './support/grafanaAlertEval.js';
import { expandGrafanaQuery } from './support/grafanaMacros.js';
import { GrafanaChdb, inDatabase } from './support/grafanaChdb.js';

const FILE = join(import.meta.dirname, '../grafana/provisioning/alerting/genai-cost-rules.yaml');
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ago = (ms: number) => new Date(NOW - ms);

const rules = (parse(readFileSync(FILE, 'utf8')) as { groups: { rules: ProvisionedRule[] }[] }).groups.flatMap((g) => g.rules);

function plan(kind: PlanRow['kind'], key: string, fields: Partial<PlanRow>): PlanRow {
  return { kind, key, tier: '', monthlyPriceUsd: null, monthlyBudgetUsd: null, action: null, targetMarginPct: null, degradeModel: null, featureRevenuePerUserUsd: null, targetAiCogsPct: null, ...fields };
}

const PLANS = [
  plan('tier', 'solo', { monthlyPriceUsd: 19, monthlyBudgetUsd: 8, action: 'warn', targetMarginPct: 70 }),
  plan('tier', 'free', { monthlyPriceUsd: 0 }),
  plan('feature', 'chat', { featureRevenuePerUserUsd: 8 }),
];

const span = (at: Date, fields: Partial<SpanRow>) => spanRow({ at, Feature: 'code', ...fields });
const users = (n: number, prefix: string, fields: Partial<SpanRow>, at: Date) => Array.from({ length: n }, (_, i) => span(at, { UserId: `${prefix}${i}`, ...fields }));
const sessions = (n: number, cost: number, at: Date) => Array.from({ length: n }, (_, i) => span(at, { UserId: 'sess-user', Tier: 'free', SessionId: `s${i}`, CostUsd: cost }));
/** $perDay in the hour before NOW on each of the 7 previous days, and $lastHour in the hour before NOW. */
const hourly = (perDay: number, lastHour: number) => [
  ...Array.from({ length: 7 }, (_, k) => span(ago((k + 1) * DAY + HOUR / 2), { UserId: 'spiky', Tier: 'free', CostUsd: perDay })),
  span(ago(HOUR / 2), { UserId: 'spiky', Tier: 'free', CostUsd: lastHour }),
];

/**
 * Each scenario keeps its spans where other rules do not see them: margin users spend last month
 * (inside 30 days, outside this month's budgets), sessions 5 h ago (outside the spike's hour).
 */
const HEALTHY: SpanRow[] = [
  ...users(10, 'm', { Tier: 'solo', CostUsd: 0.5 }, new Date(Date.UTC(2026, 9, 28))),
  span(new Date(Date.UTC(2026, 10, 15, 14)), { UserId: 'b-ok', Tier: 'solo', CostUsd: 2 }),
  ...users(10, 'c', { Tier: 'free', Feature: 'chat', CostUsd: 0.5 }, new Date(Date.UTC(2026, 10, 10))),
  ...hourly(1, 1),
  span(ago(2 * HOUR), { UserId: 'u', Tier: 'free', Model: 'mystery', Priced: false, UnpricedReason: 'unknown_model', PriceId: '' }),
  ...sessions(30, 0.1, ago(5 * HOUR)),
];

const BREACHED: SpanRow[] = [
  ...users(10, 'm', { Tier: 'solo', CostUsd: 10 }, new Date(Date.UTC(2026, 9, 28))),
  span(new Date(Date.UTC(2026, 10, 15, 14)), { UserId: 'b80', Tier: 'solo', CostUsd: 7 }),
  span(new Date(Date.UTC(2026, 10, 15, 14)), { UserId: 'b100', Tier: 'solo', CostUsd: 9 }),
  ...users(3, 'c', { Tier: 'free', Feature: 'chat', CostUsd: 4 }, new Date(Date.UTC(2026, 10, 10))),
  ...hourly(1, 5),
  span(ago(HOUR / 6), { UserId: 'u', Tier: 'free', Model: 'mystery', Provider: 'acme-ai', Priced: false, UnpricedReason: 'unknown_model', PriceId: '' }),
  ...sessions(30, 0.1, ago(5 * HOUR)),
  span(ago(5 * HOUR), { UserId: 'sess-user', Tier: 'free', SessionId: 'big', CostUsd: 2 }),
];

/** The instances each rule must fire on the breached dataset, by the labels that identify them. */
const EXPECTED: Record<string, Record<string, string>[]> = {
  'genai-cost-margin-below-target': [{ tier: 'solo' }],
  'genai-cost-budget-80': [{ tier: 'solo', user: 'b80' }],
  'genai-cost-budget-exceeded': [{ tier: 'solo', user: 'b100' }],
  'genai-cost-spend-spike': [{}],
  'genai-cost-feature-ctr': [{ feature: 'chat' }],
  'genai-cost-unpriced-spans': [{ model: 'mystery', provider: 'acme-ai' }],
  'genai-cost-session-outlier': [{ tier: 'free' }],
};

let ch: GrafanaChdb;
let healthy: string;
let breached: string;

beforeAll(async () => {
  ch = new GrafanaChdb();
  for (const [name, rows] of [['healthy', HEALTHY], ['breached', BREACHED]] as const) {
    const db = await ch.migrated(`alerts_${name}`);
    await replacePlans(ch.client, db, PLANS);
    await insertSpans(ch.client, db, rows);
  }
  healthy = 'alerts_healthy';
  breached = 'alerts_breached';
});

afterAll(async () => {
  await ch.close();
});

async function evaluate(rule: ProvisionedRule, database: string): Promise<AlertInstance[]> {
  const query = rule.data.find((d) => d.datasourceUid !== '__expr__')!;
  const range = query.relativeTimeRange!;
  const sql = expandGrafanaQuery(query.model.rawSql!, { from: ago(range.from * 1000), to: ago(range.to * 1000) });
  return evaluateRule(rule, await ch.typed(inDatabase(sql, database)));
}

describe('alert rules on chDB', () => {
  it('covers every rule', () => {
    expect(rules.map((r) => r.uid).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(rules.map((r) => [r.title, r] as const))('%s fires on a breach', async (_title, rule) => {
    const firing = (await evaluate(rule, breached)).filter((i) => i.firing);
    expect(firing.map((i) => pick(i.labels, EXPECTED[rule.uid]![0]!))).toEqual(EXPECTED[rule.uid]);
  });

  it.each(rules.map((r) => [r.title, r] as const))('%s stays quiet on a healthy dataset', async (_title, rule) => {
    expect((await evaluate(rule, healthy)).filter((i) => i.firing)).toEqual([]);
  });
});

function pick(labels: Record<string, string>, like: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(like).map((k) => [k, labels[k]!]));
}
