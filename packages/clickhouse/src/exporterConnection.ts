import { diag } from '@opentelemetry/api';
import { resolveConnectionOptions } from './connection.js';
import type { ClickHouseConnectionOptions, ResolvedConnection } from './connection.js';
import { ClickHouseConfigError } from './errors.js';
import { LazyConnection } from './LazyConnection.js';
import { DEFAULT_DATABASE } from './tables.js';

/** The exporter's own connection and the database its rows go to. */
export interface ExporterConnection {
  client: LazyConnection;
  database: string;
}

/**
 * The composition root of an exporter given no client: maps its `connection` and `database`
 * options and the environment (`CLICKHOUSE_URL`, `CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`,
 * `CLICKHOUSE_DATABASE`; options win field by field) onto a connection opened on the first insert.
 * An invalid option throws `ClickHouseConfigError`; an invalid environment variable is logged
 * once and reported on every insert attempt instead, so a bad deployment setting never stops the
 * app from starting, and the spans wait in the queue for the fix.
 */
export function exporterConnection(
  options: { connection?: Omit<ClickHouseConnectionOptions, 'database'> | undefined; database?: string | undefined; createSchema?: boolean | undefined },
  env: NodeJS.ProcessEnv = process.env,
): ExporterConnection {
  const explicit: ClickHouseConnectionOptions = { ...options.connection, database: options.database };
  resolveConnectionOptions(explicit, {});
  let target: ResolvedConnection | Error;
  try {
    target = resolveConnectionOptions(explicit, env);
  } catch (err) {
    if (!(err instanceof ClickHouseConfigError)) throw err;
    diag.error(`genai-cost ClickHouse exporter: ${err.message}; spans are kept in the queue until the setting is fixed and the app restarted.`);
    target = err;
  }
  const database = target instanceof Error ? (options.database ?? DEFAULT_DATABASE) : target.database;
  return { client: new LazyConnection({ target, createSchema: options.createSchema ?? true }), database };
}
