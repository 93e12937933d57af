import { escapeControls, formatCell } from './format.js';
import type { CellKind } from './format.js';

/** A column of a report: the row field it shows, its heading and how its values are formatted. */
export interface Column {
  key: string;
  header: string;
  kind: CellKind;
}

/** Report rows are plain objects; columns pick their fields by key. */
type Row = object;

const field = (row: Row, key: string): unknown => (row as Record<string, unknown>)[key];

/** An aligned text table: text left-aligned, numbers right-aligned, a rule under the header. */
export function renderTable(columns: readonly Column[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => formatCell(c.kind, field(row, c.key))));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]): string =>
    values
      .map((v, i) => (columns[i]!.kind === 'text' ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(r));
  if (rows.length === 0) out.push('(no data in this window)');
  return `${out.join('\n')}\n`;
}

/**
 * Text a spreadsheet would run as a formula: a cell starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return (OWASP, CSV Injection), or NUL (OWASP ASVS 1.2.10).
 */
const FORMULA_START = /^[=+\-@\t\r\0]/;

/**
 * One CSV field. Numbers are written as they are (a negative number is no formula); text that a
 * spreadsheet would evaluate gets a leading `'`, which makes it text, and is quoted; control
 * characters are escaped as in tables, so printing the CSV is safe too; then RFC 4180 quoting.
 */
function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const text = String(value);
  const formula = FORMULA_START.test(text);
  const s = escapeControls(formula ? `'${text}` : text);
  return formula || /[",]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** CSV (RFC 4180 quoting, `\n` line ends) with a header of the row field names and raw values; null is empty. */
export function renderCsv(columns: readonly Column[], rows: readonly Row[]): string {
  const out = [columns.map((c) => csvField(c.key)).join(',')];
  for (const row of rows) out.push(columns.map((c) => csvField(field(row, c.key))).join(','));
  return `${out.join('\n')}\n`;
}
