import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDashboard } from '@grafana/schema';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARD_DATASOURCE, DATASOURCE_TYPE, DATASOURCE_UID, FIELDS, SCHEMA_VERSION, renderFiles } from '@genai-cost/grafana';
import { loadDashboards } from './support/grafanaDashboards.js';
import { unknownReferences } from './support/grafanaMacros.js';
import { schemaErrors } from './support/grafanaSchemaCheck.js';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(ROOT, 'grafana/dashboards');
const RULES = 'grafana/provisioning/alerting/genai-cost-rules.yaml';

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const loaded = loadDashboards();
const dashboards = loaded.map((d) => [d.file, d.json] as const);
const panels = loaded.flatMap((d) => d.panels.map((p) => [p.name, p] as const));

/** Every `datasource` object anywhere in the dashboard. */
function datasources(node: unknown, out: { type?: string; uid?: string }[] = []): { type?: string; uid?: string }[] {
  if (Array.isArray(node)) node.forEach((n) => datasources(n, out));
  else if (node !== null && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource' && v !== null && typeof v === 'object') out.push(v as { type?: string; uid?: string });
      else datasources(v, out);
    }
  }
  return out;
}

/** Every string anywhere in `node`. */
const strings = (node: unknown): string[] =>
  typeof node === 'string' ? [node] : node !== null && typeof node === 'object' ? Object.values(node).flatMap(strings) : [];

describe('dashboard files', () => {
  it('are the four kebab-case dashboards', () => {
    expect(files.sort()).toEqual(['features-and-models.json', 'sessions-and-budgets.json', 'unit-economics.json', 'users.json']);
    for (const f of files) expect(f).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*\.json$/);
  });

  it('have unique uids and titles', () => {
    const uids = dashboards.map(([, d]) => d.uid);
    const titles = dashboards.map(([, d]) => d.title);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(titles).size).toBe(titles.length);
    for (const uid of uids) expect(uid).toMatch(/^genai-cost-/);
  });

  it("are valid dashboards of @grafana/schema's Dashboard type", () => {
    // Broken documents in the same program show that the check sees unknown keys and bad values.
    const panel = (defaults: string) => `{ "schemaVersion": 42, "panels": [{ "type": "stat", "fieldConfig": { "defaults": ${defaults}, "overrides": [] } }] }`;
    const broken = { 'unknown-key.json': panel('{ "unitt": "percent" }'), 'bad-enum.json': panel('{ "thresholds": { "mode": "relative", "steps": [] } }') };
    const committed = Object.fromEntries(dashboards.map(([f]) => [f, readFileSync(join(DIR, f), 'utf8')]));
    const errors = schemaErrors('Dashboard', { ...committed, ...broken });
    expect(errors).toEqual([
      expect.stringMatching(/^unknown-key\.json:\d+: .*'"unitt"' does not exist/s),
      expect.stringMatching(/^bad-enum\.json:\d+: .*"relative"/s),
    ]);
  });

  it('carry the schema version Grafana 12 writes', () => {
    expect(SCHEMA_VERSION).toBe(defaultDashboard.schemaVersion);
    for (const [, d] of dashboards) expect(d.schemaVersion).toBe(SCHEMA_VERSION);
  });

  it.each(dashboards)('%s names only the provisioned data source, the datasource variable or the dashboard data source', (_f, d) => {
    const raw = JSON.stringify(d);
    expect(raw).not.toContain('${DS_');
    expect(d).not.toHaveProperty('__inputs');
    const refs = datasources(d);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      if (ref.uid === DASHBOARD_DATASOURCE.uid) expect(ref).toEqual(DASHBOARD_DATASOURCE);
      else {
        expect(ref.type).toBe(DATASOURCE_TYPE);
        expect(['${datasource}', DATASOURCE_UID]).toContain(ref.uid);
      }
    }
    const variable = d.templating.list.find((v: { type: string }) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: DATASOURCE_TYPE, current: { value: DATASOURCE_UID } });
  });

  it.each(dashboards)('%s has valid panels, variables and links', (_f, d) => {
    expect(d.links[0]).toMatchObject({ type: 'dashboards', tags: ['genai-cost'], keepTime: true, includeVars: true });
    const queryVariables = d.templating.list.filter((v) => v.type === 'query');
    expect(queryVariables.map((v) => v.name)).toEqual(['tier', 'feature', 'model', 'service', 'tag_key', 'tag_value']);
    for (const v of queryVariables) expect(v).toMatchObject(v.name === 'tag_key' ? { multi: false, includeAll: false } : { multi: true, includeAll: true });
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) {
      expect(p.targets).toHaveLength(1);
      expect(p.fieldConfig.defaults.thresholds.steps.length).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
  });

  it.each(dashboards)('%s runs each query once: panels showing the same result read it through the dashboard data source', (_f, d) => {
    const sql = d.panels.flatMap((p) => p.targets.map((t) => t.rawSql)).filter((s) => s !== undefined);
    expect(new Set(sql).size).toBe(sql.length);
    for (const p of d.panels.filter((x) => x.targets[0]!.panelId !== undefined)) {
      expect(p.datasource).toEqual(DASHBOARD_DATASOURCE);
      const source = d.panels.find((x) => x.id === p.targets[0]!.panelId);
      expect(source?.targets[0]!.rawSql, p.title).toEqual(expect.any(String));
    }
  });

  it('shows the six unit-economics figures from one run of the overall-margin query', () => {
    const d = dashboards.find(([f]) => f === 'unit-economics.json')![1];
    const stats = d.panels.filter((p) => p.type === 'stat');
    expect(stats).toHaveLength(6);
    expect(stats[0]!.targets[0]!.rawSql).toEqual(expect.any(String));
    for (const s of stats.slice(1)) expect(s.targets[0]).toEqual({ refId: 'A', datasource: DASHBOARD_DATASOURCE, panelId: stats[0]!.id });
  });

  it.each(panels)('%s titles every column it shows and gives numbers their unit', (_n, p) => {
    const byName = new Map(p.panel.fieldConfig.overrides.map((o) => [o.matcher.options, Object.fromEntries(o.properties.map((x) => [x.id, x.value]))]));
    const names = p.panel.transformations.find((t) => t.id === 'filterFieldsByName')?.options.include?.names ?? p.spec.query.columns;
    expect(names).toEqual(p.shown);
    if (p.panel.type === 'timeseries') {
      // One series per value of the label column, titled by it; the value's unit for all.
      const [, label, value] = p.shown;
      expect(p.panel.fieldConfig.defaults).toMatchObject({ displayName: `\${__field.labels.${label}}`, unit: FIELDS[value!].unit });
      return;
    }
    expect([...byName.keys()]).toEqual(p.shown);
    for (const name of p.shown) {
      const field = FIELDS[name];
      expect(byName.get(name), name).toEqual(expect.objectContaining({ displayName: field.title, ...('unit' in field && { unit: field.unit }) }));
    }
  });

  it.each(panels)('%s names columns in its options by their titles, never by the raw field names', (_n, p) => {
    const raw = Object.keys(FIELDS).filter((k) => FIELDS[k as keyof typeof FIELDS].title !== k);
    expect(strings(p.panel.options).filter((s) => raw.includes(s))).toEqual([]);
  });

  it.each(panels.filter(([, p]) => p.source === p.panel))('%s refers only to its variables and the plugin macros', (_n, p) => {
    expect(unknownReferences(p.panel.targets[0]!.rawSql!, ['tier', 'feature', 'model', 'service', 'tag_key', 'tag_value'])).toEqual([]);
  });
});

