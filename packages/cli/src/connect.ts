import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ClickHouseConfigError, DEFAULT_CHDB_DIR, DEFAULT_DATABASE, classifyInsertError, createClickHouseClient, resolveConnectionOptions } from '@genai-cost/clickhouse';
import type { ClickHouseConnection, ClickHouseConnectionOptions } from '@genai-cost/clickhouse';
import type { GenAICostConfig } from './config.js';
import { CliError } from './errors.js';

/** The environment, as the composition root passes it on. */
export type Env = Readonly<Record<string, string | undefined>>;

const set = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/**
 * Connection options from, in order of precedence: the `--database` flag, the environment
 * (`CLICKHOUSE_URL`, `CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`, `CLICKHOUSE_DATABASE`, so a
 * container can point at its server without editing the file), the plan file, the defaults.
 */
export function connectionOptions(config: GenAICostConfig, env: Env, database: string | undefined): ClickHouseConnectionOptions {
  const c = config.clickhouse;
  const options: ClickHouseConnectionOptions = {
    database: database ?? set(env.CLICKHOUSE_DATABASE) ?? c.database ?? DEFAULT_DATABASE,
  };
  const url = set(env.CLICKHOUSE_URL) ?? c.url;
  const username = set(env.CLICKHOUSE_USER) ?? c.username;
  const password = set(env.CLICKHOUSE_PASSWORD) ?? c.password;
  if (url !== undefined) options.url = url;
  if (username !== undefined) options.username = username;
  if (password !== undefined) options.password = password;
  return options;
}

/** Whether a flag, `CLICKHOUSE_DATABASE` or the plan file names the database (else it is the default). */
export function databaseNamed(config: GenAICostConfig, env: Env, database: string | undefined): boolean {
  return database !== undefined || set(env.CLICKHOUSE_DATABASE) !== undefined || config.clickhouse.database !== undefined;
}

/** Whether the options select the embedded chDB in `./.genai-cost/chdb`, where `npm run demo` writes. */
export function isDefaultStore(options: ClickHouseConnectionOptions): boolean {
  try {
    const target = resolveConnectionOptions(options);
    return target.kind === 'chdb' && target.path === resolve(DEFAULT_CHDB_DIR);
  } catch (err) {
    // Options that cannot work name no store; withClickHouse reports them.
    if (err instanceof ClickHouseConfigError) return false;
    throw err;
  }
}

/**
 * The process that holds an embedded chDB directory, if another one does. chDB locks
 * `<dir>/status` and writes its pid there while open, and removes the file on exit; opening the
 * directory meanwhile fails after chDB prints `Cannot lock file` to stderr itself, so look first.
 */
function chdbHolder(path: string): number | undefined {
  let status: string;
  try {
    status = readFileSync(join(path, 'status'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const pid = Number(/^PID: (\d+)$/m.exec(status)?.[1]);
  if (!Number.isSafeInteger(pid) || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, but another user's; ESRCH: a stale file left by a process that crashed.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

function inUse(path: string, pid: number | undefined): string {
  return (
    `the embedded chDB in ${path} is in use by ${pid === undefined ? 'another process' : `another process (pid ${pid})`}, ` +
    'such as a running "genai-cost demo": chDB lets one process open a directory at a time. ' +
    'Wait for it to finish or stop it, or set CLICKHOUSE_URL to a ClickHouse server.'
  );
}

/** Fails early, with a message, when another process holds the chDB directory of `options`. */
function checkChdbFree(command: string, options: ClickHouseConnectionOptions): void {
  const target = resolveConnectionOptions(options);
  if (target.kind !== 'chdb') return;
  const pid = chdbHolder(target.path);
  if (pid !== undefined) throw new CliError(`genai-cost ${command}: ${inUse(target.path, pid)}`, 1);
}

/** Where the data lives, for output: never the password. */
export function describeTarget(options: ClickHouseConnectionOptions): string {
  const url = options.url;
  if (url === undefined) return `embedded chDB in .genai-cost/chdb, database ${options.database}`;
  if (url.startsWith('chdb:')) return `embedded chDB in ${url.slice('chdb:'.length)}, database ${options.database}`;
  const u = new URL(url);
  return `ClickHouse at ${u.protocol}//${u.host}, database ${options.database}`;
}

function causeOf(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) {
    // chDB repeats the server's text before `DB::Exception:`; the part after it is the message.
    const message = e.message.replace(/^.*DB::Exception: /s, '').split('\n')[0]!.trim();
    // Wrapping errors often repeat their cause: keep the fuller text once.
    const repeated = parts.findIndex((p) => message.includes(p) || p.includes(message));
    if (repeated < 0) parts.push(message);
    else if (message.length > parts[repeated]!.length) parts[repeated] = message;
  }
  const cause = parts.length > 0 ? parts.join(': ') : String(err);
  return classifyInsertError(err).kind === 'schema' ? `${cause}; run "genai-cost migrate" first?` : cause;
}

/**
 * Opens a connection, runs `fn` and closes it. A connection option that cannot work exits 2; any
 * other failure, reported with its cause, exits 1.
 */
export async function withClickHouse<T>(
  command: string,
  options: ClickHouseConnectionOptions,
  fn: (connection: ClickHouseConnection) => Promise<T>,
): Promise<T> {
  const fail = (err: unknown): CliError => {
    if (err instanceof CliError) return err;
    if (err instanceof ClickHouseConfigError) return new CliError(`genai-cost ${command}: ${causeOf(err)}`, 2, { cause: err });
    // Another process took the directory between the check and the open: chDB only says it could not connect.
    const target = (err as { code?: unknown } | null)?.code === 'CHDB_CONNECTION' ? resolveConnectionOptions(options) : undefined;
    const message = target?.kind === 'chdb' ? inUse(target.path, chdbHolder(target.path)) : `${describeTarget(options)}: ${causeOf(err)}`;
    return new CliError(`genai-cost ${command}: ${message}`, 1, { cause: err });
  };
  let connection: ClickHouseConnection;
  try {
    checkChdbFree(command, options);
    connection = await createClickHouseClient(options);
  } catch (err) {
    throw fail(err);
  }
  try {
    return await fn(connection);
  } catch (err) {
    throw fail(err);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
