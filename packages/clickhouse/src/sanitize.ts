/**
 * Makes rows valid for their ClickHouse columns before they are sent, so one bad value never
 * sinks a batch. The checks are compiled from the column types declared in `tables.ts`, so a new
 * column of a known type is covered without code here.
 *
 * - `String`, `LowCardinality(String)`, `Map(…, String)`: lone UTF-16 surrogates (half an emoji),
 *   which ClickHouse's JSON reader refuses, become U+FFFD; other values are turned into text.
 * - `UInt*` / `Int*`: whole numbers within the type's range, else the row is rejected.
 * - `Decimal(P, S)`: finite numbers below 10^(P−S) in magnitude, else the row is rejected.
 * - `Float*`: finite numbers, else rejected. `Bool`: booleans, else rejected.
 * - `DateTime64`: span times as `seconds[.fraction]` text (up to 9 digits), between 1970-01-01 and 2106-02-07 (what
 *   `toDateTime`, the partitions and the TTL can hold), else rejected; they are sent as
 *   `YYYY-MM-DD hh:mm:ss.nnnnnnnnn` in UTC, a form ClickHouse reads for every year in range.
 * - `Nullable(T)`: null passes; otherwise as T. Missing values are sent as null (the column default).
 * - Other types pass through unchanged.
 */

/** A row made valid: its JSONCompactEachRow line (a JSON array of the values in column order). */
export interface EncodedRow {
  ok: true;
  line: string;
}

/** A row that cannot be made valid, and why. */
export interface RejectedValue {
  ok: false;
  reason: string;
}

/** Turns one row into its line, or says why it cannot be stored. */
export type RowEncoder = (row: Readonly<Record<string, unknown>>) => EncodedRow | RejectedValue;

/** Why a value was refused; returned instead of the value, so valid values cost no allocation. */
class Refusal {
  constructor(readonly reason: string) {}
}

/** The value to send, or a `Refusal`. */
type Check = (value: unknown) => unknown;

/** Seconds since the epoch of 2106-02-07T06:28:15Z, the last second a ClickHouse DateTime holds. */
const MAX_DATETIME_SECONDS = 4_294_967_295;

const INT_RANGE: Record<string, [bigint, bigint]> = {};
for (const bits of [8, 16, 32, 64, 128, 256]) {
  INT_RANGE[`UInt${bits}`] = [0n, 2n ** BigInt(bits) - 1n];
  INT_RANGE[`Int${bits}`] = [-(2n ** BigInt(bits - 1)), 2n ** BigInt(bits - 1) - 1n];
}

/** The bare type of a column declaration: codecs and defaults cut off. */
export function bareType(declaration: string): string {
  const codec = declaration.search(/\s(CODEC|DEFAULT|MATERIALIZED|ALIAS|TTL|COMMENT)\b/);
  return (codec < 0 ? declaration : declaration.slice(0, codec)).trim();
}

/** Text with lone surrogates replaced by U+FFFD; well-formed text is returned as is. */
export function wellFormed(text: string): string {
  const t = text as string & WellFormedText;
  return t.isWellFormed() ? text : t.toWellFormed();
}

/** ES2024 string methods (Node 20 has them; the compiler's ES2022 library does not declare them). */
interface WellFormedText {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

function toText(value: unknown): string {
  if (typeof value === 'string') return wellFormed(value);
  if (value === undefined || value === null) return '';
  return wellFormed(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

function integerCheck(type: string, min: bigint, max: bigint): Check {
  const lo = Number(min);
  const hi = Number(max);
  return (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v)) return new Refusal(`${describe(v)} is not a whole number (${type})`);
    // Number(max) of a 64-bit type rounds up to 2^64, which the column cannot hold.
    if (v < lo || v > hi || (v === hi && BigInt(v) > max)) return new Refusal(`${v} is outside the range of ${type}`);
    return v;
  };
}

function decimalCheck(type: string, precision: number, scale: number): Check {
  const limit = 10 ** (precision - scale);
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return new Refusal(`${describe(v)} is not a finite number (${type})`);
    if (Math.abs(v) >= limit) return new Refusal(`${v} does not fit ${type} (at most ${precision - scale} integer digits)`);
    return v;
  };
}

const SPAN_TIME = /^(\d{1,10})(?:\.(\d{1,9}))?$/;

