import { ClickHouseConfigError, DEFAULT_DATABASE, classifyInsertError, createClickHouseClient } from '@genai-cost/clickhouse';
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
  const fail = (err: unknown): CliError =>
    err instanceof CliError
      ? err
      : new CliError(`genai-cost ${command}: ${err instanceof ClickHouseConfigError ? '' : `${describeTarget(options)}: `}${causeOf(err)}`, err instanceof ClickHouseConfigError ? 2 : 1, { cause: err });
  let connection: ClickHouseConnection;
  try {
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
