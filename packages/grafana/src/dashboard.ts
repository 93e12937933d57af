import { DEFAULT_DATABASE, METRICS, grafanaMetricContext } from '@genai-cost/clickhouse';
import { METRIC_COLUMNS } from './fields.js';
import type { DashboardMetric } from './fields.js';
import { layoutPanels } from './panels.js';
import type { PanelQuery, PanelSpec } from './panels.js';
import type { Dashboard } from './types.js';
import { ALL_FILTERS, datasourceVariable, filterCondition, filterVariable } from './variables.js';
import type { Filter } from './variables.js';

/** Tag of every genai-cost dashboard; the dashboards link to each other through it. */
export const DASHBOARD_TAG = 'genai-cost';
/**
 * Grafana dashboard schema version of the generated files: the one Grafana 12 writes
 * (`defaultDashboard.schemaVersion` of `@grafana/schema` 12.2; a test keeps them equal), so
 * Grafana runs no migration on them.
 */
export const SCHEMA_VERSION = 42;

/** Options of the generator. */
export interface GenerateOptions {
  /** Database the dashboards and alerts query. Default: `genai_cost`. */
  database?: string;
  /** Grafana's external URL, for links in alert annotations. Default: `http://localhost:3000`. */
  grafanaUrl?: string;
}

/** Options with defaults applied. */
export type GenerateParams = Required<GenerateOptions>;

/** Applies the defaults of {@link GenerateOptions}. */
export function resolveGenerateOptions(options: GenerateOptions = {}): GenerateParams {
  return { database: options.database ?? DEFAULT_DATABASE, grafanaUrl: (options.grafanaUrl ?? 'http://localhost:3000').replace(/\/+$/, '') };
}

/**
 * A metric's SQL in Grafana's form: the dashboard's time range and the variables' filters.
 * `filters` defaults to every filter; metrics over tables without some columns pass fewer.
 */
export function metricSql(params: GenerateParams, name: DashboardMetric, filters: readonly Filter[] = ALL_FILTERS): string {
  return METRICS[name].sql(grafanaMetricContext(params.database, filters.map(filterCondition)));
}

/** A metric as a panel query: its Grafana SQL (at most `limit` rows) and its columns. */
export function metricQuery(params: GenerateParams, name: DashboardMetric, options: { filters?: readonly Filter[]; limit?: number } = {}): PanelQuery {
  const sql = metricSql(params, name, options.filters);
  return { sql: options.limit === undefined ? sql : `${sql}\nLIMIT ${options.limit}`, columns: METRIC_COLUMNS[name] };
}

/** What a dashboard module provides. */
export interface DashboardSpec {
  /** Kebab-case; the file is `<slug>.json` and the uid `genai-cost-<slug>`. */
  slug: string;
  title: string;
  description: string;
  panels(params: GenerateParams): PanelSpec[];
}

/** Builds a dashboard: variables, links to the other genai-cost dashboards, laid-out panels. */
export function buildDashboard(spec: DashboardSpec, params: GenerateParams): Dashboard {
  return {
    uid: `genai-cost-${spec.slug}`,
    title: spec.title,
    description: spec.description,
    tags: [DASHBOARD_TAG],
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    editable: true,
    timezone: 'utc',
    refresh: '5m',
    time: { from: 'now-30d', to: 'now' },
    links: [{ type: 'dashboards', title: 'genai-cost', tags: [DASHBOARD_TAG], asDropdown: false, includeVars: true, keepTime: true, icon: 'external link', tooltip: '', targetBlank: false }],
    templating: { list: [datasourceVariable(), ...ALL_FILTERS.map((f) => filterVariable(f, params.database))] },
    annotations: { list: [] },
    panels: layoutPanels(spec.panels(params)),
  } satisfies Dashboard;
}
