import { PANEL_DATASOURCE } from './datasource.js';
import type { FieldConfig, Panel, ThresholdStep } from './types.js';

/** What a dashboard file says about one panel; the layout and field config are derived. */
export interface PanelSpec {
  type: Panel['type'];
  title: string;
  description: string;
  rawSql: string;
  /** Default: table. Time series panels need `time` as their first column. */
  format?: 'table' | 'timeseries';
  /** Width of 24 columns; panels flow left to right, then wrap. */
  w: number;
  h: number;
  /** Unit of fields not named like a USD, % or share column. Default: none. */
  unit?: string;
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

/**
 * Units by column-name convention of the metrics (`…Usd` dollars, `…Pct` percent, `…Share`
 * fractions), so every panel of a metric shows the same units without listing its columns.
 */
const UNIT_OVERRIDES: FieldConfig['overrides'] = [
  { matcher: { id: 'byRegexp', options: '.*Usd$' }, properties: [{ id: 'unit', value: 'currencyUSD' }] },
  { matcher: { id: 'byRegexp', options: '.*Pct$' }, properties: [{ id: 'unit', value: 'percent' }] },
  { matcher: { id: 'byRegexp', options: '.*Share$' }, properties: [{ id: 'unit', value: 'percentunit' }] },
];

const DEFAULT_OPTIONS: Record<Panel['type'], Record<string, unknown>> = {
  stat: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'none', textMode: 'value_and_name' },
  table: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false } },
  timeseries: { legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'mean'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  barchart: { orientation: 'horizontal', showValue: 'auto', legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'single' } },
  piechart: { pieType: 'donut', legend: { displayMode: 'table', placement: 'right', showLegend: true, values: ['value', 'percent'] }, reduceOptions: { calcs: ['lastNotNull'], fields: '', values: true } },
};

/** Lays the specs out on Grafana's 24-column grid and builds the panels. */
export function layoutPanels(specs: readonly PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec, i) => {
    if (x + spec.w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const gridPos = { x, y, w: spec.w, h: spec.h };
    x += spec.w;
    rowHeight = Math.max(rowHeight, spec.h);
    const timeseries = spec.format === 'timeseries';
    return {
      id: i + 1,
      type: spec.type,
      title: spec.title,
      description: spec.description,
      gridPos,
      datasource: PANEL_DATASOURCE,
      targets: [
        {
          refId: 'A',
          datasource: PANEL_DATASOURCE,
          editorType: 'sql',
          format: timeseries ? 0 : 1,
          queryType: timeseries ? 'timeseries' : 'table',
          rawSql: spec.rawSql,
        },
      ],
      fieldConfig: {
        defaults: {
          ...(spec.unit !== undefined && { unit: spec.unit }),
          thresholds: { mode: 'absolute', steps: spec.thresholds ?? [{ color: 'green', value: null }] },
          color: { mode: spec.thresholds ? 'thresholds' : 'palette-classic' },
        },
        overrides: UNIT_OVERRIDES,
      },
      options: { ...DEFAULT_OPTIONS[spec.type], ...spec.options },
    };
  });
}
