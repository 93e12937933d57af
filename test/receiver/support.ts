import type { ClickHouseClient } from '@clickhouse/client';
import { SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanQueue } from '@genai-cost/clickhouse';
import type { SpanInsertClient, SpanQueueOptions } from '@genai-cost/clickhouse';
import { PriceCatalog } from '@genai-cost/pricing';
import { OtlpReceiver } from '@genai-cost/receiver';
import type { OtlpReceiverOptions, ReceiverLogger } from '@genai-cost/receiver';

/** Round prices (USD per million tokens), so expected costs are worked out by hand. */
export const TEST_CATALOG = PriceCatalog.empty().withPrices([
  { provider: 'openai', model: 'gpt-test', input: 2, output: 8, cacheRead: 0.5 },
  { provider: 'anthropic', model: 'claude-test', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
]);

/** A logger that keeps records, for assertions and a quiet test output. */
export function memoryLogger(): ReceiverLogger & { records: { level: string; message: string; fields?: Record<string, unknown> }[] } {
  const records: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  return { records, log: (level, message, fields) => void records.push({ level, message, fields }) };
}

/** chDB for one test file (one process), with a fresh migrated database per call to `database()`. */
export { TestChdb as ReceiverChdb } from '../../packages/clickhouse/src/test-support/chdb.js';

/**
 * A receiver on 127.0.0.1, a free port, storing into `database` through a `SpanQueue` on `client`
 * that retries quickly. `receiver.shutdown()` shuts the queue down, sending what it holds.
 */
export async function startReceiver(
  client: SpanInsertClient & Partial<Pick<SwitchableClient, 'ping'>>,
  database: string,
  options: Partial<OtlpReceiverOptions> = {},
  queueOptions: Partial<SpanQueueOptions> = {},
): Promise<{ receiver: OtlpReceiver; url: string; queue: SpanQueue }> {
  const queue = new SpanQueue({ client, database, retryInitialMs: 20, retryMaxMs: 100, ...queueOptions });
  const ping = client.ping === undefined ? undefined : () => client.ping!().then((r) => r.success);
  const receiver = new OtlpReceiver({ queue, host: '127.0.0.1', port: 0, logger: memoryLogger(), pricing: { catalog: TEST_CATALOG }, ...(ping === undefined ? {} : { ping }), ...options });
  const { url } = await receiver.start();
  return { receiver, url, queue };
}

/** One span as an app would end it: name, kind, attributes, scope. */
export interface AppSpan {
  name: string;
  kind: SpanKind;
  scope: string;
  attributes: Attributes;
}

type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPProtoExporter>[0]>;

/** A real OTLP client: the OTel SDK with the protobuf or the JSON OTLP/HTTP exporter. */
export function otlpApp(options: { url: string; encoding: 'protobuf' | 'json'; gzip: boolean; resource?: Attributes; headers?: Record<string, string> }) {
  const config: ExporterConfig = {
    url: `${options.url}/v1/traces`,
    compression: (options.gzip ? 'gzip' : 'none') as ExporterConfig['compression'],
    headers: options.headers,
    timeoutMillis: 10_000,
  };
  const exporter = options.encoding === 'protobuf' ? new OTLPProtoExporter(config) : new OTLPJsonExporter(config);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'python-app', ...options.resource }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return {
    /** Ends the spans (each exported on its own by the SimpleSpanProcessor) and waits until sent. */
    async send(spans: AppSpan[]): Promise<void> {
      for (const s of spans) provider.getTracer(s.scope).startSpan(s.name, { kind: s.kind, attributes: s.attributes }).end();
      await provider.forceFlush();
    },
    shutdown: () => provider.shutdown(),
  };
}

export { SpanKind };

/**
 * A chDB client with a switch: `down` fails every insert and ping as an unreachable server does
 * (ECONNREFUSED); `commit-then-fail` stores the insert and then fails as a timeout after the server
 * committed would; `gate` holds inserts until `release()`.
 */
export class SwitchableClient implements SpanInsertClient {
  mode: 'up' | 'down' | 'commit-then-fail' = 'up';
  inserts = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;

  constructor(private readonly inner: ClickHouseClient) {}

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open?.();
    this.gate = undefined;
  }

  async command(params: { query: string; abort_signal: AbortSignal }): Promise<unknown> {
    this.inserts++;
    if (this.gate !== undefined) await this.gate;
    if (this.mode === 'down') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    const result = await this.inner.command({ query: params.query });
    if (this.mode === 'commit-then-fail') {
      this.mode = 'up';
      throw Object.assign(new Error('Timeout error.'), { name: 'TimeoutError' });
    }
    return result;
  }

  async ping(): Promise<{ success: boolean }> {
    return this.mode === 'down' ? { success: false } : this.inner.ping();
  }
}
