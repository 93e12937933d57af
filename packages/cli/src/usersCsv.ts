import { importedUserSchema } from '@genai-cost/clickhouse';
import type { ImportedUser } from '@genai-cost/clickhouse';

/** The columns of a users file; `monthlyPriceUsd` may be left out. */
export const USER_COLUMNS = ['userId', 'tier', 'signupDate', 'monthlyPriceUsd'] as const;
type UserColumn = (typeof USER_COLUMNS)[number];
const REQUIRED: readonly UserColumn[] = ['userId', 'tier', 'signupDate'];

/** A CSV record and the line it starts on (1-based). */
interface CsvRecord {
  line: number;
  fields: string[];
}

/** What `parseUsersCsv` found: the users when every row is valid, else one message per problem. */
export type UsersCsvResult = { ok: true; users: ImportedUser[] } | { ok: false; errors: string[] };

/**
 * Splits CSV text into records (RFC 4180: fields in double quotes may hold commas, newlines and
 * `""`; CRLF or LF line ends), each with the line it starts on. Blank lines are skipped.
 */
export function parseCsv(text: string): { records: CsvRecord[]; error?: string } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let blank = true;
  const endRecord = () => {
    fields.push(field);
    if (!(blank && fields.length === 1)) records.push({ line: start, fields });
    fields = [];
    field = '';
    blank = true;
  };
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
      blank = false;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      blank = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      start = ++line;
    } else {
      field += c;
      blank = false;
    }
  }
  if (quoted) return { records, error: `line ${start}: a quoted field is not closed` };
  if (!blank || field !== '' || fields.length > 0) endRecord();
  return { records };
}

/** Header names compared without case, spaces, "_" or "-": `user_id`, `User ID` and `userId` are one column. */
const normalise = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '');
const BY_NORMAL = new Map<string, UserColumn>(USER_COLUMNS.map((c) => [normalise(c), c]));
const EXPECTED = `expected ${REQUIRED.join(', ')} and optionally monthlyPriceUsd`;

function header(record: CsvRecord): { columns: (UserColumn | undefined)[]; errors: string[] } {
  const errors: string[] = [];
  const columns = record.fields.map((name) => {
    const column = BY_NORMAL.get(normalise(name));
    if (column === undefined) errors.push(`line ${record.line}: unknown column "${name.trim()}" (${EXPECTED})`);
    return column;
  });
  for (const c of USER_COLUMNS) {
    const count = columns.filter((x) => x === c).length;
    if (count > 1) errors.push(`line ${record.line}: column ${c} appears ${count} times`);
    if (count === 0 && REQUIRED.includes(c)) errors.push(`line ${record.line}: missing column ${c} (${EXPECTED})`);
  }
  return { columns, errors };
}

const PRICE = /^\d+(\.\d+)?$/;

/**
 * Reads a users file exported from billing: a header row, then one user per row. Every row is
 * checked and every problem reported with its line and field, so one run shows them all.
 * `tiers`, when given, are the only tiers accepted (the plan file's).
 */
export function parseUsersCsv(text: string, tiers: readonly string[] = []): UsersCsvResult {
  const { records, error } = parseCsv(text);
  if (error !== undefined) return { ok: false, errors: [error] };
  const [first, ...rows] = records;
  if (first === undefined) return { ok: false, errors: [`the file is empty: ${EXPECTED} in a header row, then one row per user`] };
  const { columns, errors } = header(first);
  if (errors.length > 0) return { ok: false, errors };
  if (rows.length === 0) return { ok: false, errors: [`line ${first.line}: no users after the header row`] };
  const users: ImportedUser[] = [];
  const firstLine = new Map<string, number>();
  for (const { line, fields } of rows) {
    if (fields.length !== columns.length) {
      errors.push(`line ${line}: expected ${columns.length} fields (${columns.join(', ')}), got ${fields.length}`);
      continue;
    }
    const value = (c: UserColumn) => fields[columns.indexOf(c)]?.trim() ?? '';
    const price = value('monthlyPriceUsd');
    const rowErrors: string[] = [];
    if (price !== '' && !PRICE.test(price)) {
      rowErrors.push(`line ${line}: monthlyPriceUsd: expected a number ≥ 0 such as 19 or 19.99, or nothing for the tier's price, got "${price}"`);
    }
    const candidate = {
      userId: value('userId'),
      tier: value('tier'),
      signupDate: value('signupDate').replace(/^(\d{4}-\d{2}-\d{2})[T ].*$/, '$1'),
      monthlyPriceUsd: PRICE.test(price) ? Number(price) : null,
    };
    const parsed = importedUserSchema.safeParse(candidate);
    if (!parsed.success) {
      const named = new Set<UserColumn>();
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0]) as UserColumn;
        if (!named.has(field)) rowErrors.push(`line ${line}: ${field}: ${issue.message}, got "${value(field)}"`);
        named.add(field);
      }
    }
    if (candidate.tier !== '' && tiers.length > 0 && !tiers.includes(candidate.tier)) {
      rowErrors.push(`line ${line}: tier: expected one of the plan file's tiers (${tiers.join(', ')}), got "${candidate.tier}"`);
    }
    const seen = firstLine.get(candidate.userId);
    if (candidate.userId !== '' && seen !== undefined) rowErrors.push(`line ${line}: userId: "${candidate.userId}" is already on line ${seen}`);
    else firstLine.set(candidate.userId, line);
    errors.push(...rowErrors);
    if (rowErrors.length === 0 && parsed.success) users.push(parsed.data);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, users };
}
