/**
 * The one place where numbers that users read are turned into text: USD, percentages, counts.
 * Tables, summaries and progress lines all format through here.
 */

const usdCents = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const usdSubCent = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 4, maximumFractionDigits: 4 });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** Shown where a ratio is undefined (a margin % of a tier without revenue). */
export const NOT_APPLICABLE = '—';

/** Below this, amounts keep four decimals: the cost of one call is often a fraction of a cent. */
const SMALL_USD = 0.1;

/** USD with a thousands separator and cents (`$1,234.56`, `-$14.50`); under $0.10, four decimals (`$0.0042`). */
export function formatUsd(usd: number): string {
  const abs = Math.abs(usd);
  return abs > 0 && abs < SMALL_USD ? usdSubCent.format(usd) : usdCents.format(usd);
}

/** A percentage given as 0–100 (`42.1%`); null, for an undefined ratio, as `—`. */
export function formatPct(pct: number | null): string {
  return pct === null || !Number.isFinite(pct) ? NOT_APPLICABLE : `${oneDecimal.format(pct)}%`;
}

/** A count with thousands separators (`12,345`). */
export function formatInt(n: number): string {
  return integer.format(n);
}

/** A count and its noun in the right number: `1 day`, `2 days`, `1,234 users`. */
export function formatCount(n: number, one: string, many: string): string {
  return `${formatInt(n)} ${n === 1 ? one : many}`;
}

/**
 * C0 and C1 control characters and DEL, which a terminal may run as commands (`ESC [ 2 J` clears
 * it, `ESC ] 0 ;` retitles it, `\r` overwrites the line), and the Unicode marks that reorder or
 * break lines, which can make text read as something else.
 */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text from the data (user ids, model names), shown on a terminal: unprintable characters as `\x1B` or `\u202E`. */
export function escapeControls(text: string): string {
  return text.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
  });
}

/** A multiple (`3.2×`), e.g. of a tier's median cost. */
export function formatMultiple(x: number | null): string {
  return x === null || !Number.isFinite(x) ? NOT_APPLICABLE : `${oneDecimal.format(x)}×`;
}

/** A duration in seconds (`41.2 s`). */
export function formatSeconds(ms: number): string {
  return `${oneDecimal.format(ms / 1000)} s`;
}

/** How a column's values are shown. */
export type CellKind = 'text' | 'int' | 'usd' | 'pct' | 'multiple';

/** One value of a report row as table text. */
export function formatCell(kind: CellKind, value: unknown): string {
  if (value === null || value === undefined) return NOT_APPLICABLE;
  if (kind === 'text' || typeof value !== 'number') return escapeControls(String(value));
  switch (kind) {
    case 'int':
      return formatInt(value);
    case 'usd':
      return formatUsd(value);
    case 'pct':
      return formatPct(value);
    case 'multiple':
      return formatMultiple(value);
  }
}
