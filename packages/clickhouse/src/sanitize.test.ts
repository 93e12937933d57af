import { describe, expect, it } from 'vitest';
import { compileRowEncoder } from './sanitize.js';
import { SPAN_COLUMNS } from './tables.js';
import { testRow } from './test-support/rows.js';

const sanitize = compileRowEncoder(SPAN_COLUMNS);
const columns = Object.keys(SPAN_COLUMNS);
const value = (row: Record<string, unknown>, column: string) => {
  const r = sanitize(row);
  if (!r.ok) throw new Error(r.reason);
  return (JSON.parse(r.line) as unknown[])[columns.indexOf(column)];
};

describe('compileRowEncoder over the genai_spans columns of tables.ts', () => {
  it('keeps a valid row as it is, in column order, with the time in a form ClickHouse reads for every year', () => {
    const row = testRow({ Timestamp: '1764410400.000000042' });
    const r = sanitize(row as unknown as Record<string, unknown>);
    expect(r.ok && JSON.parse(r.line)).toEqual(columns.map((c) => (c === 'Timestamp' ? '2025-11-29 10:00:00.000000042' : (row as unknown as Record<string, unknown>)[c])));
    expect(value(row as unknown as Record<string, unknown>, 'Timestamp')).toBe('2025-11-29 10:00:00.000000042');
    expect(value({ ...row, Timestamp: '1764410400.5' }, 'Timestamp')).toBe('2025-11-29 10:00:00.500000000');
    expect(value(row as unknown as Record<string, unknown>, 'CostUsd')).toBe(0.0057);
  });

  it('replaces lone surrogates in strings and map keys and values, and turns other values into text', () => {
    const row = { ...testRow(), UserId: 'a\ud83d', SpanAttributes: { 'k\udc00': 'v\ud83d', ok: '🧪', n: 5 }, Tier: 7, Feature: undefined, StatusMessage: 'a literal \\ud83d stays' };
    expect(value(row, 'UserId')).toBe('a\ufffd');
    expect(value(row, 'SpanAttributes')).toEqual({ 'k\ufffd': 'v\ufffd', ok: '🧪', n: '5' });
    expect(value(row, 'Tier')).toBe('7');
    expect(value(row, 'Feature')).toBe('');
    expect(value(row, 'StatusMessage')).toBe('a literal \\ud83d stays');
  });

  it.each([
    ['CostUsd', 1e8, 'CostUsd: 100000000 does not fit Decimal(18, 10) (at most 8 integer digits)'],
    ['CostUsd', Number.NaN, 'CostUsd: NaN is not a finite number (Decimal(18, 10))'],
    ['InputTokens', -1, 'InputTokens: -1 is outside the range of UInt64'],
    ['InputTokens', 2 ** 64, 'InputTokens: 18446744073709552000 is outside the range of UInt64'],
    ['InputTokens', 1.5, 'InputTokens: 1.5 is not a whole number (UInt64)'],
    ['Priced', 'yes', 'Priced: "yes" is not true or false (Bool)'],
    ['Timestamp', '-5.000000000', 'Timestamp: "-5.000000000" is not a time as seconds.nanoseconds (DateTime64(9, \'UTC\'))'],
    ['Timestamp', '7258118400.000000000', "Timestamp: 7258118400.000000000 is after 2106-02-07, beyond what DateTime64(9, 'UTC') partitions and TTL can hold"],
    ['SpanAttributes', 'text', 'SpanAttributes: "text" is not a map'],
  ])('rejects %s = %s', (column, bad, reason) => {
    expect(sanitize({ ...testRow(), [column]: bad })).toEqual({ ok: false, reason });
  });

  it('covers a column added to the table without code: types are read from the declarations', () => {
    const withNew = compileRowEncoder({ ...SPAN_COLUMNS, AudioTokens: 'UInt32 CODEC(T64, ZSTD(1))', Note: 'Nullable(String)', Score: 'Float64' });
    const base = testRow() as unknown as Record<string, unknown>;
    expect(withNew({ ...base, AudioTokens: 2 ** 32 })).toEqual({ ok: false, reason: 'AudioTokens: 4294967296 is outside the range of UInt32' });
    expect(withNew({ ...base, AudioTokens: 3, Score: Number.POSITIVE_INFINITY })).toEqual({ ok: false, reason: 'Score: Infinity is not a finite number (Float64)' });
    const ok = withNew({ ...base, AudioTokens: 3, Score: 0.5 });
    expect(ok.ok && (JSON.parse(ok.line) as unknown[]).slice(-3)).toEqual([3, null, 0.5]);
  });
});
