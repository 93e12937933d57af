/**
 * The placeholders a metric's SQL is built from, so the CLI (query parameters) and Grafana
 * (macros) run the same definition. Each field is SQL text inserted as is.
 */
export interface MetricSqlContext {
  /** Database of the genai-cost tables. */
  database: string;
  /** Boolean SQL on `Timestamp` of `genai_spans` selecting the window; CLI: `Timestamp >= {from:DateTime64(3)} AND Timestamp < {to:DateTime64(3)}`, Grafana: `$__timeFilter(Timestamp)`. */
  timeFilter: string;
  /**
   * Boolean SQL on a rollup's `Day` selecting the whole UTC days of the window read from the
   * rollups; the raw spans of those days are skipped, the rest of the window is read raw. Every
   * day it selects must lie wholly inside `timeFilter`. Default: none (raw spans only).
   */
  dayFilter?: string | undefined;
  /** SQL expression for the window's length in days (D); CLI: `{days:Float64}`. */
  days: string;
  /**
   * SQL DateTime expression for the window's end, which month-to-date and last-hour metrics measure
   * from; CLI: `{to:DateTime64(3)}`, Grafana: `$__toTime`. Default: `now()`.
   */
  to?: string | undefined;
  /** Boolean SQL on `Tier`, `ServiceName`, `Feature`, `Provider` or `Model` (columns of the spans and both rollups), ANDed. Default: none. */
  filters?: string[] | undefined;
  /** SQL String expression naming the tag key that tag metrics (`tagCost`) group by; CLI: `{tagKey:String}`. Default: `''`, no tag (no rows). */
  tagKey?: string | undefined;
  /** A filter on one tag's values (Grafana's tag variables). Default: none. */
  tagFilter?: TagFilter | undefined;
}

/**
 * A filter on the values of one tag. Only raw spans and `genai_tag_daily` know tags: while the
 * filter is active, whole days come from `genai_tag_daily` instead of `genai_user_daily`, and
 * metrics over `genai_session_daily` read raw spans for the whole window.
 */
export interface TagFilter {
  /** Boolean SQL on `genai_spans.Tags`; true for every span while the filter is inactive. */
  spans: string;
  /** The same on `genai_tag_daily`'s `TagKey` and `TagValue`. */
  rollup: string;
  /** Boolean SQL, the same for every row of a query: whether the filter filters (false: all values). */
  active: string;
}

/** Every condition a read of raw spans applies besides the window: the filters and the tag filter. */
export function spanConditions(ctx: MetricSqlContext): string[] {
  return [...(ctx.filters ?? []), ...(ctx.tagFilter === undefined ? [] : [ctx.tagFilter.spans])];
}

/**
 * The context for Grafana's ClickHouse data source: whole days strictly inside the dashboard's
 * range come from the rollups, the partial first and last days from raw spans.
 */
export function grafanaMetricContext(database: string, filters: string[] = []): MetricSqlContext {
  return {
    database,
    timeFilter: '$__timeFilter(Timestamp)',
    dayFilter: "Day > toDate($__fromTime, 'UTC') AND Day < toDate($__toTime, 'UTC')",
    days: '(toUnixTimestamp($__toTime) - toUnixTimestamp($__fromTime)) / 86400',
    to: '$__toTime',
    filters,
  };
}
