import { TABLES, qualified } from '../tables.js';
import type { FILTER_COLUMNS } from '../tables.js';

/** A column that dashboards filter on. */
export type FilterColumn = (typeof FILTER_COLUMNS)[number];

/** SQL listing the non-empty values of a filter column, from the daily rollup (small, and filled as spans arrive). */
export function dimensionValuesSql(database: string, column: FilterColumn): string {
  return `SELECT DISTINCT ${column} FROM ${qualified(database, TABLES.userDaily)} WHERE ${column} != '' ORDER BY ${column}`;
}