describe('alert rules file', () => {
  const file = parse(readFileSync(join(ROOT, RULES), 'utf8'));

  it('carries group name, folder and interval, and each rule uid, title, condition and data', () => {
    expect(file.apiVersion).toBe(1);
    const uids: string[] = [];
    for (const g of file.groups) {
      expect(g).toMatchObject({ name: expect.any(String), folder: 'genai-cost', interval: expect.stringMatching(/^\d+[mh]$/) });
      for (const r of g.rules) {
        expect(r).toMatchObject({ uid: expect.any(String), title: expect.any(String), condition: 'C', noDataState: 'OK', execErrState: 'Error' });
        expect(r.data.length).toBe(3);
        expect(r.data[0]).toMatchObject({ datasourceUid: DATASOURCE_UID, model: { format: 1, editorType: 'sql' } });
        expect(r.labels.severity).toMatch(/^(critical|warning|info)$/);
        expect(r.annotations.summary).toMatch(/\{\{ \$values\.B \}\}/);
        expect(r.annotations.dashboard).toMatch(/^http:\/\/localhost:3000\/d\/genai-cost-/);
        uids.push(r.uid);
      }
    }
    expect(new Set(uids).size).toBe(uids.length);
  });

  it('uses the alert names that alertmanager.yml inhibits by', () => {
    const titles = file.groups.flatMap((g: { rules: { title: string }[] }) => g.rules.map((r) => r.title));
    const am = readFileSync(join(ROOT, 'grafana/alertmanager/alertmanager.yml'), 'utf8');
    for (const name of am.matchAll(/alertname="([^"]+)"/g)) expect(titles).toContain(name[1]);
  });
});

describe('generated files', () => {
  it.each([...renderFiles()])('%s is up to date', (path, content) => {
    const committed = readFileSync(join(ROOT, path), 'utf8');
    if (committed !== content) expect.fail(`${path} is stale: run npm run grafana:generate`);
  });
});
