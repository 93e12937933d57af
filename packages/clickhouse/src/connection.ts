import { mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client';
import { diag } from '@opentelemetry/api';
import type { createChdbConnection } from 'chdb/connection';
import { z } from 'zod';
import { ClickHouseConfigError, describeIssue } from './errors.js';
import { DEFAULT_DATABASE } from './tables.js';

/** Where to store and read spans; all optional. */
export interface ClickHouseConnectionOptions {
  /**
   * `http(s)://host:port` of a ClickHouse server, or `chdb:/abs/path` / `chdb:relative/path` for
   * embedded chDB at that path. Default: `CLICKHOUSE_URL`, else embedded chDB at `<cwd>/.genai-cost/chdb`.
   */
  url?: string;
  /** Server user. Default: `CLICKHOUSE_USER`, else the client's default (`default`). */
  username?: string;
  /** Server password. Default: `CLICKHOUSE_PASSWORD`, else empty. */
  password?: string;
  /** Database holding the genai-cost tables. Default: `CLICKHOUSE_DATABASE`, else `genai_cost`. */
  database?: string;
  /** TLS for an https server: PEM contents or paths to PEM files; `cert` and `key` together for mutual TLS. Default: the system CAs. */
  tls?: { caCert?: string; cert?: string; key?: string };
  /** Timeout of one request to a server, ms. Default: 30000. */
  requestTimeoutMs?: number;
}

/** Connection options with env and defaults applied: a server or an embedded chDB directory. */
export type ResolvedConnection =
  | {
      kind: 'server';
      url: string;
      username: string | undefined;
      password: string | undefined;
      database: string;
      tls: { caCert: string; cert?: string | undefined; key?: string | undefined } | undefined;
      requestTimeoutMs: number;
    }
  | { kind: 'chdb'; path: string; database: string };

/** An open client and the database its tables are in. */
export interface ClickHouseConnection {
  client: ClickHouseClient;
  database: string;
  /** True for in-process chDB, false for a server. */
  embedded: boolean;
  /** Closes the client (and releases chDB's directory). */
  close(): Promise<void>;
}

type ChdbClientConnection = NonNullable<ClickHouseClientConfigOptions['connection']>;

/** Embedded chDB's directory when neither an option nor CLICKHOUSE_URL names a store, relative to the working directory. */
export const DEFAULT_CHDB_DIR = join('.genai-cost', 'chdb');

/** The environment variable read for each option. */
const ENV = {
  url: 'CLICKHOUSE_URL',
  username: 'CLICKHOUSE_USER',
  password: 'CLICKHOUSE_PASSWORD',
  database: 'CLICKHOUSE_DATABASE',
} as const;

const URL_FORM = 'expected http(s)://host:port for a server, or chdb:/absolute/path or chdb:relative/path for embedded chDB';

const optionsSchema = z.strictObject({
  url: z
    .string()
    .refine((u) => (u.startsWith('chdb:') ? /^chdb:(?!\/\/)./.test(u) : /^https?:\/\/[^/]/.test(u) && URL.canParse(u)), URL_FORM)
    .optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a database name of letters, digits and underscores').optional(),
  tls: z
    .strictObject({ caCert: z.string().min(1).optional(), cert: z.string().min(1).optional(), key: z.string().min(1).optional() })
    .refine((t) => (t.cert === undefined) === (t.key === undefined), 'expected both cert and key for mutual TLS, or neither')
    .refine((t) => t.cert === undefined || t.caCert !== undefined, 'expected caCert with cert and key')
    .optional(),
  requestTimeoutMs: z.number().int().positive('expected a positive number of milliseconds').optional(),
});

/**
 * Validates the options and fills the gaps from the environment (`CLICKHOUSE_URL`,
 * `CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`, `CLICKHOUSE_DATABASE`): the one place env is read.
 * Options beat env field by field.
 */
export function resolveConnectionOptions(options: ClickHouseConnectionOptions, env: NodeJS.ProcessEnv = process.env): ResolvedConnection {
  const merged = { ...options };
  for (const field of Object.keys(ENV) as (keyof typeof ENV)[]) merged[field] ??= nonEmpty(env[ENV[field]]);
  const parsed = optionsSchema.safeParse(merged);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0];
    const source = typeof field === 'string' && field in ENV && options[field as keyof typeof ENV] === undefined ? ` (from ${ENV[field as keyof typeof ENV]})` : '';
    throw new ClickHouseConfigError(`ClickHouse connection option${source} ${describeIssue(parsed.error)}`);
  }
  const o = parsed.data;
  const database = o.database ?? DEFAULT_DATABASE;
  const url = o.url ?? `chdb:${DEFAULT_CHDB_DIR}`;
  if (url.startsWith('chdb:')) {
    if (o.tls !== undefined) diag.warn('genai-cost: the "tls" option applies to a ClickHouse server, not embedded chDB; ignored.');
    const path = url.slice('chdb:'.length);
    return { kind: 'chdb', path: isAbsolute(path) ? path : resolve(process.cwd(), path), database };
  }
  if (o.tls?.caCert === undefined && o.tls !== undefined) diag.warn('genai-cost: the "tls" option has no caCert; ignored.');
  return {
    kind: 'server',
    url,
    username: o.username,
    password: o.password,
    database,
    tls: o.tls?.caCert === undefined ? undefined : { caCert: o.tls.caCert, cert: o.tls.cert, key: o.tls.key },
    requestTimeoutMs: o.requestTimeoutMs ?? 30_000,
  };
}

