import { currentUsersSql } from '../importedUsers.js';
import { currentPlansSql } from '../plans.js';
import { sessionDailyAggregation, userDailyAggregation } from '../rollups.js';
import { SESSION_DAILY_COLUMNS, TABLES, USER_DAILY_COLUMNS, qualified } from '../tables.js';
import type { MetricSqlContext } from './context.js';

/**
 * The rows a metric aggregates, in the shape of a rollup: rollup rows for the whole days that
 * `dayFilter` selects, plus the same aggregation over raw spans for the rest of the window
 * (`timeFilter AND NOT dayFilter`, where the raw aggregation's `Day` alias is the span's day).
 * Every metric sums these rows again and merges the argMax states, so the split point does not
 * change any number.
 */
function source(
  ctx: MetricSqlContext,
  rollupTable: string,
  columns: Record<string, string>,
  aggregate: (from: string, conditions: readonly string[]) => string,
): string {
  const filters = ctx.filters ?? [];
  const spans = qualified(ctx.database, TABLES.spans);
  if (ctx.dayFilter === undefined) return aggregate(spans, [ctx.timeFilter, ...filters]);
  const rollup = `SELECT ${Object.keys(columns).join(', ')}
  FROM ${qualified(ctx.database, rollupTable)}
  WHERE ${[ctx.dayFilter, ...filters].map((c) => `(${c})`).join(' AND ')}`;
  return `${rollup}\n  UNION ALL\n  ${aggregate(spans, [ctx.timeFilter, `NOT (${ctx.dayFilter})`, ...filters])}`;
}

/** Rows shaped like `genai_user_daily` covering the window. */
export function userDailySource(ctx: MetricSqlContext): string {
  return source(ctx, TABLES.userDaily, USER_DAILY_COLUMNS, userDailyAggregation);
}

/** Rows shaped like `genai_session_daily` covering the window. */
export function sessionDailySource(ctx: MetricSqlContext): string {
  return source(ctx, TABLES.sessionDaily, SESSION_DAILY_COLUMNS, sessionDailyAggregation);
}

/** The current plans (see `replacePlans`). */
export function plansSource(ctx: MetricSqlContext): string {
  return currentPlansSql(ctx.database);
}

/** The users imported from billing (see `replaceUsers`). */
export function importedUsersSource(ctx: MetricSqlContext): string {
  return currentUsersSql(ctx.database);
}
