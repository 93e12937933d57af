import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client';
import { SpanKind, diag } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createChdbConnection } from 'chdb/connection';
import protobuf from 'protobufjs';
import { ClickHouseSpanExporter, SpanQueue, SpanRowMapper, migrate } from '@genai-cost/clickhouse';
import { DEFAULT_ATTRIBUTE_KEYS, DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES, DEFAULT_MAX_TOKENS_PER_SPAN, GenAICostSpanProcessor } from '@genai-cost/otel';
import { AttributionReader, DEFAULT_HEADER_KEYS, DEFAULT_RECENT_MODEL_CALLS, OtlpReceiver, RecentModelCalls, RequestPricer, decodeProtobufRequest } from '@genai-cost/receiver';
import { median } from './stats.js';

/** Spans per export, for both pipelines: one insert each. */
const BATCH = 4096;
const TIERS = ['free', 'solo', 'team', 'pro'];

/** Ends `n` model-call spans shaped like the OTel GenAI conventions', attributed by span attributes, through `processors`. */
function emit(processors: SpanProcessor[], n: number): BasicTracerProvider {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench-app' }), spanProcessors: processors });
  const tracer = provider.getTracer('opentelemetry.instrumentation.openai_v2');
  for (let i = 0; i < n; i++) {
    tracer
      .startSpan('chat gpt-4o-mini', {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.response.id': `chatcmpl-${i}`,
          'gen_ai.response.finish_reasons': ['stop'],
          'gen_ai.usage.input_tokens': 1200 + (i % 500),
          'gen_ai.usage.output_tokens': 300,
          'gen_ai.usage.cache_read.input_tokens': 1024,
          'server.address': 'api.openai.com',
          'user.id': `user-${i % 5000}`,
          'saas.tier': TIERS[i % 4]!,
          'saas.feature': 'chat',
          'session.id': `s-${i >> 3}`,
        },
      })
      .end();
  }
  return provider;
}

type ExporterConfig = NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>;
const compression = (gzip: boolean) => (gzip ? 'gzip' : 'none') as ExporterConfig['compression'];

const batchOptions = (n: number) => ({ maxExportBatchSize: BATCH, maxQueueSize: n, scheduledDelayMillis: 50 });

/** In-process: the app's SDK with the cost processor and the ClickHouse exporter. */
async function inProcess(client: ClickHouseClient, database: string, n: number): Promise<void> {
  const provider = emit([new GenAICostSpanProcessor(), new BatchSpanProcessor(new ClickHouseSpanExporter({ client, database }), batchOptions(n))], n);
  await provider.forceFlush();
  await provider.shutdown();
}

/** Through serve: the app's SDK exports OTLP/protobuf to a receiver on loopback that prices and queues, until the queue has stored everything. */
async function throughReceiver(client: ClickHouseClient, database: string, n: number, gzip: boolean): Promise<void> {
  const queue = new SpanQueue({ client, database });
  const receiver = new OtlpReceiver({ queue, port: 0, logger: { log: () => undefined } });
  const { url } = await receiver.start();
  const exporter = new OTLPTraceExporter({ url: `${url}/v1/traces`, compression: compression(gzip), timeoutMillis: 60_000 });
  const provider = emit([new BatchSpanProcessor(exporter, batchOptions(n))], n);
  await provider.forceFlush();
  await provider.shutdown();
  await receiver.shutdown();
  const stored = queue.getStats().storedSpans;
  if (stored !== n) throw new Error(`the receiver stored ${stored} of ${n} spans`);
}

/** One OTLP/protobuf request body of `n` spans, as the real exporter sends it. */
async function captureBody(n: number): Promise<Buffer> {
  let body: Buffer | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      body ??= Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const exporter = new OTLPTraceExporter({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, compression: compression(false) });
  const provider = emit([new BatchSpanProcessor(exporter, batchOptions(n))], n);
  await provider.forceFlush();
  await provider.shutdown();
  await new Promise((resolve) => server.close(resolve));
  return body!;
}

/**
 * The same request decoded by protobufjs 8.8.1 (reflection, which compiles a decoder at run time,
 * as fast as its static code) from the opentelemetry-proto field numbers: message objects only,
 * before any conversion into spans, so a lower bound for that approach.
 */
function protobufjsDecoder(): (body: Buffer) => unknown {
  const f = (type: string, id: number, rule?: 'repeated') => (rule === undefined ? { type, id } : { type, id, rule });
  const root = protobuf.Root.fromJSON({
    nested: {
      ExportTraceServiceRequest: { fields: { resourceSpans: f('ResourceSpans', 1, 'repeated') } },
      ResourceSpans: { fields: { resource: f('Resource', 1), scopeSpans: f('ScopeSpans', 2, 'repeated'), schemaUrl: f('string', 3) } },
      Resource: { fields: { attributes: f('KeyValue', 1, 'repeated'), droppedAttributesCount: f('uint32', 2) } },
      ScopeSpans: { fields: { scope: f('InstrumentationScope', 1), spans: f('Span', 2, 'repeated'), schemaUrl: f('string', 3) } },
      InstrumentationScope: { fields: { name: f('string', 1), version: f('string', 2), attributes: f('KeyValue', 3, 'repeated'), droppedAttributesCount: f('uint32', 4) } },
      Span: {
        fields: {
          traceId: f('bytes', 1), spanId: f('bytes', 2), traceState: f('string', 3), parentSpanId: f('bytes', 4), flags: f('fixed32', 16),
          name: f('string', 5), kind: f('int32', 6), startTimeUnixNano: f('fixed64', 7), endTimeUnixNano: f('fixed64', 8),
          attributes: f('KeyValue', 9, 'repeated'), droppedAttributesCount: f('uint32', 10), droppedEventsCount: f('uint32', 12),
          droppedLinksCount: f('uint32', 14), status: f('Status', 15),
        },
      },
      Status: { fields: { message: f('string', 2), code: f('int32', 3) } },
      KeyValue: { fields: { key: f('string', 1), value: f('AnyValue', 2) } },
      AnyValue: {
        oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
        fields: { stringValue: f('string', 1), boolValue: f('bool', 2), intValue: f('int64', 3), doubleValue: f('double', 4), arrayValue: f('ArrayValue', 5), kvlistValue: f('KeyValueList', 6), bytesValue: f('bytes', 7) },
      },
      ArrayValue: { fields: { values: f('AnyValue', 1, 'repeated') } },
      KeyValueList: { fields: { values: f('KeyValue', 1, 'repeated') } },
    },
  });
  const type = root.lookupType('ExportTraceServiceRequest');
  return (body) => type.decode(body);
}

