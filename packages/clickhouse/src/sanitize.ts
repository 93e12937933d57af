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

/** A row made valid: its values in column order, ready for JSONCompactEachRow. */
export interface SanitizedRow {
  ok: true;
  values: unknown[];
}

/** A row that cannot be made valid, and why. */
export interface RejectedValue {
  ok: false;
  reason: string;
}

/** Turns one row into column-ordered values, or says why it cannot be stored. */
export type RowSanitizer = (row: Readonly<Record<string, unknown>>) => SanitizedRow | RejectedValue;

type Check = (value: unknown) => { value: unknown } | string;

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
    if (typeof v !== 'number' || !Number.isInteger(v)) return `${describe(v)} is not a whole number (${type})`;
    // Number(max) of a 64-bit type rounds up to 2^64, which the column cannot hold.
    if (v < lo || v > hi || (v === hi && BigInt(v) > max)) return `${v} is outside the range of ${type}`;
    return { value: v };
  };
}

function decimalCheck(type: string, precision: number, scale: number): Check {
  const limit = 10 ** (precision - scale);
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return `${describe(v)} is not a finite number (${type})`;
    if (Math.abs(v) >= limit) return `${v} does not fit ${type} (at most ${precision - scale} integer digits)`;
    return { value: v };
  };
}

const SPAN_TIME = /^(\d{1,10})(?:\.(\d{1,9}))?$/;

function timestampCheck(type: string): Check {
  return (v) => {
    const m = typeof v === 'string' ? SPAN_TIME.exec(v) : null;
    if (m === null) return `${describe(v)} is not a time as seconds.nanoseconds (${type})`;
    const seconds = Number(m[1]);
    if (seconds > MAX_DATETIME_SECONDS) return `${v} is after 2106-02-07, beyond what ${type} partitions and TTL can hold`;
    // toISOString is exact to the millisecond; the nanoseconds come from the text.
    const iso = new Date(seconds * 1000).toISOString();
    return { value: `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${(m[2] ?? '').padEnd(9, '0')}` };
  };
}

function mapCheck(): Check {
  return (v) => {
    if (v === undefined || v === null) return { value: {} };
    if (typeof v !== 'object' || Array.isArray(v)) return `${describe(v)} is not a map`;
    let clean: Record<string, string> | undefined;
    for (const [key, value] of Object.entries(v as Record<string, unknown>)) {
      const k = wellFormed(key);
      const text = toText(value);
      if (clean === undefined && (k !== key || text !== value)) clean = { ...(v as Record<string, string>) };
      if (clean !== undefined) {
        if (k !== key) delete clean[key];
        clean[k] = text;
      }
    }
    return { value: clean ?? v };
  };
}

/** The check of one column type. */
export function checkFor(declaration: string): Check {
  const type = bareType(declaration);
  const nullable = /^Nullable\((.*)\)$/.exec(type);
  if (nullable !== null) {
    const inner = checkFor(nullable[1]!);
    return (v) => (v === null || v === undefined ? { value: null } : inner(v));
  }
  const lowCardinality = /^LowCardinality\((.*)\)$/.exec(type);
  if (lowCardinality !== null) return checkFor(lowCardinality[1]!);
  if (type === 'String' || /^FixedString\(\d+\)$/.test(type)) return (v) => ({ value: toText(v) });
  if (/^Map\(.+,\s*String\)$/.test(type)) return mapCheck();
  const range = INT_RANGE[type];
  if (range !== undefined) return integerCheck(type, range[0], range[1]);
  const decimal = /^Decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal !== null) return decimalCheck(type, Number(decimal[1]), Number(decimal[2]));
  if (type === 'Float32' || type === 'Float64') {
    return (v) => (typeof v === 'number' && Number.isFinite(v) ? { value: v } : `${describe(v)} is not a finite number (${type})`);
  }
  if (type === 'Bool') return (v) => (typeof v === 'boolean' ? { value: v } : `${describe(v)} is not true or false (Bool)`);
  if (/^DateTime64\(/.test(type)) return timestampCheck(type);
  return (v) => ({ value: v ?? null });
}

/** A sanitizer for rows of a table with these columns (name → type declaration, in table order). */
export function compileRowSanitizer(columns: Readonly<Record<string, string>>): RowSanitizer {
  const names = Object.keys(columns);
  const checks = names.map((name) => checkFor(columns[name]!));
  return (row) => {
    const values = new Array<unknown>(names.length);
    for (let i = 0; i < names.length; i++) {
      const result = checks[i]!(row[names[i]!]);
      if (typeof result === 'string') return { ok: false, reason: `${names[i]}: ${result}` };
      values[i] = result.value;
    }
    return { ok: true, values };
  };
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return typeof v;
}
