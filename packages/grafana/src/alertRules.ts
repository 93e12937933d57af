import {
  COST_CLIMB_WEEKS,
  COST_PER_USER_CLIMB_PCT,
  DEFAULT_TARGET_AI_COGS_PCT,
  METRICS,
  SESSION_OUTLIER_MULTIPLE,
  SPIKE_BASELINE_DAYS,
  grafanaMetricContext,
} from '@genai-cost/clickhouse';
import type { MetricName } from '@genai-cost/clickhouse';
import type { GenerateParams } from './dashboard.js';
import { BUDGET_RULES } from './budgetAlertRules.js';
import { ALERT_DATASOURCE, DATASOURCE_UID } from './datasource.js';

/** Folder of the alert rules (created by Grafana if missing). */
export const ALERT_FOLDER = 'genai-cost';
/** A feature whose cost-to-revenue ratio is above this, %, alerts. */
export const FEATURE_CTR_LIMIT_PCT = 25;
/** Hourly spend above this multiple of its baseline alerts. */
export const SPEND_SPIKE_MULTIPLE = 3;

const HOUR = 3600;
const DAY = 24 * HOUR;

/** A threshold as Grafana's threshold expression evaluates it. */
export interface Threshold {
  type: 'gt' | 'lt' | 'within_range';
  params: number[];
}

/** One alert rule, before it is written in Grafana's provisioning format. */
export interface AlertSpec {
  uid: string;
  /** Also Alertmanager's `alertname`: grafana/alertmanager/alertmanager.yml matches some titles. */
  title: string;
  metric: MetricName;
  /** Seconds of history the query reads, ending now. */
  rangeSeconds: number;
  threshold: Threshold;
  severity: 'critical' | 'warning' | 'info';
  for: string;
  summary: string;
  /** Dashboard uid the annotation links to. */
  dashboard: string;
}

/** A group of rules evaluated at one interval. */
export interface AlertGroupSpec {
  name: string;
  interval: string;
  rules: AlertSpec[];
}

/** The rules, grouped by how often they need evaluating. Label columns of each query: see alertMetrics.ts. */
export const ALERT_GROUPS: readonly AlertGroupSpec[] = [
  {
    name: 'genai-cost-spend',
    interval: '5m',
    rules: [
      {
        uid: 'genai-cost-spend-spike',
        title: 'Hourly LLM spend spike',
        metric: 'spendVsBaseline',
        rangeSeconds: (SPIKE_BASELINE_DAYS + 1) * DAY,
        threshold: { type: 'gt', params: [SPEND_SPIKE_MULTIPLE] },
        severity: 'critical',
        for: '0s',
        summary: `LLM spend of the last hour is {{ $values.B }}× the average of that hour over the previous ${SPIKE_BASELINE_DAYS} days (alert above ${SPEND_SPIKE_MULTIPLE}×)`,
        dashboard: 'genai-cost-unit-economics',
      },
      {
        uid: 'genai-cost-unpriced-spans',
        title: 'Unpriced LLM calls',
        metric: 'unpricedByModel',
        rangeSeconds: HOUR,
        threshold: { type: 'gt', params: [0] },
        severity: 'warning',
        for: '0s',
        summary: '{{ $values.B }} calls to {{ $labels.provider }}/{{ $labels.model }} in the last hour have no price: their cost is missing from every report',
        dashboard: 'genai-cost-features-and-models',
      },
      {
        uid: 'genai-cost-session-outlier',
        title: 'Session cost outlier',
        metric: 'sessionOutlierByTier',
        rangeSeconds: DAY,
        threshold: { type: 'gt', params: [SESSION_OUTLIER_MULTIPLE] },
        severity: 'warning',
        for: '0s',
        summary: `A {{ $labels.tier }} session of the last 24 h cost {{ $values.B }}× the tier's P95 session cost (alert above ${SESSION_OUTLIER_MULTIPLE}×)`,
        dashboard: 'genai-cost-sessions-and-budgets',
      },
    ],
  },
  { name: 'genai-cost-budgets', interval: '5m', rules: BUDGET_RULES },
  {
    name: 'genai-cost-margin',
    interval: '1h',
    rules: [
      {
        uid: 'genai-cost-margin-below-target',
        title: 'Tier gross margin below target',
        metric: 'marginVsTarget',
        rangeSeconds: 30 * DAY,
        threshold: { type: 'lt', params: [0] },
        severity: 'warning',
        for: '2h',
        summary: 'Gross margin of the {{ $labels.tier }} tier over the last 30 days is {{ $values.B }} points against its target margin',
        dashboard: 'genai-cost-unit-economics',
      },
      {
        uid: 'genai-cost-ai-cogs-over-target',
        title: 'Tier AI COGS above target',
        metric: 'aiCogsVsTarget',
        rangeSeconds: 30 * DAY,
        threshold: { type: 'gt', params: [0] },
        severity: 'warning',
        for: '2h',
        summary: `AI COGS (LLM cost / revenue) of the {{ $labels.tier }} tier over the last 30 days is {{ $values.B }} points above its target (targetAiCogsPct, default ${DEFAULT_TARGET_AI_COGS_PCT} %)`,
        dashboard: 'genai-cost-unit-economics',
      },
      {
        uid: 'genai-cost-cost-per-user-climb',
        title: 'Tier cost per active user climbing',
        metric: 'costPerUserClimb',
        // The query reads whole UTC weeks before the range's end, whatever its start.
        rangeSeconds: 7 * (COST_CLIMB_WEEKS + 2) * DAY,
        threshold: { type: 'gt', params: [COST_PER_USER_CLIMB_PCT] },
        severity: 'warning',
        for: '0s',
        summary: `Cost per active user of the {{ $labels.tier }} tier grew {{ $values.B }} % from the week ${COST_CLIMB_WEEKS} weeks before the last whole week to the last (alert above ${COST_PER_USER_CLIMB_PCT} %)`,
        dashboard: 'genai-cost-unit-economics',
      },
      {
        uid: 'genai-cost-feature-ctr',
        title: 'Feature cost-to-revenue ratio high',
        metric: 'featureCtr',
        rangeSeconds: 30 * DAY,
        threshold: { type: 'gt', params: [FEATURE_CTR_LIMIT_PCT] },
        severity: 'warning',
        for: '2h',
        summary: `Feature {{ $labels.feature }} costs {{ $values.B }} % of the revenue the plan attributes to it (alert above ${FEATURE_CTR_LIMIT_PCT} %)`,
        dashboard: 'genai-cost-features-and-models',
      },
    ],
  },
];

