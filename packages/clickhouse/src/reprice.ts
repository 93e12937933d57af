import { randomBytes } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import { SERVICE_TIERS, priceUsage } from '@genai-cost/pricing';
import type { PriceCatalog, PriceRequest } from '@genai-cost/pricing';
import { ClickHouseConfigError } from './errors.js';
import { sessionDailyAggregation, tagDailyAggregation, userDailyAggregation } from './rollups.js';
import { DEFAULT_DATABASE, S, SESSION_DAILY_COLUMNS, SS, TABLES, TAG_DAILY_COLUMNS, TG, U, USER_DAILY_COLUMNS, qualified } from './tables.js';
import type { SpanRow } from './tables.js';

/** Options of {@link reprice}. */
export interface RepriceOptions {
  /** Database of the genai-cost tables. Default: `genai_cost`. */
  database?: string;
  /** Spans that started at or after this. */
  from: Date;
  /** Spans that started before this. */
  to: Date;
  /** Only give a price to spans stored without one (unknown model). Default: false (every span we priced). */
  onlyUnpriced?: boolean;
  /** Compute and report without writing. Default: false. */
  dryRun?: boolean;
}

/** Spans of one tier whose cost changed, and the tier's cost in the window before and after. */
export interface TierChange {
  tier: string;
  spans: number;
  beforeUsd: number;
  afterUsd: number;
}

/** What {@link reprice} did. */
export interface RepriceResult {
  /** Model-call spans read: priced by genai-cost, or unpriced for want of a price. */
  examined: number;
  /** Unpriced spans that have a price now. */
  newlyPriced: number;
  /** Priced spans whose cost or price id changed. */
  changed: number;
  unchanged: number;
  /** Unpriced spans whose model still has no price. */
  stillUnpriced: number;
  /** Priced spans whose model has no price in today's catalog: left as they were. */
  keptWithoutPrice: number;
  /** Days (UTC) whose rollup rows were rebuilt from the spans. */
  rebuiltDays: string[];
  /** Per tier, over the window; `afterUsd` equals `beforeUsd` plus the changes, also on a dry run. */
  tiers: TierChange[];
}

/**
 * The stored columns a price is recomputed from: every input of `priceUsage` the processor used
 * (model and provider, the tokens of each kind, the service tier and region it priced with, web
 * searches); the time of day and price period come from the Timestamp.
 */
const INPUT_COLUMNS = [
  S.Model,
  S.Provider,
  S.ServiceTier,
  S.Region,
  S.InputTokens,
  S.OutputTokens,
  S.CacheReadTokens,
  S.CacheWriteTokens,
  S.CacheWrite1hTokens,
  S.ReasoningTokens,
  S.AudioInputTokens,
  S.AudioOutputTokens,
  S.ImageInputTokens,
  S.ImageOutputTokens,
  S.WebSearchRequests,
] as const;

/** One stored model-call span as `reprice` reads it: its price inputs, the cost exact as text, and when it started. */
export type StoredSpan = Pick<SpanRow, typeof S.TraceId | typeof S.SpanId | typeof S.Tier | typeof S.Priced | typeof S.PriceId | (typeof INPUT_COLUMNS)[number]> & {
  AtMs: number;
  Day: string;
  CostUsd: string;
};

const TIERS = new Set<string>(SERVICE_TIERS);

/**
 * The service tier and region a stored price id names (`…@2025-08-07+flex+us`): the fallback for
 * rows whose ServiceTier and Region columns are empty; context tiers, time windows and the region
 * classes a model id carries (`geo`, `in-region`) are recomputed.
 */
export function dimensionsOfPriceId(priceId: string): { serviceTier?: string; region?: string } {
  const out: { serviceTier?: string; region?: string } = {};
  for (const part of priceId.split('+').slice(1)) {
    if (TIERS.has(part)) out.serviceTier = part;
    else if (!part.startsWith('ctx>') && part !== 'peak' && part !== 'off-peak' && part !== 'geo' && part !== 'in-region') out.region = part;
  }
  return out;
}

