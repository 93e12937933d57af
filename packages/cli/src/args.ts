import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { usageError } from './errors.js';

/** The commands of the CLI. */
export const COMMANDS = ['migrate', 'report', 'demo'] as const;
/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number];

/** What `report --by` accepts. */
export const REPORT_KINDS = ['tier', 'user', 'feature', 'model', 'session', 'account'] as const;
/** One of {@link REPORT_KINDS}. */
export type ReportKind = (typeof REPORT_KINDS)[number];

/** What `report --format` accepts. */
export const OUTPUT_FORMATS = ['table', 'json', 'csv'] as const;
/** One of {@link OUTPUT_FORMATS}. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A report window, end exclusive. */
export interface TimeWindow {
  from: Date;
  to: Date;
}

interface CommonFlags {
  /** `--config`; undefined means the default lookup. */
  config: string | undefined;
  /** `--database`; undefined means the plan file's or the default. */
  database: string | undefined;
}

/** `genai-cost --help`, `genai-cost <command> --help`. */
export interface HelpCommand {
  name: 'help';
  topic: CommandName | undefined;
}

/** `genai-cost --version`. */
export interface VersionCommand {
  name: 'version';
}

/** `genai-cost migrate`. */
export interface MigrateCommand extends CommonFlags {
  name: 'migrate';
}

/** `genai-cost report`. */
export interface ReportCommand extends CommonFlags {
  name: 'report';
  by: ReportKind;
  window: TimeWindow;
  format: OutputFormat;
  limit: number | undefined;
}

/** `genai-cost demo`. */
export interface DemoCommand extends CommonFlags {
  name: 'demo';
  users: number;
  days: number;
  seed: number;
  continuous: boolean;
  /** Live spans per second with `continuous`. */
  rate: number;
}

/** A parsed command line. */
export type Command = HelpCommand | VersionCommand | MigrateCommand | ReportCommand | DemoCommand;

const HOUR_MS = 3_600_000;
const DEFAULT_SINCE = '30d';
/** Live spans per second of `demo --continuous`: enough to move a dashboard, little enough for a laptop. */
const DEFAULT_RATE = 20;

const COMMON_OPTIONS = {
  config: { type: 'string' },
  database: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const OPTIONS = {
  migrate: COMMON_OPTIONS,
  report: {
    ...COMMON_OPTIONS,
    by: { type: 'string', default: 'tier' },
    since: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    format: { type: 'string', default: 'table' },
    limit: { type: 'string' },
  },
  demo: {
    ...COMMON_OPTIONS,
    users: { type: 'string', default: '2000' },
    days: { type: 'string', default: '30' },
    seed: { type: 'string', default: '42' },
    continuous: { type: 'boolean', default: false },
    rate: { type: 'string' },
  },
} as const satisfies Record<CommandName, ParseArgsConfig['options']>;

function oneOf<T extends string>(command: string, flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw usageError(`genai-cost ${command}: --${flag}: expected one of ${allowed.join(', ')}, got "${value}"`);
}

function integer(command: string, flag: string, value: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw usageError(`genai-cost ${command}: --${flag}: expected a whole number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/** `30d` or `12h` as milliseconds; undefined when `text` is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)([dh])$/.exec(text);
  if (m === null || Number(m[1]) === 0) return undefined;
  return Number(m[1]) * (m[2] === 'd' ? 24 : 1) * HOUR_MS;
}

function instant(flag: string, value: string): Date {
  // A bare date means midnight UTC, as Date.parse reads it.
  const ms = /^\d{4}-\d{2}-\d{2}([T ].*)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw usageError(`genai-cost report: --${flag}: expected an ISO 8601 date or time such as 2026-11-01 or 2026-11-01T12:00:00Z, got "${value}"`);
  }
  return new Date(ms);
}

/** The report window from `--since` or `--from`/`--to`; the default is the last 30 days. */
export function parseWindow(flags: { since?: string | undefined; from?: string | undefined; to?: string | undefined }, nowMs: number): TimeWindow {
  if (flags.since !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw usageError('genai-cost report: give either --since or --from/--to, not both');
  }
  if (flags.from === undefined) {
    if (flags.to !== undefined) throw usageError('genai-cost report: --to needs --from');
    const since = flags.since ?? DEFAULT_SINCE;
    const ms = parseDuration(since);
    if (ms === undefined) throw usageError(`genai-cost report: --since: expected a duration such as 30d or 12h, got "${since}"`);
    return { from: new Date(nowMs - ms), to: new Date(nowMs) };
  }
  const from = instant('from', flags.from);
  const to = flags.to === undefined ? new Date(nowMs) : instant('to', flags.to);
  if (from.getTime() >= to.getTime()) throw usageError('genai-cost report: --from must be before --to');
  return { from, to };
}

/** `N` or `N/s` spans per second. */
function rate(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(value);
  const n = m === null ? Number.NaN : Number(m[1]);
  if (!(n > 0 && n <= 100_000)) throw usageError(`genai-cost demo: --rate: expected spans per second such as 20 or 20/s (at most 100000), got "${value}"`);
  return n;
}

function database(command: string, value: string | undefined): string | undefined {
  if (value !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw usageError(`genai-cost ${command}: --database: expected letters, digits and "_", not starting with a digit, got "${value}"`);
  }
  return value;
}

function parseFlags<C extends CommandName>(command: C, args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS[command], strict: true, allowPositionals: false });
  } catch (err) {
    const message = (err as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw usageError(`genai-cost ${command}: ${message} (see genai-cost ${command} --help)`);
  }
}

function commandName(word: string): CommandName {
  if ((COMMANDS as readonly string[]).includes(word)) return word as CommandName;
  throw usageError(`genai-cost: unknown command "${word}": expected one of ${COMMANDS.join(', ')} (see genai-cost --help)`);
}

/** Parses the command line (without `node` and the script); throws a usage error (exit 2) for bad input. */
export function parseCommand(argv: readonly string[], nowMs: number): Command {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V') return { name: 'version' };
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    return { name: 'help', topic: topic === undefined ? undefined : commandName(topic) };
  }
  const name = commandName(first);
  if (name === 'migrate') {
    const { values } = parseFlags('migrate', rest);
    if (values.help === true) return { name: 'help', topic: name };
    return { name, config: values.config, database: database(name, values.database) };
  }
  if (name === 'report') {
    const { values } = parseFlags('report', rest);
    if (values.help === true) return { name: 'help', topic: name };
    return {
      name,
      config: values.config,
      database: database(name, values.database),
      by: oneOf(name, 'by', values.by, REPORT_KINDS),
      window: parseWindow(values, nowMs),
      format: oneOf(name, 'format', values.format, OUTPUT_FORMATS),
      limit: values.limit === undefined ? undefined : integer(name, 'limit', values.limit, 1, 1_000_000),
    };
  }
  const { values } = parseFlags('demo', rest);
  if (values.help === true) return { name: 'help', topic: name };
  if (values.rate !== undefined && !values.continuous) throw usageError('genai-cost demo: --rate needs --continuous');
  return {
    name,
    config: values.config,
    database: database(name, values.database),
    users: integer(name, 'users', values.users, 10, 1_000_000),
    days: integer(name, 'days', values.days, 1, 365),
    seed: integer(name, 'seed', values.seed, 0, 0xffff_ffff),
    continuous: values.continuous,
    rate: rate(values.rate ?? String(DEFAULT_RATE)),
  };
}