/**
 * Opens a client: `@clickhouse/client` over HTTP for a server, or over in-process chDB (the
 * optional `chdb` package, loaded only then) for a `chdb:` store, creating its directory. The
 * client is not bound to `database`, which may not exist before `migrate`; queries name it.
 */
export async function createClickHouseClient(options: ClickHouseConnectionOptions = {}): Promise<ClickHouseConnection> {
  return openConnection(resolveConnectionOptions(options));
}

/** Opens a client for connection options already resolved (see `createClickHouseClient`). */
export async function openConnection(r: ResolvedConnection): Promise<ClickHouseConnection> {
  let client: ClickHouseClient;
  if (r.kind === 'server') {
    client = createClient({
      url: r.url,
      username: r.username,
      password: r.password,
      request_timeout: r.requestTimeoutMs,
      application: 'genai-cost',
      tls: r.tls === undefined ? undefined : tlsOption(r.tls),
      // Failures reach the caller as errors, which the exporter counts and logs once per kind and the
      // CLI prints in one line; the client's own logger would print each one again, stack and all.
      log: { level: ClickHouseLogLevel.OFF },
    });
  } else {
    const { createChdbConnection } = await loadChdb();
    mkdirSync(r.path, { recursive: true });
    // chdb types its connection against @clickhouse/client-common, which @clickhouse/client bundles
    // a copy of; the two declarations are identical but nominally distinct.
    const connection = createChdbConnection({ path: r.path }) as unknown as ChdbClientConnection;
    client = createClient({ connection });
  }
  return { client, database: r.database, embedded: r.kind === 'chdb', close: () => client.close() };
}

async function loadChdb(): Promise<{ createChdbConnection: typeof createChdbConnection }> {
  try {
    return await import('chdb/connection');
  } catch (err) {
    throw new ClickHouseConfigError(
      'Embedded ClickHouse needs the optional "chdb" package, which could not be loaded: run `npm install chdb`, ' +
        'or set CLICKHOUSE_URL (or the "url" option) to use a ClickHouse server.',
      { cause: err },
    );
  }
}

function tlsOption(tls: { caCert: string; cert?: string | undefined; key?: string | undefined }) {
  const ca_cert = pem(tls.caCert, 'tls.caCert');
  if (tls.cert === undefined || tls.key === undefined) return { ca_cert };
  return { ca_cert, cert: pem(tls.cert, 'tls.cert'), key: pem(tls.key, 'tls.key') };
}

/** PEM text as given, or the contents of the file it names. */
function pem(value: string, field: string): Buffer {
  if (value.includes('-----BEGIN')) return Buffer.from(value);
  try {
    return readFileSync(value);
  } catch (err) {
    throw new ClickHouseConfigError(`ClickHouse connection option "${field}": expected PEM text or a readable file path, could not read "${value}"`, { cause: err });
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