/** The price request of a stored span: what the span processor passed to `priceUsage` for it. */
export function toPriceRequest(row: StoredSpan): PriceRequest {
  const fromId = row.Priced && (row.ServiceTier === '' || row.Region === '') ? dimensionsOfPriceId(row.PriceId) : undefined;
  return {
    model: row.Model,
    provider: row.Provider === '' ? undefined : row.Provider,
    at: row.AtMs,
    usage: {
      inputTokens: row.InputTokens,
      outputTokens: row.OutputTokens,
      cacheReadTokens: row.CacheReadTokens,
      cacheWriteTokens: row.CacheWriteTokens,
      cacheWrite1hTokens: row.CacheWrite1hTokens,
      reasoningTokens: row.ReasoningTokens,
      audioInputTokens: row.AudioInputTokens,
      audioOutputTokens: row.AudioOutputTokens,
      imageInputTokens: row.ImageInputTokens,
      imageOutputTokens: row.ImageOutputTokens,
    },
    serviceTier: row.ServiceTier === '' ? fromId?.serviceTier : row.ServiceTier,
    region: row.Region === '' ? fromId?.region : row.Region,
    requests: row.WebSearchRequests > 0 ? { web_search: row.WebSearchRequests } : undefined,
  };
}

const seconds = (d: Date) => (d.getTime() / 1000).toFixed(3);
const DAY_MS = 86_400_000;
/** Costs are stored with 10 decimals; closer than this is the same cost. */
const SAME_USD = 5e-11;

interface Change {
  TraceId: string;
  SpanId: string;
  CostUsd: number;
  PriceId: string;
  Hit: 1;
}

/**
 * Recomputes the cost of stored model-call spans from their stored tokens with `catalog`
 * (through `priceUsage`, as the span processor prices them), writes the changed costs into
 * `genai_spans`, and rebuilds the rollup rows (`genai_user_daily`, `genai_session_daily`) of every
 * day that changed or whose rollup no longer equals its spans, so the table, the rollups and
 * every report agree afterwards. Spans whose cost came from another tool are left alone. Running
 * it again with the same catalog changes nothing. Single node only (chDB or one server).
 */
