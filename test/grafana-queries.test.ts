import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportByTag, reportByTier, replacePlans } from '@genai-cost/clickhouse';
import { FIELDS } from '@genai-cost/grafana';
import { loadConfig } from '../packages/cli/src/config.js';
import { generateHistory } from '../packages/cli/src/demo/history.js';
import { DemoPipeline } from '../packages/cli/src/demo/pipeline.js';
import { planRows } from '../packages/cli/src/planRows.js';
import { loadDashboards } from './support/grafanaDashboards.js';
import { expandGrafanaQuery } from './support/grafanaMacros.js';
import type { MacroContext, VariableValue } from './support/grafanaMacros.js';
import { GRAFANA_DATABASE, GrafanaChdb, emptyDir } from './support/grafanaChdb.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DAYS = 10;
/** Whole seconds, so Grafana's second-precision macros and the report's window select the same spans. */
const RANGE = { from: new Date(NOW - DAYS * 86_400_000), to: new Date(NOW) };
const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal)/;

const dashboards = loadDashboards();
const panels = dashboards.flatMap((d) => d.panels.map((p) => [p.name, p] as const));
/** Panels that run their query on ClickHouse (the others read one of these). */
const sources = panels.filter(([, p]) => p.source === p.panel);
const variables = dashboards.flatMap((d) => d.json.templating.list.filter((v) => v.type === 'query').map((v) => [`${d.json.uid} / $${v.name}`, v.query!] as const));
const rawSql = (p: (typeof panels)[number][1]) => p.source.targets[0]!.rawSql!;

let ch: GrafanaChdb;
const allValues: Record<string, string[]> = {};

const ALL: MacroContext = {
  ...RANGE,
  variables: { tier: { all: true }, feature: { all: true }, model: { all: true }, service: { all: true }, tag_key: { value: 'region' }, tag_value: { all: true } },
};

beforeAll(async () => {
  ch = new GrafanaChdb();
  await ch.migrated(GRAFANA_DATABASE);
  const config = loadConfig(undefined, { cwd: emptyDir() });
  await replacePlans(ch.client, GRAFANA_DATABASE, planRows(config));
  // The demo's generator and its real OpenTelemetry pipeline, at a small size.
  const history = generateHistory({ users: 40, days: DAYS, seed: 11, nowMs: NOW });
  const pipeline = new DemoPipeline({ client: ch.client, database: GRAFANA_DATABASE, catalog: config.catalog, maxQueueSize: history.spanCount });
  try {
    for (const session of history.sessions) await pipeline.emit(session);
    await pipeline.flush();
  } finally {
    await pipeline.shutdown();
  }
  // The demo has no budget guard; its decisions are written as BudgetGuard's sink writes them.
  await ch.client.insert({
    table: `${GRAFANA_DATABASE}.budget_events`,
    values: [
      { Timestamp: (NOW - 3_600_000) / 1000, ServiceName: 'genai-cost-demo', UserId: 'user-00001', Tier: 'free', SessionId: '', State: 'exceeded', Action: 'degrade', Scope: 'period', SpentUsd: 1.2, LimitUsd: 1 },
      { Timestamp: (NOW - 7_200_000) / 1000, ServiceName: 'genai-cost-demo', UserId: 'user-00002', Tier: 'enterprise', SessionId: '', State: 'exceeded', Action: 'dry-run', Scope: 'period', SpentUsd: 130, LimitUsd: 120 },
    ],
    format: 'JSONEachRow',
  });
  for (const [name, sql] of variables) {
    allValues[name.split('$')[1]!] = (await ch.rows<Record<string, string>>(expandGrafanaQuery(sql, ALL))).map((r) => Object.values(r)[0]!);
  }
}, 60_000);

afterAll(async () => {
  await ch.close();
});

