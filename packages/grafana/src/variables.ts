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

/**
 * The filter's SQL condition; the plugin drops it (`1=1`) when the variable is All or empty.
 *
 * A URL can set a variable to any text, so the selection reaches the SQL only percent-encoded,
 * inside string literals no value can end: Grafana's `singlequote` and `sqlstring` formats leave
 * `\` as it is, which ClickHouse reads as an escape (`\') OR 1=1) --` widens the query).
 * - `queryparam` gives `var-tier=free&var-tier=team`, one item per value, `&` and `=` inside a
 *   value encoded: the values exactly. Grafana 12 leaves `$` and `_` as they are, though, and the
 *   plugin's backend rewrites `$__name` even inside a literal (`$__table` becomes empty).
 * - `percentencode` gives `%7Bfree%2Cteam%7D`, `$` encoded, so the backend never rewrites it:
 *   a selection holding `$__` finds nothing rather than what the rewrite would select.
 */
export function filterCondition(filter: Filter): string {
  const values = `arrayMap(p -> decodeURLComponent(substring(p, position(p, '=') + 1)), splitByChar('&', '\${${filter.name}:queryparam}'))`;
  const macroFree = `position(decodeURLComponent('\${${filter.name}:percentencode}'), concat(char(36), '__')) = 0`;
  return `$__conditionalAll(has(${values}, ${filter.column}) AND ${macroFree}, $${filter.name})`;
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
    refresh: 2,
    multi: true,
    includeAll: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
    hide: 0,
  };
}
