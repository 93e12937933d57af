import { S } from '../tables.js';
import type { MetricSqlContext } from './context.js';

/** A report's time window [from, to) and optional filters. */
export interface ReportWindow {
  from: Date;
  to: Date;
  /** Only spans of this tier. Default: all. */
  tier?: string;
  /** Only spans of this feature. Default: all. */
  feature?: string;
  /** Only spans of this model. Default: all. */
  model?: string;
  /** Only spans of this service. Default: all. */
  serviceName?: string;
}

/** A metric context filled with query parameters, and the parameters. */
export interface BoundContext {
  ctx: MetricSqlContext;
  params: Record<string, string | number>;
}

const DAY_MS = 86_400_000;

/**
 * The metric context for a window, with query parameters: whole UTC days inside the window are
 * read from the rollups, the partial days at either end from raw spans, so the numbers are exact
 * for any window and fast for long ones.
 */
export function bindWindow(database: string, window: ReportWindow): BoundContext {
  const fromMs = window.from.getTime();
  const toMs = window.to.getTime();
  if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs >= toMs) {
    throw new RangeError(`report window: expected valid dates with from < to, got ${String(window.from)} .. ${String(window.to)}`);
  }
  const params: Record<string, string | number> = { from: seconds(fromMs), to: seconds(toMs), days: (toMs - fromMs) / DAY_MS };
  const firstWholeDay = Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const endOfWholeDays = Math.floor(toMs / DAY_MS) * DAY_MS;
  let dayFilter: string | undefined;
  if (firstWholeDay < endOfWholeDays) {
    params.dayFrom = isoDate(firstWholeDay);
    params.dayTo = isoDate(endOfWholeDays);
    dayFilter = 'Day >= {dayFrom:Date} AND Day < {dayTo:Date}';
  }
  const filters: string[] = [];
  const filter = (value: string | undefined, column: string, name: string) => {
    if (value === undefined) return;
    params[name] = value;
    filters.push(`${column} = {${name}:String}`);
  };
  filter(window.tier, S.Tier, 'filterTier');
  filter(window.feature, S.Feature, 'filterFeature');
  filter(window.model, S.Model, 'filterModel');
  filter(window.serviceName, S.ServiceName, 'filterService');
  return {
    ctx: {
      database,
      timeFilter: `${S.Timestamp} >= {from:DateTime64(3)} AND ${S.Timestamp} < {to:DateTime64(3)}`,
      dayFilter,
      days: '{days:Float64}',
      to: '{to:DateTime64(3)}',
      filters,
    },
    params,
  };
}

/** Epoch seconds with milliseconds: parsed the same by every server time zone, unlike a date-time string. */
function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
