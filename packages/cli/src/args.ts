import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { isTagKey } from '@genai-cost/otel';
import { usageError } from './errors.js';

/** The commands of the CLI. */
export const COMMANDS = ['migrate', 'report', 'demo', 'users', 'suggest-caps', 'serve', 'prices', 'reprice'] as const;
/** One of {@link COMMANDS}. */
export type CommandName = (typeof COMMANDS)[number];

/** What `report --by` accepts. */
export const REPORT_KINDS = ['tier', 'user', 'feature', 'model', 'session', 'account', 'cohort', 'week'] as const;
/** One of {@link REPORT_KINDS}. */
export type ReportKind = (typeof REPORT_KINDS)[number];
/** `report --by tag:KEY`: cost per value of the tag KEY (`saas.tag.KEY`). */
export const TAG_REPORT_PREFIX = 'tag:';

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
  by: ReportKind | 'tag';
  /** The tag's key of `--by tag:KEY`. */
  tagKey?: string;
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
  /** With `continuous`: send this share of the live sessions over OTLP/HTTP to this endpoint (a Collector or `serve`). */
  otlp?: { endpoint: string; share: number };
}

/** `genai-cost users import FILE`. */
export interface UsersImportCommand extends CommonFlags {
  name: 'users';
  action: 'import';
  /** The CSV file, as given. */
  file: string;
}

/** `genai-cost suggest-caps`. */
export interface SuggestCapsCommand extends CommonFlags {
  name: 'suggest-caps';
  window: TimeWindow;
  format: OutputFormat;
}

/** `genai-cost serve`; unset flags fall back to the environment, then the defaults. */
export interface ServeCommand extends CommonFlags {
  name: 'serve';
  host: string | undefined;
  port: number | undefined;
  keepAllSpans: boolean;
  /** `--spool-dir`: the queue's directory on disk. */
  spoolDir?: string;
}

/** `genai-cost prices lookup MODEL` and `genai-cost prices list`. */
export interface PricesCommand extends CommonFlags {
  name: 'prices';
  action: 'lookup' | 'list';
  /** The model to look up (`lookup` only). */
  model: string | undefined;
  provider: string | undefined;
  /** The time prices are shown in force at. */
  at: Date;
  /** `--catalog`: a newer catalog's URL or file instead of the bundled one. */
  catalog: string | undefined;
  format: OutputFormat;
}

/** `genai-cost reprice`. */
export interface RepriceCommand extends CommonFlags {
  name: 'reprice';
  window: TimeWindow;
  onlyUnpriced: boolean;
  dryRun: boolean;
  catalog: string | undefined;
}

/** A parsed command line. */
export type Command = HelpCommand | VersionCommand | MigrateCommand | ReportCommand | DemoCommand | UsersImportCommand | SuggestCapsCommand | ServeCommand | PricesCommand | RepriceCommand;

const HOUR_MS = 3_600_000;
const DEFAULT_SINCE = '30d';
/** Live spans per second of `demo --continuous`: enough to move a dashboard, little enough for a laptop. */
const DEFAULT_RATE = 20;

