import type { z } from 'zod';

/** Thrown for an invalid option or missing dependency at setup; the message names the field and the expected form. */
export class ClickHouseConfigError extends Error {
  override readonly name = 'ClickHouseConfigError';
}

/** `"path": message` of a zod error's first issue; an unknown key is named as the field. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return `"${[...issue.path, issue.keys[0]].join('.')}": not an option (a typo?)`;
  const field = issue.path.length > 0 ? issue.path.join('.') : '(options)';
  return `"${field}": ${issue.message}`;
}

/**
 * Why an insert attempt or an export failed:
 * - `network`, `timeout`, `overloaded`, `unknown`: transient; the batch stays queued and is retried;
 * - `schema`: the table is missing or does not match the rows (run `genai-cost migrate`); retried,
 *   since the fix needs no change to the data;
 * - `auth`: credentials or grants; retried for the same reason;
 * - `bad_data`: ClickHouse refused values in the rows; the batch is split until the bad rows are
 *   found, which go to the dead-letter table;
 * - `rejected`: another server error; retried a few times, then handled as `bad_data`;
 * - `queue_full`: refused before queuing, to keep the queue within its bound;
 * - `spool`: the spool could not be written;
 * - `shutdown`: exported after `shutdown()`.
 */
export type ExportFailureKind =
  | 'network'
  | 'timeout'
  | 'overloaded'
  | 'schema'
  | 'auth'
  | 'bad_data'
  | 'rejected'
  | 'queue_full'
  | 'spool'
  | 'shutdown'
  | 'unknown';

/** Every failure kind, for counters. */
export const FAILURE_KINDS: readonly ExportFailureKind[] = [
  'network',
  'timeout',
  'overloaded',
  'schema',
  'auth',
  'bad_data',
  'rejected',
  'queue_full',
  'spool',
  'shutdown',
  'unknown',
];

/** The error an export calls back with; `kind` says why, `cause` holds what the client threw. */
export class ClickHouseExportError extends Error {
  override readonly name = 'ClickHouseExportError';
  constructor(
    readonly kind: ExportFailureKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** ClickHouse error names (the `type` of a ClickHouseError) by kind. */
const SERVER_TYPES: Record<string, ExportFailureKind> = {
  TIMEOUT_EXCEEDED: 'timeout',
  SOCKET_TIMEOUT: 'timeout',
  NETWORK_ERROR: 'network',
  ALL_CONNECTION_TRIES_FAILED: 'network',
  TOO_MANY_PARTS: 'overloaded',
  TOO_MANY_PARTITIONS: 'bad_data',
  TOO_MANY_SIMULTANEOUS_QUERIES: 'overloaded',
  MEMORY_LIMIT_EXCEEDED: 'overloaded',
  TABLE_IS_READ_ONLY: 'overloaded',
  KEEPER_EXCEPTION: 'overloaded',
  UNKNOWN_TABLE: 'schema',
  UNKNOWN_DATABASE: 'schema',
  NO_SUCH_COLUMN_IN_TABLE: 'schema',
  THERE_IS_NO_COLUMN: 'schema',
  UNKNOWN_IDENTIFIER: 'schema',
  UNKNOWN_SETTING: 'schema',
  TYPE_MISMATCH: 'bad_data',
  INCORRECT_DATA: 'bad_data',
  INCORRECT_NUMBER_OF_COLUMNS: 'bad_data',
  ARGUMENT_OUT_OF_BOUND: 'bad_data',
  DECIMAL_OVERFLOW: 'bad_data',
  VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE: 'bad_data',
  VIOLATED_CONSTRAINT: 'bad_data',
  TOO_LARGE_STRING_SIZE: 'bad_data',
  CANNOT_CONVERT_TYPE: 'bad_data',
  AUTHENTICATION_FAILED: 'auth',
  ACCESS_DENIED: 'auth',
  UNKNOWN_USER: 'auth',
  REQUIRED_PASSWORD: 'auth',
  READONLY: 'auth',
};

const RETRYABLE: ReadonlySet<ExportFailureKind> = new Set(['network', 'timeout', 'overloaded', 'unknown', 'schema', 'auth']);

/**
 * The kind of a failed insert and whether sending the same rows again may succeed: true for every
 * kind but `bad_data` and `rejected`, whose rows the exporter splits instead.
 */
export function classifyInsertError(err: unknown): { kind: ExportFailureKind; retryable: boolean } {
  const kind = kindOf(err);
  return { kind, retryable: RETRYABLE.has(kind) };
}

/** A short, one-line description of a failed insert, for logs and the dead-letter table. */
export function describeInsertError(err: unknown): string {
  const e = err as { message?: unknown; type?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const line = message.replace(/\s+/g, ' ').trim().slice(0, 500);
  return typeof e?.type === 'string' ? `${e.type}: ${line}` : line;
}

function kindOf(err: unknown): ExportFailureKind {
  if (err instanceof ClickHouseExportError) return err.kind;
  if (typeof err !== 'object' || err === null) return 'unknown';
  const e = err as { name?: unknown; code?: unknown; type?: unknown; message?: unknown };
  // One INSERT may write at most max_partitions_per_insert_block partitions: fewer rows per insert fix it.
  if (e.type === 'TOO_MANY_PARTS' && typeof e.message === 'string' && /partitions for (a )?single INSERT/i.test(e.message)) return 'bad_data';
  if (typeof e.type === 'string') return SERVER_TYPES[e.type] ?? (/^CANNOT_(PARSE|READ)_/.test(e.type) ? 'bad_data' : 'rejected');
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'network';
  // A server error whose name the client could not parse still carries the numeric code.
  if (typeof e.code === 'string' && /^\d+$/.test(e.code)) return 'rejected';
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'timeout';
  if (typeof e.message === 'string' && /timeout/i.test(e.message)) return 'timeout';
  return 'unknown';
}
