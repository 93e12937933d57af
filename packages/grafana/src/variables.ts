import { dimensionValuesSql } from '@genai-cost/clickhouse';
import type { FilterColumn } from '@genai-cost/clickhouse';
import { DATASOURCE_TYPE, DATASOURCE_UID, DATASOURCE_VARIABLE, PANEL_DATASOURCE } from './datasource.js';
import type { Variable } from './types.js';

/** A dashboard filter: template variable name, label and the column it filters. */
export interface Filter {
  name: string;
  label: string;
  column: FilterColumn;
}

/** The filters every dashboard offers. */
export const FILTERS = {
  tier: { name: 'tier', label: 'Tier', column: 'Tier' },
  feature: { name: 'feature', label: 'Feature', column: 'Feature' },
  model: { name: 'model', label: 'Model', column: 'Model' },
  service: { name: 'service', label: 'Service', column: 'ServiceName' },
} as const satisfies Record<string, Filter>;

/** All filters, in the order the variables appear. */
export const ALL_FILTERS: readonly Filter[] = Object.values(FILTERS);

/** The filter's SQL condition; the plugin drops it (`1=1`) when the variable is All or empty. */
export function filterCondition(filter: Filter): string {
  return `$__conditionalAll(${filter.column} IN (\${${filter.name}:singlequote}), $${filter.name})`;
}

/** The `datasource` variable, defaulting to the provisioned ClickHouse. */
export function datasourceVariable(): Variable {
  return {
    type: 'datasource',
    name: DATASOURCE_VARIABLE,
    label: 'ClickHouse',
    query: DATASOURCE_TYPE,
    current: { selected: true, text: 'genai-cost ClickHouse', value: DATASOURCE_UID },
    hide: 0,
    refresh: 1,
    regex: '',
  };
}

/** A multi-value query variable listing a filter column's values. */
export function filterVariable(filter: Filter, database: string): Variable {
  return {
    type: 'query',
    name: filter.name,
    label: filter.label,
    datasource: PANEL_DATASOURCE,
    query: dimensionValuesSql(database, filter.column),
    definition: dimensionValuesSql(database, filter.column),
    refresh: 2,
    multi: true,
    includeAll: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
    hide: 0,
  };
}