const COMMON_OPTIONS = {
  config: { type: 'string' },
  database: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** `--since`, or `--from` and `--to`: the window of the commands that read spans. */
const WINDOW_OPTIONS = {
  since: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

const OPTIONS = {
  migrate: COMMON_OPTIONS,
  report: {
    ...COMMON_OPTIONS,
    by: { type: 'string', default: 'tier' },
    ...WINDOW_OPTIONS,
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
    'otlp-endpoint': { type: 'string' },
    'otlp-share': { type: 'string' },
  },
  users: COMMON_OPTIONS,
  'suggest-caps': {
    ...COMMON_OPTIONS,
    ...WINDOW_OPTIONS,
    format: { type: 'string', default: 'table' },
  },
  serve: {
    ...COMMON_OPTIONS,
    host: { type: 'string' },
    port: { type: 'string' },
    'keep-all-spans': { type: 'boolean', default: false },
    'spool-dir': { type: 'string' },
  },
  prices: {
    ...COMMON_OPTIONS,
    provider: { type: 'string' },
    at: { type: 'string' },
    catalog: { type: 'string' },
    format: { type: 'string', default: 'table' },
  },
  reprice: {
    ...COMMON_OPTIONS,
    ...WINDOW_OPTIONS,
    'only-unpriced': { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    catalog: { type: 'string' },
  },
} as const satisfies Record<CommandName, ParseArgsConfig['options']>;

/** `--by`: a report kind, or `tag:KEY` with a key a tag can have. */
function reportBy(value: string): Pick<ReportCommand, 'by' | 'tagKey'> {
  if (value.startsWith(TAG_REPORT_PREFIX)) {
    const tagKey = value.slice(TAG_REPORT_PREFIX.length);
    if (!isTagKey(tagKey)) throw usageError(`genai-cost report: --by tag:KEY: expected a tag key of 1 to 64 letters, digits, "_", "." or "-", got "${tagKey}"`);
    return { by: 'tag', tagKey };
  }
  if (!(REPORT_KINDS as readonly string[]).includes(value)) throw usageError(`genai-cost report: --by: expected one of ${REPORT_KINDS.join(', ')} or tag:KEY, got "${value}"`);
  return { by: value as ReportKind };
}

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

function instant(flag: string, value: string, command: string): Date {
  // A bare date means midnight UTC, as Date.parse reads it.
  const ms = /^\d{4}-\d{2}-\d{2}([T ].*)?$/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw usageError(`genai-cost ${command}: --${flag}: expected an ISO 8601 date or time such as 2026-11-01 or 2026-11-01T12:00:00Z, got "${value}"`);
  }
  return new Date(ms);
}

/** The report window from `--since` or `--from`/`--to`; the default is the last 30 days. */
export function parseWindow(
  flags: { since?: string | undefined; from?: string | undefined; to?: string | undefined },
  nowMs: number,
  command = 'report',
): TimeWindow {
  if (flags.since !== undefined && (flags.from !== undefined || flags.to !== undefined)) {
    throw usageError(`genai-cost ${command}: give either --since or --from/--to, not both`);
  }
  if (flags.from === undefined) {
    if (flags.to !== undefined) throw usageError(`genai-cost ${command}: --to needs --from`);
    const since = flags.since ?? DEFAULT_SINCE;
    const ms = parseDuration(since);
    if (ms === undefined) throw usageError(`genai-cost ${command}: --since: expected a duration such as 30d or 12h, got "${since}"`);
    return { from: new Date(nowMs - ms), to: new Date(nowMs) };
  }
  const from = instant('from', flags.from, command);
  const to = flags.to === undefined ? new Date(nowMs) : instant('to', flags.to, command);
  if (from.getTime() >= to.getTime()) throw usageError(`genai-cost ${command}: --from must be before --to`);
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

function parseFlags<C extends CommandName>(command: C, args: string[], allowPositionals = false) {
  try {
    return parseArgs({ args, options: OPTIONS[command], strict: true, allowPositionals });
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
      ...reportBy(values.by),
      window: parseWindow(values, nowMs),
      format: oneOf(name, 'format', values.format, OUTPUT_FORMATS),
      limit: values.limit === undefined ? undefined : integer(name, 'limit', values.limit, 1, 1_000_000),
    };
  }
  if (name === 'users') return parseUsers(rest);
  if (name === 'suggest-caps') {
    const { values } = parseFlags(name, rest);
    if (values.help === true) return { name: 'help', topic: name };
    return {
      name,
      config: values.config,
      database: database(name, values.database),
      window: parseWindow(values, nowMs, name),
      format: oneOf(name, 'format', values.format, OUTPUT_FORMATS),
    };
  }
  if (name === 'prices') {
    const { values, positionals } = parseFlags('prices', rest, true);
    if (values.help === true) return { name: 'help', topic: name };
    return parsePrices(values, positionals, nowMs);
  }
  if (name === 'reprice') {
    const { values } = parseFlags('reprice', rest);
    if (values.help === true) return { name: 'help', topic: name };
    return {
      name,
      config: values.config,
      database: database(name, values.database),
      window: parseWindow(values, nowMs, name),
      onlyUnpriced: values['only-unpriced'],
      dryRun: values['dry-run'],
      catalog: values.catalog,
    };
  }
  if (name === 'serve') {
    const { values } = parseFlags('serve', rest);
    if (values.help === true) return { name: 'help', topic: name };
    const serve: ServeCommand = {
      name,
      config: values.config,
      database: database(name, values.database),
      host: values.host,
      port: values.port === undefined ? undefined : integer(name, 'port', values.port, 0, 65_535),
      keepAllSpans: values['keep-all-spans'],
    };
    if (values['spool-dir'] !== undefined) serve.spoolDir = values['spool-dir'];
    return serve;
  }
  const { values } = parseFlags('demo', rest);
  if (values.help === true) return { name: 'help', topic: name };
  if (values.rate !== undefined && !values.continuous) throw usageError('genai-cost demo: --rate needs --continuous');
  const demo: DemoCommand = {
    name,
    config: values.config,
    database: database(name, values.database),
    users: integer(name, 'users', values.users, 10, 1_000_000),
    days: integer(name, 'days', values.days, 1, 365),
    seed: integer(name, 'seed', values.seed, 0, 0xffff_ffff),
    continuous: values.continuous,
    rate: rate(values.rate ?? String(DEFAULT_RATE)),
  };
  const otlp = demoOtlp(values['otlp-endpoint'], values['otlp-share'], values.continuous);
  if (otlp !== undefined) demo.otlp = otlp;
  return demo;
}

/** `--otlp-endpoint URL [--otlp-share F]`: live traffic only, so both need --continuous. */
function demoOtlp(endpoint: string | undefined, share: string | undefined, continuous: boolean): DemoCommand['otlp'] {
  if (endpoint === undefined) {
    if (share !== undefined) throw usageError('genai-cost demo: --otlp-share needs --otlp-endpoint');
    return undefined;
  }
  if (!continuous) throw usageError('genai-cost demo: --otlp-endpoint needs --continuous');
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    // Reported below with the expected form.
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw usageError(`genai-cost demo: --otlp-endpoint: expected an http(s) URL such as http://localhost:4318, got "${endpoint}"`);
  }
  const f = share === undefined ? 1 : /^(0|1)(\.\d+)?$|^\.\d+$/.test(share) ? Number(share) : Number.NaN;
  if (!(f > 0 && f <= 1)) throw usageError(`genai-cost demo: --otlp-share: expected a fraction of the live sessions above 0 and at most 1, such as 0.5, got "${share}"`);
  return { endpoint: endpoint.replace(/\/+$/, ''), share: f };
}

/** `users import FILE`: the only `users` action so far. */
function parseUsers(args: string[]): Command {
  const { values, positionals } = parseFlags('users', args, true);
  if (values.help === true || positionals.length === 0) return { name: 'help', topic: 'users' };
  const [action, file, ...extra] = positionals;
  if (action !== 'import') throw usageError(`genai-cost users: unknown action "${action}": expected import (see genai-cost users --help)`);
  if (file === undefined) throw usageError('genai-cost users import: expected the CSV file to import (see genai-cost users --help)');
  if (extra.length > 0) throw usageError(`genai-cost users import: expected one file, got also "${extra.join(' ')}"`);
  return { name: 'users', action, file, config: values.config, database: database('users', values.database) };
}

function parsePrices(
  values: { config?: string | undefined; database?: string | undefined; provider?: string | undefined; at?: string | undefined; catalog?: string | undefined; format: string },
  positionals: string[],
  nowMs: number,
): PricesCommand {
  const [action, model, ...extra] = positionals;
  if (action !== 'lookup' && action !== 'list') {
    throw usageError(`genai-cost prices: expected "lookup MODEL" or "list", got ${action === undefined ? 'nothing' : `"${action}"`} (see genai-cost prices --help)`);
  }
  if (action === 'lookup' && model === undefined) throw usageError('genai-cost prices lookup: expected a model name, e.g. genai-cost prices lookup gpt-4o');
  const unexpected = action === 'list' ? [model, ...extra] : extra;
  if (unexpected.some((x) => x !== undefined)) throw usageError(`genai-cost prices ${action}: unexpected argument "${unexpected.find((x) => x !== undefined)}"`);
  return {
    name: 'prices',
    action,
    model,
    config: values.config,
    database: database('prices', values.database),
    provider: values.provider,
    at: values.at === undefined ? new Date(nowMs) : instant('at', values.at, 'prices'),
    catalog: values.catalog,
    format: oneOf('prices', 'format', values.format, OUTPUT_FORMATS),
  };
}
