import { diag } from '@opentelemetry/api';
import type { ClickHouseClient } from '@clickhouse/client';
import { openConnection } from './connection.js';
import type { ClickHouseConnection, ResolvedConnection } from './connection.js';
import { classifyInsertError, describeInsertError } from './errors.js';
import { migrate } from './migrations.js';
import type { SpanInsertClient } from './types.js';

/** What `LazyConnection` needs: where to connect (or why it cannot) and whether to create the schema. */
export interface LazyConnectionParams {
  /** The resolved connection, or the error that resolving it gave (reported on every attempt). */
  target: ResolvedConnection | Error;
  /** Run `migrate` before the first insert. */
  createSchema: boolean;
}

/** Failures of `migrate` that trying again cannot fix: inserting without it is the better bet. */
const SCHEMA_GIVE_UP = new Set(['auth', 'schema', 'bad_data', 'rejected']);

/**
 * The exporter's own connection, opened on the first insert rather than at construction, so an
 * app starts whether or not ClickHouse is there. With `createSchema` the migrations run first,
 * as the OpenTelemetry Collector's ClickHouse exporter does with `create_schema`; when they
 * cannot (a user without DDL grants) that is logged once and inserts go ahead, and a missing
 * table keeps its batches queued until `genai-cost migrate` has run. A failed connection is
 * tried again on the next insert; the queue's retries pace it.
 */
export class LazyConnection implements SpanInsertClient {
  private opening: Promise<ClickHouseConnection> | undefined;
  private schema: Promise<void> | undefined;
  private schemaDone = false;

  constructor(private readonly p: LazyConnectionParams) {}

  /** The database of the resolved connection. */
  get database(): string | undefined {
    return this.p.target instanceof Error ? undefined : this.p.target.database;
  }

  async command(params: { query: string; abort_signal: AbortSignal }): Promise<unknown> {
    const { client } = await untilAborted(this.connection(), params.abort_signal);
    if (!this.schemaDone) await untilAborted(this.ensureSchema(client), params.abort_signal);
    return client.command(params);
  }

  /** Closes the connection if one was opened. */
  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (opening === undefined) return;
    const connection = await opening.catch(() => undefined);
    await connection?.close();
  }

  private connection(): Promise<ClickHouseConnection> {
    const target = this.p.target;
    if (target instanceof Error) return Promise.reject(target);
    this.opening ??= openConnection(target).catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  private ensureSchema(client: ClickHouseClient): Promise<void> {
    if (!this.p.createSchema) {
      this.schemaDone = true;
      return Promise.resolve();
    }
    this.schema ??= this.createSchema(client).finally(() => (this.schema = undefined));
    return this.schema;
  }

  private async createSchema(client: ClickHouseClient): Promise<void> {
    const target = this.p.target as ResolvedConnection;
    try {
      const result = await migrate(client, { database: target.database });
      if (result.applied.length > 0) diag.info(`genai-cost ClickHouse exporter: created the schema in ${target.database} (${result.applied.length} migrations)`);
    } catch (err) {
      if (!SCHEMA_GIVE_UP.has(classifyInsertError(err).kind)) throw err;
      diag.warn(
        `genai-cost ClickHouse exporter: could not create the schema in ${target.database} (${describeInsertError(err)}); inserting anyway. ` +
          'Run `genai-cost migrate` as a user allowed to, and set createSchema: false where the app may not change the schema.',
      );
    }
    this.schemaDone = true;
  }
}

/** `promise`, or a rejection with the signal's reason once it aborts: a stopping queue does not wait for a connect. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}