/** CPU µs per span of `fn` over `rounds` calls on `spans` spans each: medians of interleaved rounds. */
function cpuPerSpan(rounds: number, spans: number, variants: Record<string, () => void>): Record<string, number> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const t0 = process.cpuUsage();
      fn();
      const used = process.cpuUsage(t0);
      if (r > 0) samples[name]!.push((used.user + used.system) / spans); // round 0 warms up
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

function benchCpu(body: Buffer, spans: number): void {
  const decodeOurs = (): void => void decodeProtobufRequest(body);
  const protobufjs = protobufjsDecoder();
  const attribution = new AttributionReader({ attributeKeys: DEFAULT_ATTRIBUTE_KEYS, extraAttributeKeys: {}, headerKeys: DEFAULT_HEADER_KEYS });
  const recent = new RecentModelCalls(DEFAULT_RECENT_MODEL_CALLS.maxSpans, DEFAULT_RECENT_MODEL_CALLS.maxAgeMs);
  const pricer = new RequestPricer({ pricing: { attributeKeys: DEFAULT_ATTRIBUTE_KEYS }, attribution, keepAllSpans: false, recent });
  const mapper = new SpanRowMapper({ attributeKeys: DEFAULT_ATTRIBUTE_KEYS, inputExcludesCacheScopes: DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES, maxTokensPerSpan: DEFAULT_MAX_TOKENS_PER_SPAN });
  // Every round decodes the same body: forgetting what a round remembered keeps each a first sending.
  const price = () => {
    const priced = pricer.price(decodeProtobufRequest(body).spans, undefined);
    pricer.forget(priced);
    return priced;
  };
  const us = cpuPerSpan(15, spans, {
    'decode (this package)': decodeOurs,
    'decode (protobufjs, message objects only)': () => void protobufjs(body),
    'decode + price': () => void price(),
    'decode + price + map to rows': () => {
      for (const s of price().kept) mapper.row(s);
    },
  });
  const ours = us['decode (this package)']!;
  const pbjs = us['decode (protobufjs, message objects only)']!;
  console.log(
    `receiver CPU per span (${spans} spans per request, ${(body.length / spans).toFixed(0)} bytes per span): decode ${ours.toFixed(2)} µs ` +
      `(protobufjs 8.8.1 decoding the same body to message objects, before any conversion: ${pbjs.toFixed(2)} µs, ratio ${(ours / pbjs).toFixed(2)}), ` +
      `decode + price ${us['decode + price']!.toFixed(2)} µs, decode + price + map ${us['decode + price + map to rows']!.toFixed(2)} µs`,
  );
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Prints spans/s through `genai-cost serve` (OTLP/protobuf from the real SDK exporter over
 * loopback, gzip on and off, into chDB) next to the in-process pipeline's rate (processor and
 * ClickHouse exporter into chDB) measured in the same run, both in this one process; and the
 * receiver's CPU per span for decode and pricing.
 */
export async function benchReceiver(options: { spans?: number; rounds?: number } = {}): Promise<void> {
  const n = options.spans ?? 40_000;
  const rounds = options.rounds ?? 4;
  diag.disable();
  const dir = mkdtempSync(join(tmpdir(), 'genai-cost-bench-receiver-'));
  const connection = createChdbConnection({ path: dir }) as unknown as NonNullable<ClickHouseClientConfigOptions['connection']>;
  const client = createClient({ connection });
  try {
    const variants: Record<string, (database: string) => Promise<void>> = {
      'in-process': (db) => inProcess(client, db, n),
      'serve, gzip': (db) => throughReceiver(client, db, n, true),
      'serve, no compression': (db) => throughReceiver(client, db, n, false),
    };
    const rates: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
    for (let round = 0; round <= rounds; round++) {
      for (const [name, run] of Object.entries(variants)) {
        const database = `bench_receiver_${name.replace(/\W+/g, '_')}_${round}`;
        await migrate(client, { database });
        const t0 = performance.now();
        await run(database);
        if (round > 0) rates[name]!.push(n / ((performance.now() - t0) / 1000)); // round 0 warms up
        await client.command({ query: `DROP DATABASE ${database} SYNC` });
      }
    }
    const base = median(rates['in-process']!);
    for (const name of ['serve, gzip', 'serve, no compression']) {
      const rate = median(rates[name]!);
      console.log(
        `receiver ${name}: ${fmt(rate)} spans/s from the OTLP/protobuf SDK exporter into chDB; in-process processor + exporter: ${fmt(base)} spans/s; ` +
          `ratio ${(rate / base).toFixed(2)} (${n.toLocaleString('en-US')} spans in batches of ${BATCH}, median of ${rates[name]!.length}; target ≥ 0.5: ${rate >= base / 2 ? 'met' : 'MISSED'})`,
      );
    }
    benchCpu(await captureBody(BATCH), BATCH);
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
