import { DEFAULT_DATABASE, METRICS, grafanaMetricContext } from '@genai-cost/clickhouse';
import type { MetricSqlContext } from '@genai-cost/clickhouse';
import { METRIC_COLUMNS } from './fields.js';
import type { DashboardMetric } from './fields.js';
import { layoutPanels } from './panels.js';
import type { PanelQuery, PanelSpec } from './panels.js';
import type { Dashboard } from './types.js';
import { ALL_FILTERS, datasourceVariable, filterCondition, filterVariable, tagFilter, tagKeyExpression, tagKeyVariable, tagValueVariable } from './variables.js';
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

/** Which of the dashboard's variables a panel's query applies. */
export interface QueryFilters {
  /** Default: every filter; metrics over tables without some columns pass fewer. */
  filters?: readonly Filter[];
  /** Whether the tag filter applies (metrics over budget_events, which has no tags, and budgets, which count all spend, say no). Default: true. */
  tags?: boolean;
}

/** A metric's SQL in Grafana's form: the dashboard's time range, the variables' filters and the selected tag key. */
export function metricSql(params: GenerateParams, name: DashboardMetric, options: QueryFilters = {}): string {
  const ctx: MetricSqlContext = {
    ...grafanaMetricContext(params.database, (options.filters ?? ALL_FILTERS).map(filterCondition)),
    tagKey: tagKeyExpression(),
    tagFilter: options.tags === false ? undefined : tagFilter(),
  };
  return METRICS[name].sql(ctx);
}

/** A metric as a panel query: its Grafana SQL (at most `limit` rows) and its columns. */
export function metricQuery(params: GenerateParams, name: DashboardMetric, options: QueryFilters & { limit?: number } = {}): PanelQuery {
  const sql = metricSql(params, name, options);
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
    templating: {
      list: [datasourceVariable(), ...ALL_FILTERS.map((f) => filterVariable(f, params.database)), tagKeyVariable(params.database), tagValueVariable(params.database)],
    },
    annotations: { list: [] },
    panels: layoutPanels(spec.panels(params)),
  } satisfies Dashboard;
}