export async function reprice(client: ClickHouseClient, catalog: PriceCatalog, options: RepriceOptions): Promise<RepriceResult> {
  const database = options.database ?? DEFAULT_DATABASE;
  if (!(options.from.getTime() < options.to.getTime())) throw new ClickHouseConfigError('reprice: expected from < to');
  const spans = qualified(database, TABLES.spans);
  await refuseCluster(client, database);

  const window = `${S.Timestamp} >= {from:DateTime64(3)} AND ${S.Timestamp} < {to:DateTime64(3)}`;
  const params = { from: seconds(options.from), to: seconds(options.to) };
  const unpriced = `(NOT ${S.Priced} AND ${S.UnpricedReason} = 'unknown_model')`;
  const ours = `(${S.Priced} AND ${S.PriceId} NOT IN ('', 'span'))`;
  const before = await tierTotals(client, spans, window, params);

  const result: RepriceResult = { examined: 0, newlyPriced: 0, changed: 0, unchanged: 0, stillUnpriced: 0, keptWithoutPrice: 0, rebuiltDays: [], tiers: [] };
  const changes: Change[] = [];
  const changedDays = new Set<string>();
  const deltaByTier = new Map<string, { spans: number; usd: number }>();
  // One day at a time, so memory holds one day's spans however long the window.
  for (let day = Math.floor(options.from.getTime() / DAY_MS) * DAY_MS; day < options.to.getTime(); day += DAY_MS) {
    const rows = await query<StoredSpan>(
      client,
      `SELECT ${S.TraceId}, ${S.SpanId}, toUnixTimestamp64Milli(${S.Timestamp}) AS AtMs, toString(toDate(${S.Timestamp})) AS Day, ${S.Tier},
         ${INPUT_COLUMNS.join(', ')}, toString(${S.CostUsd}) AS CostUsd, ${S.Priced}, ${S.PriceId}
       FROM ${spans}
       WHERE ${S.SpanRole} = 'inference' AND ${window} AND toDate(${S.Timestamp}) = {day:Date}
         AND ${options.onlyUnpriced === true ? unpriced : `(${unpriced} OR ${ours})`}`,
      { ...params, day: new Date(day).toISOString().slice(0, 10) },
    );
    for (const row of rows) {
      result.examined++;
      const priced = priceUsage(catalog, toPriceRequest(row));
      const oldUsd = row.Priced ? Number(row.CostUsd) : 0;
      if (priced === undefined) {
        if (row.Priced) result.keptWithoutPrice++;
        else result.stillUnpriced++;
        continue;
      }
      const newUsd = priced.cost.totalUsd;
      if (row.Priced && Math.abs(newUsd - oldUsd) < SAME_USD && priced.priceId === row.PriceId) {
        result.unchanged++;
        continue;
      }
      if (row.Priced) result.changed++;
      else result.newlyPriced++;
      changes.push({ TraceId: row.TraceId, SpanId: row.SpanId, CostUsd: newUsd, PriceId: priced.priceId, Hit: 1 });
      changedDays.add(row.Day);
      const d = deltaByTier.get(row.Tier) ?? { spans: 0, usd: 0 };
      deltaByTier.set(row.Tier, { spans: d.spans + 1, usd: d.usd + newUsd - oldUsd });
    }
  }

  if (options.dryRun !== true) {
    if (changes.length > 0) await writeSpans(client, database, changes, window, params);
    const stale = await daysOutOfStep(client, database, options);
    result.rebuiltDays = [...new Set([...changedDays, ...stale])].sort();
    if (result.rebuiltDays.length > 0) await rebuildRollups(client, database, result.rebuiltDays);
  }
  const after = options.dryRun === true ? undefined : await tierTotals(client, spans, window, params);
  const tiers = new Set([...before.keys(), ...deltaByTier.keys(), ...(after?.keys() ?? [])]);
  result.tiers = [...tiers].sort().map((tier) => {
    const b = before.get(tier) ?? 0;
    const delta = deltaByTier.get(tier);
    return { tier, spans: delta?.spans ?? 0, beforeUsd: b, afterUsd: after?.get(tier) ?? round(b + (delta?.usd ?? 0)) };
  });
  return result;
}

function round(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}

