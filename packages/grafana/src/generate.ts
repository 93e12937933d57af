import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ALERTMANAGER_CONFIG, ALERTMANAGER_WEBHOOK_ONLY_CONFIG, withoutSlack } from './alertmanager.js';
import { DASHBOARD_DIR, renderFiles } from './render.js';

// Composition root: the only place that reads the environment.
const root = resolve(import.meta.dirname, '../../..');
const files = renderFiles({ grafanaUrl: process.env.GENAI_COST_GRAFANA_URL, database: process.env.GENAI_COST_GRAFANA_DATABASE });
files.set(ALERTMANAGER_WEBHOOK_ONLY_CONFIG, withoutSlack(readFileSync(join(root, ALERTMANAGER_CONFIG), 'utf8')));

// Dashboards that no longer exist must not stay provisioned.
const dashboardDir = join(root, DASHBOARD_DIR);
mkdirSync(dashboardDir, { recursive: true });
for (const name of readdirSync(dashboardDir)) {
  if (name.endsWith('.json') && !files.has(`${DASHBOARD_DIR}/${name}`)) rmSync(join(dashboardDir, name));
}
for (const [path, content] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
  process.stdout.write(`wrote ${path}\n`);
}