function timestampCheck(type: string): Check {
  // Spans of a batch mostly share their second: the date text of the last one is kept.
  let lastSeconds = -1;
  let lastPrefix = '';
  return (v) => {
    const m = typeof v === 'string' ? SPAN_TIME.exec(v) : null;
    if (m === null) return new Refusal(`${describe(v)} is not a time as seconds.nanoseconds (${type})`);
    const seconds = Number(m[1]);
    if (seconds > MAX_DATETIME_SECONDS) return new Refusal(`${v} is after 2106-02-07, beyond what ${type} partitions and TTL can hold`);
    if (seconds !== lastSeconds) {
      const iso = new Date(seconds * 1000).toISOString();
      lastSeconds = seconds;
      lastPrefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.`;
    }
    const fraction = m[2] ?? '';
    return lastPrefix + (fraction.length === 9 ? fraction : fraction.padEnd(9, '0'));
  };
}

// Strings are only type-checked here; lone surrogates are found after encoding (see compileRowEncoder).
function mapCheck(): Check {
  return (v) => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) return new Refusal(`${describe(v)} is not a map`);
    const map = v as Record<string, unknown>;
    for (const key in map) if (typeof map[key] !== 'string') return cleanMap(map);
    return map;
  };
}

function cleanMap(map: Record<string, unknown>): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const key in map) clean[wellFormed(key)] = toText(map[key]);
  return clean;
}

function stringCheck(v: unknown): unknown {
  return typeof v === 'string' ? v : toText(v);
}

/** The values with every string and map made well-formed: the slow path, for rows with a lone surrogate. */
function wellFormedValues(values: unknown[]): unknown[] {
  return values.map((v) => (typeof v === 'string' ? wellFormed(v) : typeof v === 'object' && v !== null && !Array.isArray(v) ? cleanMap(v as Record<string, unknown>) : v));
}

/** The check of one column type. */
function checkFor(declaration: string): Check {
  const type = bareType(declaration);
  const nullable = /^Nullable\((.*)\)$/.exec(type);
  if (nullable !== null) {
    const inner = checkFor(nullable[1]!);
    return (v) => (v === null || v === undefined ? null : inner(v));
  }
  const lowCardinality = /^LowCardinality\((.*)\)$/.exec(type);
  if (lowCardinality !== null) return checkFor(lowCardinality[1]!);
  if (type === 'String' || /^FixedString\(\d+\)$/.test(type)) return stringCheck;
  if (/^Map\(.+,\s*String\)$/.test(type)) return mapCheck();
  const range = INT_RANGE[type];
  if (range !== undefined) return integerCheck(type, range[0], range[1]);
  const decimal = /^Decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal !== null) return decimalCheck(type, Number(decimal[1]), Number(decimal[2]));
  if (type === 'Float32' || type === 'Float64') {
    return (v) => (typeof v === 'number' && Number.isFinite(v) ? v : new Refusal(`${describe(v)} is not a finite number (${type})`));
  }
  if (type === 'Bool') return (v) => (typeof v === 'boolean' ? v : new Refusal(`${describe(v)} is not true or false (Bool)`));
  if (/^DateTime64\(/.test(type)) return timestampCheck(type);
  return (v) => v ?? null;
}

/**
 * An encoder of rows of a table with these columns (name → type declaration, in table order) into
 * JSONCompactEachRow lines. JSON.stringify writes a lone surrogate as a `\udXXX` escape and a valid
 * pair as the characters themselves, so looking for `\ud` in the line finds every lone surrogate
 * with one scan instead of one check per string; only such rows take the slow path.
 */
export function compileRowEncoder(columns: Readonly<Record<string, string>>): RowEncoder {
  const names = Object.keys(columns);
  const checks = names.map((name) => checkFor(columns[name]!));
  return (row) => {
    // Filled by push, so the array stays packed: JSON.stringify is faster on packed arrays.
    const values: unknown[] = [];
    for (let i = 0; i < names.length; i++) {
      const value = checks[i]!(row[names[i]!]);
      if (value instanceof Refusal) return { ok: false, reason: `${names[i]}: ${value.reason}` };
      values.push(value);
    }
    const line = JSON.stringify(values);
    return { ok: true, line: line.includes('\\ud') ? JSON.stringify(wellFormedValues(values)) : line };
  };
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return typeof v;
}
