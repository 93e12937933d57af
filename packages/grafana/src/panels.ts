import { DASHBOARD_DATASOURCE, PANEL_DATASOURCE } from './datasource.js';
import { FIELDS, fieldOverrides } from './fields.js';
import type { FieldName } from './fields.js';
import type { ClickHouseTarget, DashboardTarget, FieldConfig, Panel, PanelType, ThresholdStep } from './types.js';

/** A query and the columns of its result. Panels given the same object share one run of it. */
export interface PanelQuery {
  sql: string;
  columns: readonly FieldName[];
}

/** What a dashboard file says about one panel; the layout, targets and field config are derived. */
export interface PanelSpec {
  type: PanelType;
  title: string;
  description: string;
  query: PanelQuery;
  /** The columns shown, in the query's order. Default: all. Time series: time, the series' label column, the value. */
  fields?: readonly FieldName[];
  /** Rows where this column is null are left out (a margin % is undefined where revenue is 0). */
  skipNullsOf?: FieldName;
  /** Width of 24 columns; panels flow left to right, then wrap. */
  w: number;
  h: number;
  /** Default: green from the start. */
  thresholds?: ThresholdStep[];
  options?: Record<string, unknown>;
}

/** Base green, then red at `value`: for numbers where higher is worse. */
export const redAbove = (value: number): ThresholdStep[] => [
  { color: 'green', value: null },
  { color: 'red', value },
];

/** Base red, orange from `warn`, green from `good`: for numbers where higher is better. */
export const greenAbove = (warn: number, good: number): ThresholdStep[] => [
  { color: 'red', value: null },
  { color: 'orange', value: warn },
  { color: 'green', value: good },
];

const DEFAULT_OPTIONS: Record<PanelType, Record<string, unknown>> = {
  stat: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'none', textMode: 'value' },
  table: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false } },
  timeseries: { legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'mean'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  barchart: { orientation: 'horizontal', showValue: 'auto', legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'single' } },
  piechart: { pieType: 'donut', legend: { displayMode: 'table', placement: 'right', showLegend: true, values: ['value', 'percent'] }, reduceOptions: { calcs: ['lastNotNull'], fields: '', values: true } },
};

/**
 * Field config: every column named and given its unit. A time series has one series per value of
 * its label column (after `prepareTimeSeries`), so its value field is titled by that label and
 * carries the unit as a default.
 */
function fieldConfig(spec: PanelSpec, shown: readonly FieldName[]): FieldConfig {
  const colour = { mode: spec.thresholds ? ('thresholds' as const) : ('palette-classic' as const) };
  const thresholds = { mode: 'absolute' as const, steps: spec.thresholds ?? [{ color: 'green', value: null }] };
  if (spec.type === 'timeseries') {
    const [, label, value] = shown as [FieldName, FieldName, FieldName];
    const field = FIELDS[value];
    return {
      defaults: { displayName: `\${__field.labels.${label}}`, unit: field.unit, decimals: field.decimals, thresholds, color: colour },
      overrides: [],
    };
  }
  return { defaults: { thresholds, color: colour }, overrides: fieldOverrides(shown) };
}

/** Transformations that pick the shown columns, drop rows without a value, and make series of a table. */
function transformations(spec: PanelSpec, shown: readonly FieldName[]): Panel['transformations'] {
  const out: Panel['transformations'] = [];
  if (shown.length < spec.query.columns.length) out.push({ id: 'filterFieldsByName', options: { include: { names: [...shown] } } });
  if (spec.skipNullsOf !== undefined) {
    out.push({ id: 'filterByValue', options: { type: 'exclude', match: 'any', filters: [{ fieldName: spec.skipNullsOf, config: { id: 'isNull', options: {} } }] } });
  }
  if (spec.type === 'timeseries') out.push({ id: 'prepareTimeSeries', options: { format: 'multi' } });
  return out;
}

/** Grafana's 24-column grid: panels flow left to right and wrap below the tallest of the row. */
function gridPositions(specs: readonly PanelSpec[]): Panel['gridPos'][] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec) => {
    if (x + spec.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const pos = { x, y, w: spec.w, h: spec.h };
    x += spec.w;
    rowHeight = Math.max(rowHeight, spec.h);
    return pos;
  });
}

/**
 * Lays the specs out and builds the panels. The first panel of each query runs it on ClickHouse;
 * later panels of the same query read that panel's result through the `-- Dashboard --` data source.
 */
export function layoutPanels(specs: readonly PanelSpec[]): Panel[] {
  const runBy = new Map<PanelQuery, number>();
  const positions = gridPositions(specs);
  return specs.map((spec, i) => {
    const id = i + 1;
    const shown = spec.fields ?? spec.query.columns;
    const unknown = shown.filter((f) => !spec.query.columns.includes(f));
    if (unknown.length > 0) throw new Error(`panel "${spec.title}" shows ${unknown.join(', ')}, which its query does not return`);
    const source = runBy.get(spec.query);
    let target: ClickHouseTarget | DashboardTarget;
    if (source === undefined) {
      runBy.set(spec.query, id);
      target = { refId: 'A', datasource: PANEL_DATASOURCE, editorType: 'sql', format: 1, queryType: 'table', rawSql: spec.query.sql };
    } else {
      target = { refId: 'A', datasource: DASHBOARD_DATASOURCE, panelId: source };
    }
    return {
      id,
      type: spec.type,
      title: spec.title,
      description: spec.description,
      gridPos: positions[i]!,
      datasource: source === undefined ? PANEL_DATASOURCE : DASHBOARD_DATASOURCE,
      targets: [target],
      transformations: transformations(spec, shown),
      fieldConfig: fieldConfig(spec, shown),
      options: { ...DEFAULT_OPTIONS[spec.type], ...spec.options },
    };
  });
}
