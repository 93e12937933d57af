import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportByTier, replacePlans } from '@genai-cost/clickhouse';
import { loadConfig } from '../packages/cli/src/config.js';
import { generateHistory } from '../packages/cli/src/demo/history.js';
import { DemoPipeline } from '../packages/cli/src/demo/pipeline.js';
import { planRows } from '../packages/cli/src/planRows.js';
import { expandGrafanaQuery } from './support/grafanaMacros.js';
import type { MacroContext } from './support/grafanaMacros.js';
import { GRAFANA_DATABASE, GrafanaChdb, emptyDir } from './support/grafanaChdb.js';

const DIR = join(import.meta.dirname, '../grafana/dashboards');
const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DAYS = 10;
/** Whole seconds, so Grafana's second-precision macros and the report's window select the same spans. */
const RANGE = { from: new Date(NOW - DAYS * 86_400_000), to: new Date(NOW) };

interface DashboardFile {
  uid: string;
  templating: { list: { type: string; name: string; query?: string }[] };
  panels: { title: string; targets: { rawSql: string; format: number }[] }[];
}

const dashboards = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as DashboardFile);
const panels = dashboards.flatMap((d) => d.panels.map((p) => [`${d.uid} / ${p.title}`, p] as const));
const variables = dashboards.flatMap((d) => d.templating.list.filter((v) => v.type === 'query').map((v) => [`${d.uid} / $${v.name}`, v.query!] as const));

let ch: GrafanaChdb;
const allValues: Record<string, string[]> = {};

const ALL: MacroContext = { ...RANGE, variables: { tier: { all: true }, feature: { all: true }, model: { all: true }, service: { all: true } } };

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
  for (const [, sql] of variables) {
    const name = /SELECT DISTINCT (\w+)/.exec(sql)![1]!;
    allValues[name] = (await ch.rows<Record<string, string>>(sql)).map((r) => Object.values(r)[0]!);
  }
}, 60_000);

afterAll(async () => {
  await ch.close();
});

describe('dashboard queries on chDB', () => {
  it.each(variables)('variable %s lists values', async (_name, sql) => {
    expect((await ch.rows(expandGrafanaQuery(sql, ALL))).length).toBeGreaterThan(0);
  });

  it.each(panels)('%s runs with every filter on All', async (_name, panel) => {
    for (const target of panel.targets) {
      const { meta } = await ch.typed(expandGrafanaQuery(target.rawSql, ALL));
      expect(meta.length).toBeGreaterThan(0);
      if (target.format === 0) expect(meta[0]!.type).toMatch(/^DateTime/);
    }
  });

  it.each(panels)('%s runs with multi-valued filters', async (_name, panel) => {
    const some = (name: string) => ({ values: (allValues[columnOf(name)] ?? []).slice(0, 2) });
    const ctx: MacroContext = { ...RANGE, variables: { tier: some('tier'), feature: some('feature'), model: some('model'), service: some('service') } };
    for (const target of panel.targets) await ch.typed(expandGrafanaQuery(target.rawSql, ctx));
  });

  it('the tier-margin panel gives the numbers of reportByTier', async () => {
    const target = dashboards.find((d) => d.uid === 'genai-cost-unit-economics')!.panels.find((p) => p.title === 'Margin per tier')!.targets[0]!;
    const panel = await ch.rows<Record<string, unknown>>(expandGrafanaQuery(target.rawSql, ALL));
    const report = await reportByTier(ch.client, GRAFANA_DATABASE, RANGE);
    expect(report.length).toBeGreaterThan(1);
    const numeric = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'string' && k !== 'tier' ? Number(v) : v])));
    expect(numeric(panel)).toEqual(numeric(report as unknown as Record<string, unknown>[]));
  });

  it('a tier filter narrows the tier-margin panel to that tier', async () => {
    const target = dashboards.find((d) => d.uid === 'genai-cost-unit-economics')!.panels.find((p) => p.title === 'Margin per tier')!.targets[0]!;
    const rows = await ch.rows<{ tier: string }>(expandGrafanaQuery(target.rawSql, { ...ALL, variables: { ...ALL.variables, tier: { values: ['team'] } } }));
    expect(rows.map((r) => r.tier)).toEqual(['team']);
  });
});

function columnOf(variable: string): string {
  return { tier: 'Tier', feature: 'Feature', model: 'Model', service: 'ServiceName' }[variable]!;
}
