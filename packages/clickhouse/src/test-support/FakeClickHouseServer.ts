import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseInsert } from './FakeInsertClient.js';

/**
 * How the server answers inserts:
 * - `ok`: stores the rows (once per deduplication token, as ClickHouse does) and answers 200;
 * - `refuse`: not listening, so connections are refused;
 * - `503`: answers 503 Service Unavailable without storing;
 * - `hang`: reads the request and never answers;
 * - `store-then-drop`: stores the rows, then drops the connection without an answer.
 */
export type FakeServerMode = 'ok' | 'refuse' | '503' | 'hang' | 'store-then-drop';

/** One stored row: enough to count spans and duplicates. */
export interface StoredRow {
  table: string;
  token: string;
  TraceId: string;
  SpanId: string;
  values: Record<string, unknown>;
}

/**
 * A ClickHouse HTTP server double on 127.0.0.1 (port 0, kept across `refuse` periods) for the
 * exporter's INSERT statements. It stores rows keyed by deduplication token and counts rows per
 * SpanId, so duplicates show; `rejectWhen` makes it refuse an insert as ClickHouse refuses bad data.
 */
export class FakeClickHouseServer {
  /** Rows stored, in order. */
  readonly rows: StoredRow[] = [];
  /** Other statements received (DDL, queries, inserts with their rows in the body), in order. */
  readonly statements: string[] = [];
  /** Insert requests received, by mode they met. */
  readonly requests: Record<FakeServerMode, number> = { ok: 0, refuse: 0, '503': 0, hang: 0, 'store-then-drop': 0 };
  private readonly tokens = new Set<string>();
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();
  private mode: FakeServerMode = 'ok';
  private listening = false;
  private port = 0;
  /** Refuse an insert (as bad data, code 27) when a row matches. */
  rejectWhen: ((values: Record<string, unknown>) => boolean) | undefined;

  /** `keepValues: false` keeps only table, token and ids of each row, for long runs. */
  constructor(private readonly options: { keepValues?: boolean } = {}) {
    // A client that goes away mid-request (or a `refuse` switch that cuts it) ends that request only.
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    this.server.keepAliveTimeout = 1_000;
  }

  /** Starts listening; resolves to the server's `http://127.0.0.1:port` URL. */
  async start(): Promise<string> {
    await this.listen();
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Switches how the server answers; `refuse` closes the port and drops open connections. */
  async setMode(mode: FakeServerMode): Promise<void> {
    const previous = this.mode;
    this.mode = mode;
    if (previous === 'hang') for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    if (mode === 'refuse' && this.listening) {
      this.listening = false;
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
    } else if (mode !== 'refuse' && !this.listening) {
      await this.listen();
    }
  }

  /** Rows stored in `table` (default: every table). */
  stored(table?: string): StoredRow[] {
    return table === undefined ? this.rows : this.rows.filter((r) => r.table === table);
  }

  /** Rows stored more than once for the same SpanId in `table`. */
  duplicates(table: string): number {
    const rows = this.stored(table);
    return rows.length - new Set(rows.map((r) => r.TraceId + r.SpanId)).size;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'GET' || !body.startsWith('INSERT')) {
      if (req.method === 'POST') this.statements.push(body);
      // A query finds nothing; a statement (the migrations' DDL) succeeds.
      res.end(body.startsWith('SELECT') ? '' : 'Ok.\n');
      return;
    }
    const mode = this.mode;
    this.requests[mode]++;
    if (mode === '503') {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    if (mode === 'hang') {
      this.hanging.add(res);
      return;
    }
    const insert = parseInsert(body);
    const values = insert.rows as unknown as Record<string, unknown>[];
    const bad = this.rejectWhen === undefined ? -1 : values.findIndex(this.rejectWhen);
    if (bad >= 0) {
      res
        .writeHead(500, { 'Content-Type': 'text/plain', 'X-ClickHouse-Exception-Code': '27' })
        .end(`Code: 27. DB::Exception: Cannot parse input: bad value at row ${bad + 1}. (CANNOT_PARSE_INPUT_ASSERTION_FAILED) (version 25.8.1.1)`);
      return;
    }
    const token = insert.settings.insert_deduplication_token ?? '';
    if (!this.tokens.has(token)) {
      this.tokens.add(token);
      const keep = this.options.keepValues ?? true;
      for (const v of values) this.rows.push({ table: insert.table, token, TraceId: String(v.TraceId), SpanId: String(v.SpanId), values: keep ? v : {} });
    }
    if (mode === 'store-then-drop') {
      res.destroy();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', 'X-ClickHouse-Summary': '{}' }).end('');
  }
}