async function query<T>(client: ClickHouseClient, sql: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await client.query({ query: sql, query_params: params, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  return rs.json<T>();
}

async function refuseCluster(client: ClickHouseClient, database: string): Promise<void> {
  const rows = await query<{ engine: string }>(client, 'SELECT engine FROM system.tables WHERE database = {db:String} AND name = {t:String}', { db: database, t: TABLES.spans });
  if (rows[0]?.engine === 'Distributed') {
    throw new ClickHouseConfigError(`reprice: ${database}.${TABLES.spans} is a Distributed table; repricing a cluster is not supported yet`);
  }
}

async function tierTotals(client: ClickHouseClient, spans: string, window: string, params: Record<string, string>): Promise<Map<string, number>> {
  const rows = await query<{ tier: string; usd: string }>(
    client,
    `SELECT ${S.Tier} AS tier, toString(sumIf(${S.CostUsd}, ${S.Priced})) AS usd FROM ${spans}
     WHERE ${S.SpanRole} = 'inference' AND ${window} GROUP BY tier`,
    params,
  );
  return new Map(rows.map((r) => [r.tier, Number(r.usd)]));
}

/** New costs go in through a Join table: one mutation sets every changed span from it. */
async function writeSpans(client: ClickHouseClient, database: string, changes: Change[], window: string, params: Record<string, string>): Promise<void> {
  const map = qualified(database, `genai_reprice_${randomBytes(6).toString('hex')}`);
  await client.command({
    query: `CREATE TABLE ${map} (TraceId String, SpanId String, CostUsd ${'Decimal(18, 10)'}, PriceId String, Hit UInt8) ENGINE = Join(ANY, LEFT, TraceId, SpanId)`,
  });
  try {
    for (let i = 0; i < changes.length; i += 10_000) {
      await client.insert({ table: map, values: changes.slice(i, i + 10_000), format: 'JSONEachRow' });
    }
    const get = (column: string) => `joinGet('${map}', '${column}', ${S.TraceId}, ${S.SpanId})`;
    await client.command({
      query: `ALTER TABLE ${qualified(database, TABLES.spans)}
        UPDATE ${S.CostUsd} = ${get('CostUsd')}, ${S.PriceId} = ${get('PriceId')}, ${S.Priced} = true, ${S.UnpricedReason} = ''
        WHERE ${window} AND ${get('Hit')} = 1`,
      query_params: params,
      clickhouse_settings: { mutations_sync: '2' },
    });
  } finally {
    await client.command({ query: `DROP TABLE IF EXISTS ${map}` });
  }
}

/** Whole days of the window whose rollup totals differ from their spans (a repair a later run also makes). */
async function daysOutOfStep(client: ClickHouseClient, database: string, options: RepriceOptions): Promise<string[]> {
  const params = { dayFrom: options.from.toISOString().slice(0, 10), dayTo: options.to.toISOString().slice(0, 10) };
  const rows = await query<{ day: string }>(
    client,
    `SELECT toString(day) AS day FROM (
       SELECT ${U.Day} AS day, sum(${U.Calls}) AS calls, sum(${U.UnpricedCalls}) AS unpriced, sum(${U.CostUsd}) AS usd, 'rollup' AS side
       FROM ${qualified(database, TABLES.userDaily)} WHERE ${U.Day} BETWEEN {dayFrom:Date} AND {dayTo:Date} GROUP BY day
       UNION ALL
       SELECT toDate(${S.Timestamp}) AS day, count() AS calls, countIf(NOT ${S.Priced}) AS unpriced, toDecimal128(sumIf(${S.CostUsd}, ${S.Priced}), 10) AS usd, 'spans' AS side
       FROM ${qualified(database, TABLES.spans)}
       WHERE ${S.SpanRole} = 'inference' AND toDate(${S.Timestamp}) BETWEEN {dayFrom:Date} AND {dayTo:Date} GROUP BY day
     ) GROUP BY day HAVING uniqExact(calls, unpriced, usd) > 1 OR count() = 1 ORDER BY day`,
    params,
  );
  return rows.map((r) => r.day);
}

/**
 * Replaces the rollup rows of `days` with the aggregation of their spans. Spans written for those
 * days while this runs can be counted twice in a rollup; a later `reprice` over the days finds
 * such days out of step and rebuilds them again.
 */
async function rebuildRollups(client: ClickHouseClient, database: string, days: string[]): Promise<void> {
  const dayList = `(${days.map((d) => `'${d}'`).join(', ')})`;
  const spans = qualified(database, TABLES.spans);
  for (const [table, columns, aggregate, dayColumn] of [
    [TABLES.userDaily, USER_DAILY_COLUMNS, userDailyAggregation, U.Day],
    [TABLES.sessionDaily, SESSION_DAILY_COLUMNS, sessionDailyAggregation, SS.Day],
    [TABLES.tagDaily, TAG_DAILY_COLUMNS, tagDailyAggregation, TG.Day],
  ] as const) {
    const target = qualified(database, table);
    await client.command({ query: `ALTER TABLE ${target} DELETE WHERE ${dayColumn} IN ${dayList}`, clickhouse_settings: { mutations_sync: '2' } });
    await client.command({ query: `INSERT INTO ${target} (${Object.keys(columns).join(', ')}) ${aggregate(spans, [`toDate(${S.Timestamp}) IN ${dayList}`])}` });
  }
}
