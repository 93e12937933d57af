import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ClickHouseBudgetEventSink, replacePlans } from '@genai-cost/clickhouse';
import type { BudgetEventRecord, PlanRow, SpanRow } from '@genai-cost/clickhouse';
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
  plan('tier', 'solo', { monthlyPriceUsd: 19, monthlyBudgetUsd: 8, action: 'warn', targetMarginPct: 70, warnAtPct: 75 }),
  plan('tier', 'free', { monthlyPriceUsd: 0 }),
  plan('feature', 'chat', { featureRevenuePerUserUsd: 8 }),
  plan('feature', 'summarizer', { monthlyBudgetUsd: 100, action: 'block' }),
  plan('feature', 'search', { monthlyBudgetUsd: 10, action: 'warn', warnAtPct: 50, blockAtPct: 120 }),
  plan('tenant', 'acme', { monthlyBudgetUsd: 200, action: 'degrade', degradeModel: 'small-model', blockAtPct: 150 }),
  plan('tenant', 'globex', { monthlyBudgetUsd: 1000, action: 'block' }),
];

const span = (at: Date, fields: Partial<SpanRow>) => spanRow({ at, Feature: 'code', ...fields });
const users = (n: number, prefix: string, fields: Partial<SpanRow>, at: Date) => Array.from({ length: n }, (_, i) => span(at, { UserId: `${prefix}${i}`, ...fields }));
const sessions = (n: number, cost: number, at: Date) => Array.from({ length: n }, (_, i) => span(at, { UserId: 'sess-user', Tier: 'free', SessionId: `s${i}`, CostUsd: cost }));
/** $perDay in the hour before NOW on each of the 7 previous days, and $lastHour in the hour before NOW. */
const hourly = (perDay: number, lastHour: number) => [
  ...Array.from({ length: 7 }, (_, k) => span(ago((k + 1) * DAY + HOUR / 2), { UserId: 'spiky', Tier: 'free', CostUsd: perDay })),
  span(ago(HOUR / 2), { UserId: 'spiky', Tier: 'free', CostUsd: lastHour }),
];

/** This month, 06:00: outside the spike's hour of any day. */
const NOV_12 = new Date(Date.UTC(2026, 10, 12, 6));
/** $each for `n` users of `tier` (one without a plan: no margin, AI COGS or user budget of its own) at `at`. */
const weekly = (tier: string, each: number, at: Date) => users(2, `${tier}-${at.getUTCDate()}-`, { Tier: tier, CostUsd: each }, at);
/** Feature and tenant spend this month, by users and accounts of tiers without a plan. */
const shared = (summarizer: number, search: number, acme: number, globex: number) => [
  span(NOV_12, { UserId: 'f-user', Tier: 'biz', Feature: 'summarizer', CostUsd: summarizer }),
  span(NOV_12, { UserId: 'f-user', Tier: 'biz', Feature: 'search', CostUsd: search }),
  span(NOV_12, { TenantId: 'acme', Tier: 'team', CostUsd: acme }),
  span(NOV_12, { UserId: 'g-user', TenantId: 'globex', Tier: 'biz', CostUsd: globex }),
];

/**
 * Each scenario keeps its spans where other rules do not see them: margin users spend last month
 * (inside 30 days, outside this month's budgets), sessions 5 h ago (outside the spike's hour), the
 * cost-per-user climb in the tier pro (whole weeks of 12 October and 9 November), feature and
 * tenant spend in tiers without plans.
 */
const HEALTHY: SpanRow[] = [
  ...users(10, 'm', { Tier: 'solo', CostUsd: 0.5 }, new Date(Date.UTC(2026, 9, 28))),
  span(new Date(Date.UTC(2026, 10, 15, 14)), { UserId: 'b-ok', Tier: 'solo', CostUsd: 2 }),
  ...users(10, 'c', { Tier: 'free', Feature: 'chat', CostUsd: 0.5 }, new Date(Date.UTC(2026, 10, 10))),
  ...hourly(1, 1),
  span(ago(2 * HOUR), { UserId: 'u', Tier: 'free', Model: 'mystery', Priced: false, UnpricedReason: 'unknown_model', PriceId: '' }),
  ...sessions(30, 0.1, ago(5 * HOUR)),
  // 74 %: under solo's 75 % soft cap.
  span(new Date(Date.UTC(2026, 10, 15, 14)), { UserId: 'b74', Tier: 'solo', CostUsd: 5.92 }),
  // Cost per active user +10 %.
  ...weekly('pro', 1, new Date(Date.UTC(2026, 9, 14, 6))),
  ...weekly('pro', 1.1, new Date(Date.UTC(2026, 10, 11, 6))),
  // summarizer 50 %, search 40 % (soft cap 50 %), acme 50 %, globex 10 %.
  ...shared(50, 4, 100, 100),
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
  // 76.25 %: past solo's 75 % soft cap, which the default 80 % would not be; exactly 100 %.
  span(new Date(Date.UTC(2026, 10, 15, 14)), { UserId: 'b76', Tier: 'solo', CostUsd: 6.1 }),
  span(new Date(Date.UTC(2026, 10, 15, 14)), { UserId: 'b-exact', Tier: 'solo', CostUsd: 8 }),
  // Cost per active user +50 %.
  ...weekly('pro', 1, new Date(Date.UTC(2026, 9, 14, 6))),
  ...weekly('pro', 1.5, new Date(Date.UTC(2026, 10, 11, 6))),
  // summarizer 85 % (soft cap), search 120 % (its hard cap), acme 152.5 % (hard cap 150 %), globex 85 %.
  ...shared(85, 12, 305, 850),
];

/** Loop decisions of the budget guard: two free sessions looping on search in the last hour, one older. */
const LOOPS = (recent: boolean): BudgetEventRecord[] =>
  [
    ...(recent ? [['s1', ago(HOUR / 3)] as const, ['s2', ago(HOUR / 4)] as const] : []),
    ['s3', ago(3 * HOUR)] as const,
  ].map(([sessionId, at]) => ({ timeMs: at.getTime(), userId: 'looper', tier: 'free', sessionId, state: 'loop', action: 'block', scope: 'session', spentUsd: 0.2, limitUsd: 0, toolName: 'search', toolCalls: 3 }));

/** The instances each rule must fire on the breached dataset, by the labels that identify them. */
const EXPECTED: Record<string, Record<string, string>[]> = {
  'genai-cost-margin-below-target': [{ tier: 'solo' }],
  'genai-cost-budget-soft-cap': [{ tier: 'solo', user: 'b76' }, { tier: 'solo', user: 'b80' }],
  'genai-cost-budget-exceeded': [{ tier: 'solo', user: 'b-exact' }, { tier: 'solo', user: 'b100' }],
  'genai-cost-ai-cogs-over-target': [{ tier: 'solo' }],
  'genai-cost-cost-per-user-climb': [{ tier: 'pro' }],
  'genai-cost-feature-budget-soft-cap': [{ feature: 'summarizer', action: 'block' }],
  'genai-cost-feature-budget-hard-cap': [{ feature: 'search', action: 'warn' }],
  'genai-cost-tenant-budget-soft-cap': [{ tenant: 'globex', tier: 'biz', action: 'block' }],
  'genai-cost-tenant-budget-hard-cap': [{ tenant: 'acme', tier: 'team', action: 'degrade' }],
  'genai-cost-agent-loops': [{ tier: 'free', tool: 'search' }],
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
    const sink = new ClickHouseBudgetEventSink({ client: ch.client, database: db });
    for (const event of LOOPS(name === 'breached')) sink.record(event);
    await sink.shutdown();
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
