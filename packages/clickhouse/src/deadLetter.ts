import { wellFormed } from './sanitize.js';
import type { RejectRecord } from './spool.js';
import { SPAN_REJECTED_COLUMNS } from './tables.js';

/** Columns of the dead-letter table, in the order its lines hold them. */
export const DEAD_LETTER_COLUMNS: readonly string[] = Object.keys(SPAN_REJECTED_COLUMNS);

/** Longest reason kept; ClickHouse errors can quote whole rows. */
const MAX_REASON = 1_000;

function text(v: unknown): string {
  return typeof v === 'string' ? wellFormed(v) : '';
}

/** JSON of any value; lone surrogates come out as `\udXXX` escapes, which any reader takes. */
function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    return JSON.stringify({ unserializable: String(err) });
  }
}

/** The dead-letter record of a row the sanitiser refused. */
export function rejectRow(row: Readonly<Record<string, unknown>>, reason: string): RejectRecord {
  return { traceId: text(row.TraceId), spanId: text(row.SpanId), reason: reason.slice(0, MAX_REASON), row: json(row) };
}

/** The dead-letter record of an encoded line ClickHouse refused, its values named by `columns`. */
export function rejectLine(columns: readonly string[], line: string, reason: string): RejectRecord {
  const values = JSON.parse(line) as unknown[];
  const row = Object.fromEntries(columns.map((c, i) => [c, values[i]]));
  return { traceId: text(row.TraceId), spanId: text(row.SpanId), reason: reason.slice(0, MAX_REASON), row: json(row) };
}

/** The JSONCompactEachRow line of a dead-letter row for `table`, rejected at `atMs`. */
export function deadLetterLine(record: RejectRecord, table: string, atMs: number): string {
  const at = new Date(atMs).toISOString();
  return JSON.stringify([`${at.slice(0, 10)} ${at.slice(11, 23)}`, table, record.traceId, record.spanId, wellFormed(record.reason), record.row]);
}
