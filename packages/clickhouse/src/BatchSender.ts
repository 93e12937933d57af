import { setTimeout as sleep } from 'node:timers/promises';
import { diag } from '@opentelemetry/api';
import { DEAD_LETTER_COLUMNS, deadLetterLine, rejectLine } from './deadLetter.js';
import { FAILURE_KINDS, classifyInsertError, describeInsertError } from './errors.js';
import type { ExportFailureKind } from './errors.js';
import { insertStatement } from './spanInsert.js';
import type { RejectRecord } from './spool.js';
import type { SpanInsertClient } from './types.js';

/** Attempts of an insert refused with an unrecognised server error before its rows are split. */
const REJECTED_ATTEMPTS = 3;

/** What the sender needs to know; resolved by the queue. */
export interface BatchSenderParams {
  client: SpanInsertClient;
  table: string;
  columns: readonly string[];
  deadLetterTable: string;
  insertTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

/** How one batch ended. */
export interface SendOutcome {
  stored: number;
  deadLettered: number;
  /** Bad rows the dead-letter table refused too. */
  lost: number;
}

/** Thrown when a send is abandoned because the queue is stopping. */
export class SendAborted extends Error {
  override readonly name = 'SendAborted';
}

/**
 * Sends one batch until it is stored: transient failures are retried with capped exponential
 * backoff and jitter, forever; rows ClickHouse refuses as bad data are found by splitting the batch
 * in halves (each half under a token derived from its parent's, so a replay splits the same way and
 * is deduplicated the same way), and each bad row goes to the dead-letter table with the error.
 */
export class BatchSender {
  /** Failed attempts by kind. */
  readonly failures = Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<ExportFailureKind, number>;
  retries = 0;
  inserts = 0;
  /** The outcome of the last attempt, for readiness. */
  lastAttempt: { ok: boolean; at: number; error?: string; retryAt?: number } | undefined;
  private readonly logged = new Set<ExportFailureKind>();

  constructor(
    private readonly p: BatchSenderParams,
    private readonly stop: AbortSignal,
  ) {}

  /** Stores `lines` and the already-invalid `rejects`; rejects with `SendAborted` when the queue stops. */
  async send(lines: readonly string[], rejects: readonly RejectRecord[], token: string): Promise<SendOutcome> {
    const bad: RejectRecord[] = [...rejects];
    const stored = lines.length === 0 ? 0 : await this.insertSplitting(this.p.table, this.p.columns, lines, token, bad);
    if (bad.length === 0) return { stored, deadLettered: 0, lost: 0 };
    const now = Date.now();
    const dlLines = bad.map((r) => deadLetterLine(r, this.p.table, now));
    const lostRows: RejectRecord[] = [];
    const deadLettered = await this.insertSplitting(this.p.deadLetterTable, DEAD_LETTER_COLUMNS, dlLines, `${token}_dl`, lostRows);
    if (lostRows.length > 0) {
      diag.error(`genai-cost ClickHouse exporter: ${lostRows.length} bad rows were refused by ${this.p.deadLetterTable} too and are lost: ${lostRows[0]!.reason}`);
    }
    return { stored, deadLettered, lost: lostRows.length };
  }

  /**
   * Inserts the lines, splitting around bad ones (added to `bad`); resolves to the rows stored. An
   * unrecognised refusal is tried `patience` times before splitting; the halves split at once.
   */
  private async insertSplitting(
    table: string,
    columns: readonly string[],
    lines: readonly string[],
    token: string,
    bad: RejectRecord[],
    patience = REJECTED_ATTEMPTS,
  ): Promise<number> {
    const query = insertStatement(table, columns, lines, token);
    let rejected = 0;
    for (let attempt = 0; ; attempt++) {
      if (this.stop.aborted) throw new SendAborted('the queue is stopping');
      const timeout = AbortSignal.timeout(this.p.insertTimeoutMs);
      try {
        await this.p.client.command({ query, abort_signal: AbortSignal.any([timeout, this.stop]) });
        this.inserts++;
        this.lastAttempt = { ok: true, at: Date.now() };
        return lines.length;
      } catch (err) {
        if (this.stop.aborted) throw new SendAborted('the queue is stopping', { cause: err });
        const { kind, retryable } = timeout.aborted ? { kind: 'timeout' as const, retryable: true } : classifyInsertError(err);
        this.failures[kind]++;
        this.logOnce(kind, table, err);
        if (!retryable && (kind !== 'rejected' || ++rejected >= patience)) {
          // The server answered; refusing the data says nothing about its health.
          this.lastAttempt = { ok: true, at: Date.now() };
          if (lines.length === 1) {
            bad.push(rejectLine(columns, lines[0]!, describeInsertError(err)));
            return 0;
          }
          const mid = lines.length >> 1;
          const first = await this.insertSplitting(table, columns, lines.slice(0, mid), `${token}_0`, bad, 1);
          return first + (await this.insertSplitting(table, columns, lines.slice(mid), `${token}_1`, bad, 1));
        }
        const delay = Math.min(this.p.retryMaxMs, this.p.retryInitialMs * 2 ** Math.min(attempt, 30)) * (0.5 + Math.random() / 2);
        this.lastAttempt = { ok: false, at: Date.now(), error: describeInsertError(err), retryAt: Date.now() + delay };
        this.retries++;
        await sleep(delay, undefined, { signal: this.stop, ref: false }).catch(() => undefined);
      }
    }
  }

  private logOnce(kind: ExportFailureKind, table: string, err: unknown): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    const what = kind === 'bad_data' || kind === 'rejected' ? 'refused rows; splitting the batch to find them' : 'failed; retrying until it succeeds';
    diag.warn(`genai-cost ClickHouse exporter: an insert into ${table} ${what} (${kind}: ${describeInsertError(err)}). Further ${kind} failures are only counted (getStats()).`);
  }
}
