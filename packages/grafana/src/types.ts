import type {
  DataSourceRef,
  DataTransformerConfig,
  Dashboard as SchemaDashboard,
  DashboardLink as SchemaDashboardLink,
  FieldConfigSource,
  GridPos,
  Panel as SchemaPanel,
  Threshold,
  VariableModel,
} from '@grafana/schema';

/**
 * A schema type as it appears in a JSON file: string enums of `@grafana/schema` (such as
 * `ThresholdsMode`) become their string values, so plain JSON data can be checked against the
 * published types without importing the enums at run time.
 */
export type Json<T> = T extends string
  ? `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

export type { DataSourceRef };

/** A query of the ClickHouse plugin (v4) in SQL editor mode, returning a table. */
export type ClickHouseTarget = {
  refId: string;
  datasource: DataSourceRef;
  editorType: 'sql';
  /** 1: table. Time series panels turn the table into series with a transformation. */
  format: 1;
  queryType: 'table';
  rawSql: string;
};

/** A query of Grafana's `-- Dashboard --` data source: the result of another panel's query, run once for both. */
export type DashboardTarget = {
  refId: string;
  datasource: DataSourceRef;
  panelId: number;
};

/** One threshold step; `value: null` is the base step. */
export type ThresholdStep = Json<Threshold>;

/** Field defaults and per-column overrides of a panel. */
export type FieldConfig = Json<FieldConfigSource>;

/** The panel types the dashboards use. */
export type PanelType = 'stat' | 'table' | 'timeseries' | 'barchart' | 'piechart';

/** A dashboard panel, as `@grafana/schema` describes it, with the fields every generated panel has. */
export type Panel = Json<SchemaPanel> & {
  id: number;
  type: PanelType;
  title: string;
  description: string;
  gridPos: Json<GridPos>;
  datasource: DataSourceRef;
  targets: (ClickHouseTarget | DashboardTarget)[];
  fieldConfig: FieldConfig;
  options: Record<string, unknown>;
  transformations: Json<DataTransformerConfig>[];
};

/** A template variable. */
export type Variable = Json<VariableModel> & { type: 'datasource' | 'query'; name: string; label: string };

/** A dashboard link. */
export type DashboardLink = Json<SchemaDashboardLink>;

/** A dashboard as provisioned from a JSON file. */
export type Dashboard = Json<SchemaDashboard> & {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  links: DashboardLink[];
  templating: { list: Variable[] };
  panels: Panel[];
};