/** The query of a rule, as Grafana sends it to the plugin: the metric over the rule's time range, no variables. */
export function alertSql(params: GenerateParams, spec: AlertSpec): string {
  return METRICS[spec.metric].sql(grafanaMetricContext(params.database));
}

/** A rule in Grafana's file-provisioning format: query A, reduce B (last), threshold C. */
export function provisionedRule(params: GenerateParams, spec: AlertSpec): Record<string, unknown> {
  return {
    uid: spec.uid,
    title: spec.title,
    condition: 'C',
    data: [
      {
        refId: 'A',
        relativeTimeRange: { from: spec.rangeSeconds, to: 0 },
        datasourceUid: DATASOURCE_UID,
        model: { refId: 'A', datasource: ALERT_DATASOURCE, editorType: 'sql', format: 1, queryType: 'table', rawSql: alertSql(params, spec), intervalMs: 60000, maxDataPoints: 43200 },
      },
      {
        refId: 'B',
        datasourceUid: '__expr__',
        model: { refId: 'B', type: 'reduce', expression: 'A', reducer: 'last', settings: { mode: 'dropNN' }, datasource: { type: '__expr__', uid: '__expr__' } },
      },
      {
        refId: 'C',
        datasourceUid: '__expr__',
        model: { refId: 'C', type: 'threshold', expression: 'B', conditions: [{ evaluator: { type: spec.threshold.type, params: spec.threshold.params } }], datasource: { type: '__expr__', uid: '__expr__' } },
      },
    ],
    // A filtered query with nothing to report returns no rows: that is the healthy state.
    noDataState: 'OK',
    execErrState: 'Error',
    for: spec.for,
    labels: { severity: spec.severity },
    annotations: {
      summary: spec.summary,
      description: METRICS[spec.metric].description,
      dashboard: `${params.grafanaUrl}/d/${spec.dashboard}`,
      __dashboardUid__: spec.dashboard,
    },
    isPaused: false,
  };
}

/** The alerting provisioning file's content. */
export function alertRulesFile(params: GenerateParams): Record<string, unknown> {
  return {
    apiVersion: 1,
    groups: ALERT_GROUPS.map((g) => ({ orgId: 1, name: g.name, folder: ALERT_FOLDER, interval: g.interval, rules: g.rules.map((r) => provisionedRule(params, r)) })),
  };
}
