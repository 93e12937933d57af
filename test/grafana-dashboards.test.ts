import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DATASOURCE_TYPE, DATASOURCE_UID, renderFiles } from '@genai-cost/grafana';

const ROOT = join(import.meta.dirname, '..');
const DIR = join(ROOT, 'grafana/dashboards');
const RULES = 'grafana/provisioning/alerting/genai-cost-rules.yaml';

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => [f, JSON.parse(readFileSync(join(DIR, f), 'utf8'))] as const);

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

  it.each(dashboards)('%s names only the provisioned data source or the datasource variable', (_f, d) => {
    const raw = JSON.stringify(d);
    expect(raw).not.toContain('${DS_');
    expect(d).not.toHaveProperty('__inputs');
    const refs = datasources(d);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref.type).toBe(DATASOURCE_TYPE);
      expect(['${datasource}', DATASOURCE_UID]).toContain(ref.uid);
    }
    const variable = d.templating.list.find((v: { type: string }) => v.type === 'datasource');
    expect(variable).toMatchObject({ name: 'datasource', query: DATASOURCE_TYPE, current: { value: DATASOURCE_UID } });
  });

  it.each(dashboards)('%s has valid panels, variables, links and schema version', (_f, d) => {
    expect(d.schemaVersion).toBeGreaterThanOrEqual(39);
    expect(d.schemaVersion).toBeLessThanOrEqual(41);
    expect(d.links[0]).toMatchObject({ type: 'dashboards', tags: ['genai-cost'], keepTime: true, includeVars: true });
    expect(d.templating.list.filter((v: { type: string }) => v.type === 'query').map((v: { name: string }) => v.name)).toEqual(['tier', 'feature', 'model', 'service']);
    for (const v of d.templating.list.filter((x: { type: string }) => x.type === 'query')) expect(v).toMatchObject({ multi: true, includeAll: true });
    const ids = d.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of d.panels) {
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) {
        expect(t).toMatchObject({ refId: expect.any(String), editorType: 'sql', rawSql: expect.any(String) });
        expect([0, 1]).toContain(t.format);
      }
      expect(p.fieldConfig.defaults.thresholds.steps.length).toBeGreaterThan(0);
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
    }
    const units = JSON.stringify(d.panels.map((p: { fieldConfig: unknown }) => p.fieldConfig));
    expect(units).toContain('currencyUSD');
    expect(units).toContain('percent');
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
