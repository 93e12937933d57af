import type { z } from 'zod';

/** Thrown for an invalid option or missing dependency at setup; the message names the field and the expected form. */
export class ClickHouseConfigError extends Error {
  override readonly name = 'ClickHouseConfigError';
}

/** `"path": message` of a zod error's first issue. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : '(options)';
  return `"${field}": ${issue.message}`;
}

/**
 * Why an export failed:
 * - `network`, `timeout`, `overloaded`: transient, retried within the export timeout;
 * - `schema`: the table is missing or does not match the rows (run `genai-cost migrate`);
 * - `auth`: credentials or grants;
 * - `rejected`: the server refused the data for another reason;
 * - `queue_full`: dropped before sending, to bound memory;
 * - `shutdown`: exported after `shutdown()`;
 * - `unknown`: anything else (retried, since it may be transient).
 */
export type ExportFailureKind = 'network' | 'timeout' | 'overloaded' | 'schema' | 'auth' | 'rejected' | 'queue_full' | 'shutdown' | 'unknown';

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
  TOO_MANY_SIMULTANEOUS_QUERIES: 'overloaded',
  MEMORY_LIMIT_EXCEEDED: 'overloaded',
  TABLE_IS_READ_ONLY: 'overloaded',
  KEEPER_EXCEPTION: 'overloaded',
  UNKNOWN_TABLE: 'schema',
  UNKNOWN_DATABASE: 'schema',
  NO_SUCH_COLUMN_IN_TABLE: 'schema',
  THERE_IS_NO_COLUMN: 'schema',
  UNKNOWN_IDENTIFIER: 'schema',
  TYPE_MISMATCH: 'schema',
  INCORRECT_DATA: 'schema',
  CANNOT_PARSE_INPUT_ASSERTION_FAILED: 'schema',
  CANNOT_PARSE_TEXT: 'schema',
  AUTHENTICATION_FAILED: 'auth',
  ACCESS_DENIED: 'auth',
  UNKNOWN_USER: 'auth',
  REQUIRED_PASSWORD: 'auth',
  READONLY: 'auth',
};

const RETRYABLE: ReadonlySet<ExportFailureKind> = new Set(['network', 'timeout', 'overloaded', 'unknown']);

/** The kind of a failed insert and whether trying again may succeed. */
export function classifyInsertError(err: unknown): { kind: ExportFailureKind; retryable: boolean } {
  const kind = kindOf(err);
  return { kind, retryable: RETRYABLE.has(kind) };
}

function kindOf(err: unknown): ExportFailureKind {
  if (err instanceof ClickHouseExportError) return err.kind;
  if (typeof err !== 'object' || err === null) return 'unknown';
  const e = err as { name?: unknown; code?: unknown; type?: unknown; message?: unknown };
  if (typeof e.type === 'string') return SERVER_TYPES[e.type] ?? 'rejected';
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return 'network';
  // A server error whose name the client could not parse still carries the numeric code.
  if (typeof e.code === 'string' && /^\d+$/.test(e.code)) return 'rejected';
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'timeout';
  if (typeof e.message === 'string' && /timeout/i.test(e.message)) return 'timeout';
  return 'unknown';
}
