import { S, SS, TG, U } from './tables.js';

/**
 * The aggregations behind the rollups. Each is used twice: as the SELECT of the materialized view
 * that keeps the rollup, and by the metric queries over raw spans for the part of a window the
 * rollup does not cover (partial days), so both paths aggregate identically by construction.
 * Changing one needs a migration that recreates its view.
 */

/** Only model calls carry usage; wrapper and other GenAI spans would count calls twice. */
const INFERENCE = `${S.SpanRole} = 'inference'`;

function where(extra: readonly string[]): string {
  return [INFERENCE, ...extra].map((c) => `(${c})`).join(' AND ');
}

/** Rows of `genai_user_daily` computed from the spans table `from`, restricted by `conditions`. */
export function userDailyAggregation(from: string, conditions: readonly string[] = []): string {
  return perUserDay(from, '', [U.Tier, U.ServiceName, U.Feature, U.Provider, U.Model, U.UserId, U.TenantId], conditions);
}

/**
 * Rows of `genai_tag_daily` computed from the spans table `from`, restricted by `conditions`
 * (which may name `TagKey` and `TagValue`): one row set per tag, spans without tags in none.
 */
export function tagDailyAggregation(from: string, conditions: readonly string[] = []): string {
  const join = `
  ARRAY JOIN mapKeys(${S.Tags}) AS ${TG.TagKey}, mapValues(${S.Tags}) AS ${TG.TagValue}`;
  return perUserDay(from, join, [TG.TagKey, TG.TagValue, TG.Tier, TG.ServiceName, TG.Feature, TG.Provider, TG.Model, TG.UserId, TG.TenantId], conditions);
}

/** The user rollups' aggregation per day and `keys`, of the spans of `from` (with `join`). */
function perUserDay(from: string, join: string, keys: readonly string[], conditions: readonly string[]): string {
  return `SELECT
    toDate(${S.Timestamp}) AS ${U.Day}, ${keys.join(', ')},
    count() AS ${U.Calls},
    countIf(NOT ${S.Priced}) AS ${U.UnpricedCalls},
    sumIf(${S.CostUsd}, ${S.Priced}) AS ${U.CostUsd},
    sum(${S.InputTokens}) AS ${U.InputTokens},
    sum(${S.OutputTokens}) AS ${U.OutputTokens},
    sum(${S.CacheReadTokens}) AS ${U.CacheReadTokens},
    sum(${S.CacheWriteTokens}) AS ${U.CacheWriteTokens},
    sum(${S.ReasoningTokens}) AS ${U.ReasoningTokens},
    argMaxState(${S.Tier}, ${S.Timestamp}) AS ${U.LatestTier}
  FROM ${from}${join}
  WHERE ${where(conditions)}
  GROUP BY ${U.Day}, ${keys.join(', ')}`;
}

/** Rows of `genai_session_daily` computed from the spans table `from`, restricted by `conditions`. */
export function sessionDailyAggregation(from: string, conditions: readonly string[] = []): string {
  const keys = [SS.Tier, SS.ServiceName, SS.Feature, SS.Provider, SS.Model, SS.SessionId];
  return `SELECT
    toDate(${S.Timestamp}) AS ${SS.Day}, ${keys.join(', ')},
    count() AS ${SS.Calls},
    sumIf(${S.CostUsd}, ${S.Priced}) AS ${SS.CostUsd},
    argMaxState(${S.Tier}, ${S.Timestamp}) AS ${SS.LatestTier},
    argMaxState(${S.Feature}, ${S.Timestamp}) AS ${SS.LatestFeature}
  FROM ${from}
  WHERE ${where([`${S.SessionId} != ''`, ...conditions])}
  GROUP BY ${SS.Day}, ${keys.join(', ')}`;
}
