/** A reference to a Grafana data source. */
export interface DatasourceRef {
  type: string;
  uid: string;
}

/** A query of the ClickHouse plugin (v4) in SQL editor mode. */
export interface ClickHouseTarget {
  refId: string;
  datasource: DatasourceRef;
  editorType: 'sql';
  /** 0 time series, 1 table. */
  format: 0 | 1;
  queryType: 'timeseries' | 'table';
  rawSql: string;
}

/** One threshold step; `value: null` is the base step. */
export interface ThresholdStep {
  color: string;
  value: number | null;
}

/** Field defaults and per-column overrides of a panel. */
export interface FieldConfig {
  defaults: { unit?: string; decimals?: number; thresholds: { mode: 'absolute'; steps: ThresholdStep[] }; color?: { mode: string } };
  overrides: { matcher: { id: 'byName' | 'byRegexp'; options: string }; properties: { id: string; value: unknown }[] }[];
}

/** A dashboard panel. */
export interface Panel {
  id: number;
  type: 'stat' | 'table' | 'timeseries' | 'barchart' | 'piechart';
  title: string;
  description: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource: DatasourceRef;
  targets: ClickHouseTarget[];
  fieldConfig: FieldConfig;
  options: Record<string, unknown>;
}

/** A template variable. */
export interface Variable {
  type: 'datasource' | 'query';
  name: string;
  label: string;
  [key: string]: unknown;
}

/** A dashboard link. */
export interface DashboardLink {
  type: 'dashboards';
  title: string;
  tags: string[];
  asDropdown: boolean;
  includeVars: boolean;
  keepTime: boolean;
}

/** A dashboard as provisioned from a JSON file. */
export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  version: number;
  editable: boolean;
  timezone: string;
  refresh: string;
  time: { from: string; to: string };
  links: DashboardLink[];
  templating: { list: Variable[] };
  annotations: { list: unknown[] };
  panels: Panel[];
}
