import { diag, DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import { FakeClickHouseServer } from './test-support/FakeClickHouseServer.js';
import { FakeInsertClient } from './test-support/FakeInsertClient.js';
import { until } from './test-support/rows.js';
import { CHAT_ATTRS, createTestTracing } from './test-support/tracing.js';

const FAST = { retryInitialMs: 5, retryMaxMs: 40, insertTimeoutMs: 2_000, shutdownTimeoutMs: 2_000 };
const ENV = ['CLICKHOUSE_URL', 'CLICKHOUSE_USER', 'CLICKHOUSE_PASSWORD', 'CLICKHOUSE_DATABASE'];

let server: FakeClickHouseServer;
let tracing: ReturnType<typeof createTestTracing>;
const logged: { level: string; message: string }[] = [];
const exporters: ClickHouseSpanExporter[] = [];

beforeEach(async () => {
  server = new FakeClickHouseServer();
  await server.start();
  tracing = createTestTracing();
  const log = (level: string) => (message: string) => logged.push({ level, message });
  diag.setLogger({ error: log('error'), warn: log('warn'), info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
});
afterEach(async () => {
  for (const e of exporters.splice(0)) await e.shutdown();
  await tracing.close();
  await server.close();
  for (const name of ENV) delete process.env[name];
  logged.length = 0;
  diag.disable();
});

function exporter(options?: ConstructorParameters<typeof ClickHouseSpanExporter>[0]): ClickHouseSpanExporter {
  const e = new ClickHouseSpanExporter(options);
  exporters.push(e);
  return e;
}

function exportOnce(e: ClickHouseSpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => e.export(spans, resolve));
}

function chatSpans(): ReadableSpan[] {
  tracing.span('chat', CHAT_ATTRS, { userId: 'u1', tier: 'pro' });
  return tracing.spans();
}

describe('ClickHouseSpanExporter with its own connection', () => {
  it('needs no options: connects to CLICKHOUSE_URL on the first insert, never at construction, and creates the schema first', async () => {
    process.env.CLICKHOUSE_URL = server.url;
    process.env.CLICKHOUSE_DATABASE = 'apm';
    await server.setMode('refuse');
    const e = exporter();
    expect(await exportOnce(e, chatSpans())).toEqual({ code: ExportResultCode.SUCCESS });
    expect(server.statements).toEqual([]);
    await server.setMode('ok');
    await until('the span is stored', () => server.stored('apm.genai_spans').length === 1);
    expect(server.stored('apm.genai_spans')[0]!.values).toMatchObject({ UserId: 'u1', Tier: 'pro' });
    expect(server.statements[0]).toBe('CREATE DATABASE IF NOT EXISTS apm');
  });

  it('takes its connection option over the environment, field by field', async () => {
    process.env.CLICKHOUSE_URL = 'http://127.0.0.1:9/never';
    process.env.CLICKHOUSE_DATABASE = 'from_env';
    const e = exporter({ connection: { url: server.url }, createSchema: false, ...FAST });
    await exportOnce(e, chatSpans());
    await e.forceFlush();
    expect(server.stored('from_env.genai_spans')).toHaveLength(1);
  });

  it('keeps spans and starts the app when an environment variable is wrong, saying what is wrong once', async () => {
    process.env.CLICKHOUSE_URL = 'clickhouse.internal:8123';
    const e = exporter({ createSchema: false, ...FAST, shutdownTimeoutMs: 50 });
    expect(await exportOnce(e, chatSpans())).toEqual({ code: ExportResultCode.SUCCESS });
    await until('an insert was tried', () => e.readiness().clickhouse === 'failing');
    expect(logged[0]).toEqual({
      level: 'error',
      message:
        'genai-cost ClickHouse exporter: ClickHouse connection option (from CLICKHOUSE_URL) "url": expected http(s)://host:port for a server, ' +
        'or chdb:/absolute/path or chdb:relative/path for embedded chDB; spans are kept in the queue until the setting is fixed and the app restarted.',
    });
    expect(e.getStats().queuedSpans).toBe(1);
  });

  it('refuses invalid options with the field and the expected form, never a raw zod message', () => {
    expect(() => new ClickHouseSpanExporter(42 as never)).toThrow('ClickHouseSpanExporter: expected an options object or none, got 42');
    expect(() => new ClickHouseSpanExporter({ connection: { url: 'localhost:8123' } })).toThrow(
      'ClickHouse connection option "url": expected http(s)://host:port for a server, or chdb:/absolute/path or chdb:relative/path for embedded chDB',
    );
    expect(() => new ClickHouseSpanExporter({ client: new FakeInsertClient(), createSchema: true })).toThrow(
      'ClickHouseSpanExporter option "createSchema": expected no "client" with it (a client you pass is yours to open and migrate)',
    );
    expect(() => new ClickHouseSpanExporter({ database: 'my-db' })).toThrow('ClickHouseSpanExporter option "database": expected letters, digits and underscores');
    expect(() => new ClickHouseSpanExporter({ spoolDirectory: '/tmp' } as never)).toThrow('ClickHouseSpanExporter option "spoolDirectory": not an option (a typo?)');
    expect(() => new ClickHouseSpanExporter({ connection: { host: 'ch' } } as never)).toThrow('ClickHouse connection option "host": not an option (a typo?)');
  });
});
