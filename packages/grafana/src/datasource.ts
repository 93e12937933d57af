import type { DataSourceRef } from './types.js';

/** Plugin id of Grafana's ClickHouse data source. */
export const DATASOURCE_TYPE = 'grafana-clickhouse-datasource';
/** Uid of the provisioned ClickHouse data source (grafana/provisioning/datasources/clickhouse.yaml). */
export const DATASOURCE_UID = 'genai-cost-clickhouse';
/** Name of the dashboards' data source variable. */
export const DATASOURCE_VARIABLE = 'datasource';

/** What panels and query variables name: the variable, so a dashboard can be pointed at another ClickHouse. */
export const PANEL_DATASOURCE: DataSourceRef = { type: DATASOURCE_TYPE, uid: `\${${DATASOURCE_VARIABLE}}` };
/** What alert rules name: they have no variables, so the fixed uid. */
export const ALERT_DATASOURCE: DataSourceRef = { type: DATASOURCE_TYPE, uid: DATASOURCE_UID };
/** Grafana's built-in data source that hands a panel the result of another panel's query. */
export const DASHBOARD_DATASOURCE: DataSourceRef = { type: 'datasource', uid: '-- Dashboard --' };
