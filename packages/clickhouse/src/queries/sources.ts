import { currentUsersSql } from '../importedUsers.js';
import { currentPlansSql } from '../plans.js';
import { sessionDailyAggregation, tagDailyAggregation, userDailyAggregation } from '../rollups.js';
import { SESSION_DAILY_COLUMNS, TABLES, TAG_DAILY_COLUMNS, TG, USER_DAILY_COLUMNS, qualified } from '../tables.js';
import type { MetricSqlContext } from './context.js';

/** A daily rollup and the aggregation of raw spans that fills it. */
interface Rollup {
  table: string;
  columns: Record<string, string>;
  aggregate: (from: string, conditions: readonly string[]) => string;
  /** Conditions of this source only, valid on the rollup and its raw aggregation alike. */
  conditions?: readonly string[];
}

const USER_DAILY: Rollup = { table: TABLES.userDaily, columns: USER_DAILY_COLUMNS, aggregate: userDailyAggregation };
const SESSION_DAILY: Rollup = { table: TABLES.sessionDaily, columns: SESSION_DAILY_COLUMNS, aggregate: sessionDailyAggregation };

/**
 * The rows a metric aggregates, in the shape of a rollup: rollup rows for the whole days that
 * `dayFilter` selects, plus the same aggregation over raw spans for the rest of the window
 * (`timeFilter AND NOT dayFilter`, where the raw aggregation's `Day` alias is the span's day).
 * Every metric sums these rows again and merges the argMax states, so the split point does not
 * change any number. An active tag filter moves the whole days to `tagged` (the same rows per tag)
 * where the source has one, else to raw spans.
 */
function source(ctx: MetricSqlContext, rollup: Rollup, tagged?: Rollup): string {
  const filters = [...(ctx.filters ?? []), ...(rollup.conditions ?? [])];
  const tag = ctx.tagFilter;
  const spans = qualified(ctx.database, TABLES.spans);
  const rawConditions = [...filters, ...(tag === undefined ? [] : [tag.spans])];
  if (ctx.dayFilter === undefined) return rollup.aggregate(spans, [ctx.timeFilter, ...rawConditions]);
  const wholeDays = (from: Rollup, conditions: readonly string[]) => `SELECT ${Object.keys(rollup.columns).join(', ')}
  FROM ${qualified(ctx.database, from.table)}
  WHERE ${[ctx.dayFilter!, ...filters, ...conditions].map((c) => `(${c})`).join(' AND ')}`;
  const parts = [wholeDays(rollup, tag === undefined ? [] : [`NOT (${tag.active})`])];
  let rollupDays = ctx.dayFilter;
  if (tag !== undefined && tagged !== undefined) parts.push(wholeDays(tagged, [tag.active, tag.rollup]));
  else if (tag !== undefined) rollupDays = `(${ctx.dayFilter}) AND NOT (${tag.active})`;
  parts.push(rollup.aggregate(spans, [ctx.timeFilter, `NOT (${rollupDays})`, ...rawConditions]));
  return parts.join('\n  UNION ALL\n  ');
}

/** Rows shaped like `genai_user_daily` covering the window. */
export function userDailySource(ctx: MetricSqlContext): string {
  return source(ctx, USER_DAILY, { ...USER_DAILY, table: TABLES.tagDaily });
}

/** Rows shaped like `genai_session_daily` covering the window. */
export function sessionDailySource(ctx: MetricSqlContext): string {
  return source(ctx, SESSION_DAILY);
}

/** Rows shaped like `genai_tag_daily` of the tag `ctx.tagKey` covering the window. */
export function tagDailySource(ctx: MetricSqlContext): string {
  const conditions = [`${TG.TagKey} = ${ctx.tagKey ?? "''"}`];
  return source(ctx, { table: TABLES.tagDaily, columns: TAG_DAILY_COLUMNS, aggregate: tagDailyAggregation, conditions });
}

/** The current plans (see `replacePlans`). */
export function plansSource(ctx: MetricSqlContext): string {
  return currentPlansSql(ctx.database);
}

/** The users imported from billing (see `replaceUsers`). */
export function importedUsersSource(ctx: MetricSqlContext): string {
  return currentUsersSql(ctx.database);
}
