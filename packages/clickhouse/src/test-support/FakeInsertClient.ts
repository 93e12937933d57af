import { context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import type { SpanRow } from '../tables.js';
import type { SpanInsertClient } from '../types.js';

type CommandParams = Parameters<SpanInsertClient['command']>[0];

/** One INSERT the exporter sent, read back. */
export interface SentInsert {
  table: string;
  columns: string[];
  settings: Record<string, string>;
  format: string;
  rows: SpanRow[];
}

/**
 * A client double that reads the exporter's INSERT statements, stores batches by deduplication
 * token as ClickHouse does, and can fail the next inserts or hold them until released (or aborted).
 */
export class FakeInsertClient implements SpanInsertClient {
  readonly calls: SentInsert[] = [];
  readonly stored = new Map<string, SpanRow[]>();
  /** Whether tracing was suppressed during each insert. */
  readonly suppressed: boolean[] = [];
  private readonly failures: unknown[] = [];
  private held: Array<() => void> | undefined;

  /** The next inserts throw these, in order. */
  failNext(...errors: unknown[]): this {
    this.failures.push(...errors);
    return this;
  }

  /** Inserts wait until `release()`. */
  hold(): this {
    this.held = [];
    return this;
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const go of waiting) go();
  }

  /** Rows stored, deduplicated. */
  rows(): SpanRow[] {
    return [...this.stored.values()].flat();
  }

  async command(params: CommandParams): Promise<unknown> {
    const sent = parseInsert(params.query);
    this.calls.push(sent);
    this.suppressed.push(isTracingSuppressed(context.active()));
    if (this.held !== undefined) {
      // Like a real client, an aborted insert gives up waiting.
      await new Promise<void>((go, stop) => {
        this.held!.push(go);
        params.abort_signal.addEventListener('abort', () => stop(params.abort_signal.reason), { once: true });
      });
    }
    if (this.failures.length > 0) throw this.failures.shift();
    const token = sent.settings.insert_deduplication_token!;
    if (!this.stored.has(token)) this.stored.set(token, sent.rows);
    return {};
  }
}

/** Reads `INSERT INTO t (cols) SETTINGS k = v, ... FORMAT JSONCompactEachRow` and its rows. */
export function parseInsert(query: string): SentInsert {
  const [header, ...lines] = query.split('\n');
  const m = /^INSERT INTO (\S+) \(([^)]*)\) SETTINGS (.*) FORMAT (\w+)$/.exec(header!);
  if (m === null) throw new Error(`not an exporter INSERT: ${header}`);
  const columns = m[2]!.split(', ');
  const settings = Object.fromEntries(m[3]!.split(', ').map((kv) => kv.split(' = ').map((x) => x.replace(/^'|'$/g, '')) as [string, string]));
  const rows = lines.map((line) => Object.fromEntries((JSON.parse(line) as unknown[]).map((v, i) => [columns[i]!, v])) as unknown as SpanRow);
  return { table: m[1]!, columns, settings, format: m[4]!, rows };
}

/** A connection error as Node reports it. */
export function networkError(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
}
