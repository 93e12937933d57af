import { S, TABLES, TG, qualified } from '../tables.js';
import type { FILTER_COLUMNS } from '../tables.js';

/** A column that dashboards filter on. */
export type FilterColumn = (typeof FILTER_COLUMNS)[number];

/** SQL listing the non-empty values of a filter column, from the daily rollup (small, and filled as spans arrive). */
export function dimensionValuesSql(database: string, column: FilterColumn): string {
  return `SELECT DISTINCT ${column} FROM ${qualified(database, TABLES.userDaily)} WHERE ${column} != '' ORDER BY ${column}`;
}

/** SQL listing the tag keys, from the tag rollup. */
export function tagKeysSql(database: string): string {
  return `SELECT DISTINCT ${TG.TagKey} FROM ${qualified(database, TABLES.tagDaily)} ORDER BY ${TG.TagKey}`;
}

/** SQL listing the values of the tag whose key is the SQL String expression `key`, where `guard` holds. */
export function tagValuesSql(database: string, key: string, guard: string): string {
  return `SELECT DISTINCT ${TG.TagValue} FROM ${qualified(database, TABLES.tagDaily)} WHERE ${TG.TagKey} = ${key} AND ${guard} ORDER BY ${TG.TagValue}`;
}

/**
 * The conditions of a filter on the tag `key` having one of `values` (SQL String and
 * Array(String) expressions), where `guard` holds, for a `TagFilter`: on raw spans and on the tag rollup.
 */
export function tagFilterConditions(key: string, values: string, guard: string): { spans: string; rollup: string } {
  return {
    spans: `has(${values}, ${S.Tags}[${key}]) AND ${guard}`,
    rollup: `${TG.TagKey} = ${key} AND has(${values}, ${TG.TagValue}) AND ${guard}`,
  };
}
