import { dimensionValuesSql, tagFilterConditions, tagKeysSql, tagValuesSql } from '@genai-cost/clickhouse';
import type { FilterColumn, TagFilter } from '@genai-cost/clickhouse';
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
  return `$__conditionalAll(has(${selected(filter.name)}, ${filter.column}) AND ${macroFree(filter.name)}, $${filter.name})`;
}

/** The values selected in variable `name`, as an Array(String) expression (see {@link filterCondition}). */
const selected = (name: string) => `arrayMap(p -> decodeURLComponent(substring(p, position(p, '=') + 1)), splitByChar('&', '\${${name}:queryparam}'))`;

/** True unless the selection of variable `name` holds `$__`, which the plugin's backend would rewrite. */
const macroFree = (name: string) => `position(decodeURLComponent('\${${name}:percentencode}'), concat(char(36), '__')) = 0`;

/** The tag variables: the key (one, from the tags spans carry) and its values (any, or All). */
export const TAG_VARIABLES = { key: 'tag_key', value: 'tag_value' } as const;

/**
 * The selected tag key as a String expression: the first value of `tag_key`, read as the filters
 * read theirs. A key that is not a tag key (`isTagKey`), or holds `$__`, fails the guard below.
 */
export const tagKeyExpression = (): string => {
  const first = `splitByChar('&', '\${${TAG_VARIABLES.key}:queryparam}')[1]`;
  return `decodeURLComponent(substring(${first}, position(${first}, '=') + 1))`;
};

/**
 * Holds for a key of the shape `isTagKey` accepts and selections without `$__`. The pattern ends
 * with RE2's `\z`, not `$`: the plugin puts conditions in with String.replace, where `$'` is a pattern.
 */
const tagGuard = () =>
  `match(${tagKeyExpression()}, '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\\\\z') AND ${macroFree(TAG_VARIABLES.key)} AND ${macroFree(TAG_VARIABLES.value)}`;

/**
 * The dashboards' tag filter: spans whose tag `tag_key` has one of the values of `tag_value`. The
 * plugin drops each condition (`1=1`) while `tag_value` is All or empty, so `active` is false then
 * and the metrics read the rollups as without it. The values reach the SQL as the filters' do.
 */
export function tagFilter(): TagFilter {
  const conditions = tagFilterConditions(tagKeyExpression(), selected(TAG_VARIABLES.value), tagGuard());
  const all = (condition: string) => `$__conditionalAll(${condition}, $${TAG_VARIABLES.value})`;
  return { spans: all(conditions.spans), rollup: all(conditions.rollup), active: `NOT ${all('0')}` };
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

/** The tag key variable: one of the keys the spans' tags have (the first by default). */
export function tagKeyVariable(database: string): Variable {
  return {
    type: 'query',
    name: TAG_VARIABLES.key,
    label: 'Tag',
    description: 'Filter by a tag (withAttribution tags, saas.tag.<key> attributes); pick its values next',
    datasource: PANEL_DATASOURCE,
    query: tagKeysSql(database),
    refresh: 1,
    multi: false,
    includeAll: false,
    sort: 1,
    hide: 0,
  };
}

/** The tag value variable: values of the selected tag key; All (the default) filters nothing. */
export function tagValueVariable(database: string): Variable {
  return {
    type: 'query',
    name: TAG_VARIABLES.value,
    label: 'Tag value',
    datasource: PANEL_DATASOURCE,
    query: tagValuesSql(database, tagKeyExpression(), tagGuard()),
    refresh: 1,
    multi: true,
    includeAll: true,
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
    hide: 0,
  };
}