describe('dashboard queries on chDB', () => {
  it.each(variables)('variable %s lists values', async (_name, sql) => {
    expect((await ch.rows(expandGrafanaQuery(sql, ALL))).length).toBeGreaterThan(0);
  });

  it.each(sources)('%s returns the columns its panels are configured for', async (_name, p) => {
    const { meta } = await ch.typed(expandGrafanaQuery(rawSql(p), ALL, allValues));
    expect(meta.map((m) => m.name)).toEqual(p.spec.query.columns);
    // Grafana picks units by field; a number without one would show raw.
    for (const m of meta.filter((c) => NUMERIC.test(c.type))) expect(FIELDS[m.name as keyof typeof FIELDS], m.name).toHaveProperty('unit');
  });

  it.each(sources)('%s runs with multi-valued filters', async (_name, p) => {
    const some = (name: string) => ({ values: (allValues[name] ?? []).slice(0, 2) });
    const ctx: MacroContext = {
      ...RANGE,
      variables: { tier: some('tier'), feature: some('feature'), model: some('model'), service: some('service'), tag_key: { value: 'region' }, tag_value: some('tag_value') },
    };
    await ch.typed(expandGrafanaQuery(rawSql(p), ctx, allValues));
  });

  it('the tier-margin panel gives the numbers of reportByTier', async () => {
    const [, p] = panels.find(([, x]) => x.panel.title === 'Margin per tier')!;
    const panel = await ch.rows<Record<string, unknown>>(expandGrafanaQuery(rawSql(p), ALL));
    const report = await reportByTier(ch.client, GRAFANA_DATABASE, RANGE);
    expect(report.length).toBeGreaterThan(1);
    const numeric = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && k !== 'tier' ? Number(v) : v])));
    expect(numeric(panel)).toEqual(numeric(report as unknown as Record<string, unknown>[]));
  });

  it.each<[string, VariableValue, string[]]>([
    ['tier', { values: ['team'] }, ['team']],
    ['tier', { values: ['team', 'solo'] }, ['solo', 'team']],
    ['tier', { value: 'team' }, ['team']],
  ])('a %s filter of %j narrows the tier-margin panel to %j', async (name, selection, tiers) => {
    const [, p] = panels.find(([, x]) => x.panel.title === 'Margin per tier')!;
    for (const registry of ['scenes', 'legacy'] as const) {
      const rows = await ch.rows<{ tier: string }>(expandGrafanaQuery(rawSql(p), { ...ALL, registry, variables: { ...ALL.variables, [name]: selection } }));
      expect(rows.map((r) => r.tier).sort()).toEqual(tiers);
    }
  });

  it('the tag panel gives the numbers of reportByTag, and the tag filter splits every cost exactly', async () => {
    const [, p] = panels.find(([, x]) => x.panel.title === 'Cost per value of the tag ${tag_key}')!;
    const panel = await ch.rows<{ tagValue: string; costUsd: number }>(expandGrafanaQuery(rawSql(p), ALL));
    const report = await reportByTag(ch.client, GRAFANA_DATABASE, { ...RANGE, tagKey: 'region' });
    expect(panel.map((r) => r.tagValue).sort()).toEqual(['apac', 'eu', 'us']);
    expect(panel.map((r) => [r.tagValue, Number(r.costUsd)])).toEqual(report.map((r) => [r.tagValue, r.costUsd]));
    // Every demo span has a region: the margin panel filtered by each region adds up to the whole.
    const [, margin] = panels.find(([, x]) => x.panel.title === 'Margin per tier')!;
    const cost = async (tag_value: VariableValue) =>
      (await ch.rows<{ costUsd: number }>(expandGrafanaQuery(rawSql(margin), { ...ALL, variables: { ...ALL.variables, tag_value } }))).reduce((a, r) => a + Number(r.costUsd), 0);
    const byRegion = await Promise.all(['apac', 'eu', 'us'].map((value) => cost({ value })));
    for (const [i, region] of ['apac', 'eu', 'us'].entries()) expect(byRegion[i], region).toBeCloseTo(report.find((r) => r.tagValue === region)!.costUsd, 9);
    expect(byRegion.reduce((a, b) => a + b, 0)).toBeCloseTo(await cost({ all: true }), 9);
    expect(await cost({ values: ['eu', 'us'] })).toBeCloseTo(byRegion[1]! + byRegion[2]!, 9);
  });
});
