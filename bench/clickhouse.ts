import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client';
import { ROOT_CONTEXT, SpanKind } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { createChdbConnection } from 'chdb/connection';
import { GenAICostSpanProcessor, setAttribution } from '@genai-cost/otel';
import { ClickHouseSpanExporter, METRICS, bindWindow, migrate, runMetric } from '@genai-cost/clickhouse';
import type { SpanInsertClient, SpanRow } from '@genai-cost/clickhouse';
import { median } from './stats.js';

const TIERS = ['free', 'solo', 'team', 'pro'];
const FEATURES = ['chat', 'summarise', 'search'];

/** Spans per export: the BatchSpanProcessor's default maxExportBatchSize, and a larger one for chDB. */
const BATCH_SIZES = [512, 8192];
const DAY_MS = 86_400_000;

/** Ends `n` priced GenAI spans through the real SDK and the genai-cost processor. */
function makeSpans(n: number): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new GenAICostSpanProcessor(), new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('bench');
  for (let i = 0; i < n; i++) {
    const ctx = setAttribution(ROOT_CONTEXT, { userId: `user-${i % 5000}`, tier: TIERS[i % 4]!, feature: FEATURES[i % 3]!, sessionId: `s-${i >> 3}` });
    tracer
      .startSpan('chat gpt-4o-mini', {
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.input_tokens': 1200 + (i % 500),
          'gen_ai.usage.output_tokens': 300,
          'gen_ai.usage.cache_read.input_tokens': 1024,
        },
      }, ctx)
      .end();
  }
  return memory.getFinishedSpans();
}

function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}


/** Exports the batches one after another, as a BatchSpanProcessor does, then waits until all are stored. */
async function exportAll(exporter: ClickHouseSpanExporter, batches: ReadableSpan[][]): Promise<void> {
  for (const batch of batches) {
    await new Promise<void>((resolve, reject) => exporter.export(batch, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error))));
  }
  await exporter.forceFlush();
  await exporter.shutdown();
}

/** Rows back from the exporter's `INSERT … (columns) … FORMAT JSONCompactEachRow` statement. */
function parseRows(query: string): SpanRow[] {
  const [header, ...lines] = query.split('\n');
  const columns = /\(([^)]*)\)/.exec(header!)![1]!.split(', ');
  return lines.map((line) => Object.fromEntries((JSON.parse(line) as unknown[]).map((v, i) => [columns[i], v])) as unknown as SpanRow);
}

/** The statements the exporter builds for each batch and their rows, captured without inserting. */
async function prebuilt(batches: ReadableSpan[][], database: string): Promise<{ statements: string[]; rows: SpanRow[][] }> {
  const statements: string[] = [];
  const recorder: SpanInsertClient = {
    command: (params) => {
      statements.push(params.query);
      return Promise.resolve({});
    },
  };
  await exportAll(new ClickHouseSpanExporter({ client: recorder, database, maxConcurrentInserts: 1 }), batches);
  return { statements, rows: statements.map(parseRows) };
}

async function benchExporter(client: ClickHouseClient, spans: ReadableSpan[], batchSize: number): Promise<void> {
  const batches = inBatches(spans, batchSize);
  const statements = new Map<string, string[]>();
  const rows = (await prebuilt(batches, 'db')).rows;
  // Each run gets fresh tables: the exporter's batches re-sent to the same table would be deduplicated.
  const variants: Record<string, (database: string) => Promise<void>> = {
    exporter: (database) => exportAll(new ClickHouseSpanExporter({ client, database }), batches),
    raw: async (database) => {
      for (const values of rows) {
        await client.insert({
          table: `${database}.genai_spans`,
          values,
          format: 'JSONEachRow',
          clickhouse_settings: { insert_deduplication_token: randomUUID(), deduplicate_blocks_in_dependent_materialized_views: 1 },
        });
      }
    },
    statements: async (database) => {
      for (const query of statements.get(database)!) await client.command({ query });
    },
  };
  const samples: Record<string, number[]> = { exporter: [], raw: [], statements: [] };
  for (let round = 0; round < 4; round++) {
    for (const [name, run] of Object.entries(variants)) {
      const database = `bench_${name}_${round}`;
      await migrate(client, { database });
      if (name === 'statements') statements.set(database, (await prebuilt(batches, database)).statements);
      const t0 = performance.now();
      await run(database);
      if (round > 0) samples[name]!.push(spans.length / ((performance.now() - t0) / 1000)); // round 0 warms up
      await client.command({ query: `DROP DATABASE ${database} SYNC` });
    }
  }
  const exporter = median(samples.exporter!);
  const raw = median(samples.raw!);
  const floor = median(samples.statements!);
  console.log(
    `clickhouse exporter into chDB, batches of ${batchSize}: ${fmt(exporter)} spans/s; raw @clickhouse/client insert (JSONEachRow) of the same rows: ` +
      `${fmt(raw)} spans/s, ratio ${(exporter / raw).toFixed(2)}; the exporter's own statements pre-built, sent raw: ${fmt(floor)} spans/s, ` +
      `ratio ${(exporter / floor).toFixed(2)} (${spans.length.toLocaleString('en-US')} spans, median of ${samples.exporter!.length}; ` +
      `targets ≥ 100,000 spans/s: ${exporter >= 100_000 ? 'met' : 'MISSED'}, ≥ 0.8 of raw: ${exporter >= raw * 0.8 ? 'met' : 'MISSED'})`,
  );
}

/**
 * The exporter's CPU per span in the application (mapping, sanitising, encoding, queuing and
 * building the INSERT, against a client that answers at once) next to what the OpenTelemetry OTLP
 * protobuf exporter spends serializing the same spans into a request.
 */
async function benchExporterCpu(spans: ReadableSpan[]): Promise<void> {
  const batches = inBatches(spans, 512);
  const sink: SpanInsertClient = { command: () => Promise.resolve({}) };
  const rounds = 7;
  const samples: Record<string, number[]> = { exporter: [], otlp: [] };
  for (let round = 0; round < rounds; round++) {
    let t0 = process.cpuUsage();
    await exportAll(new ClickHouseSpanExporter({ client: sink }), batches);
    const exporterUs = cpuMicros(process.cpuUsage(t0));
    t0 = process.cpuUsage();
    let bytes = 0;
    for (const batch of batches) bytes += ProtobufTraceSerializer.serializeRequest(batch)?.length ?? 0;
    const otlpUs = cpuMicros(process.cpuUsage(t0));
    if (bytes === 0) throw new Error('the OTLP serializer produced nothing');
    if (round > 0) {
      samples.exporter!.push((exporterUs * 1000) / spans.length);
      samples.otlp!.push((otlpUs * 1000) / spans.length);
    }
  }
  const exporter = median(samples.exporter!);
  const otlp = median(samples.otlp!);
  console.log(
    `clickhouse exporter CPU per span in the app (map, sanitise, encode, queue, build the insert): ${fmt(exporter)} ns; ` +
      `OTLP protobuf serialization of the same spans (@opentelemetry/otlp-transformer ProtobufTraceSerializer): ${fmt(otlp)} ns; ` +
      `ratio ${(exporter / otlp).toFixed(2)} (batches of 512, median of ${samples.exporter!.length}; target ≤ 1: ${exporter <= otlp ? 'met' : 'MISSED'})`,
  );
}

function cpuMicros(usage: NodeJS.CpuUsage): number {
  return usage.user + usage.system;
}

/** Generates `n` spans over 30 days in SQL; the materialized views fill the rollups as it inserts. */
async function generateSpans(client: ClickHouseClient, n: number, from: Date): Promise<number> {
  const stepNs = Math.floor((30 * DAY_MS * 1e6) / n);
  const t0 = performance.now();
  await client.command({
    query: `INSERT INTO bench_query.genai_spans
      (Timestamp, TraceId, SpanId, ServiceName, SpanName, SpanKind, SpanRole, UserId, SessionId, TenantId, Tier, Feature, Tags,
       Provider, Operation, RequestModel, ResponseModel, Model, InputTokens, OutputTokens, CacheReadTokens, CostUsd, Priced, UnpricedReason, PriceId, DurationNs, StatusCode)
    SELECT
      fromUnixTimestamp64Nano(toInt64(${from.getTime()}000000 + number * ${stepNs}), 'UTC'),
      hex(cityHash64(number, 1)), hex(cityHash64(number, 2)), 'api', 'chat', 'Client', 'inference',
      concat('user-', toString(number % 20000)),
      concat('s-', toString(number % 20000), '-', toString(intDiv(number, 160000))),
      if(number % 20000 < 2000, concat('t-', toString(number % 200)), ''),
      ['free', 'solo', 'team', 'pro'][1 + (cityHash64(number % 20000) % 4)],
      ['chat', 'summarise', 'search'][1 + intDiv(number, 20000) % 3],
      map('region', ['us', 'eu', 'apac'][1 + (cityHash64(number % 20000, 7) % 3)], 'plan_variant', ['a', 'b'][1 + (number % 20000) % 2]),
      'openai', 'chat', 'gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini',
      1000 + number % 500, 300, 512,
      if(number % 50 = 0, toDecimal64(0, 10), toDecimal64((number % 997) / 100000, 10)),
      number % 50 != 0, if(number % 50 = 0, 'unknown_model', ''), 'openai/gpt-4o-mini@2024-07-18', 1000000, 'Unset'
    FROM numbers(${n})
    SETTINGS insert_deduplicate = 0, max_insert_threads = 2`,
  });
  return (performance.now() - t0) / 1000;
}

async function benchTierMargin(client: ClickHouseClient, spans: number): Promise<void> {
  await migrate(client, { database: 'bench_query' });
  const from = new Date(Date.UTC(2026, 0, 1));
  const seconds = await generateSpans(client, spans, from);
  const [parts] = await (
    await client.query({
      query: `SELECT (SELECT count() FROM bench_query.genai_user_daily) AS rollupRows,
                     (SELECT count() FROM system.parts WHERE database = 'bench_query' AND table = 'genai_user_daily' AND active) AS rollupParts`,
      format: 'JSONEachRow',
    })
  ).json<{ rollupRows: string; rollupParts: string }>();
  console.log(
    `clickhouse generated ${spans.toLocaleString('en-US')} spans in SQL in ${seconds.toFixed(1)} s ` +
      `(rollup: ${Number(parts!.rollupRows).toLocaleString('en-US')} rows in ${parts!.rollupParts} parts)`,
  );
  const windows = {
    '30 whole days, rollups': { window: { from, to: new Date(from.getTime() + 30 * DAY_MS) }, rollups: true },
    '30 days from 13:37, rollups + raw edges': { window: { from: new Date(from.getTime() + 13.6 * 3_600_000), to: new Date(from.getTime() + 30 * DAY_MS - 3_600_000) }, rollups: true },
    '30 whole days, raw spans only': { window: { from, to: new Date(from.getTime() + 30 * DAY_MS) }, rollups: false },
  };
  const ms: Record<string, number> = {};
  for (const [name, { window, rollups }] of Object.entries(windows)) {
    const { ctx, params } = bindWindow('bench_query', window);
    const context = rollups ? ctx : { ...ctx, dayFilter: undefined };
    const runs: number[] = [];
    for (let i = 0; i < (rollups ? 8 : 4); i++) {
      const t0 = performance.now();
      await runMetric(client, METRICS.tierMargin, context, params, []);
      if (i > 0) runs.push(performance.now() - t0);
    }
    ms[name] = median(runs);
    console.log(`clickhouse tier-margin query on ${spans.toLocaleString('en-US')} spans, ${name}: median ${ms[name]!.toFixed(0)} ms over ${runs.length} runs`);
  }
  const withRollups = ms['30 whole days, rollups']!;
  console.log(
    `clickhouse tier-margin speed-up from rollups: ${(ms['30 whole days, raw spans only']! / withRollups).toFixed(1)}× ` +
      `(target < 300 ms with rollups: ${withRollups < 300 ? 'met' : 'MISSED'})`,
  );
}

/**
 * The report by tag and a tag-filtered tier margin on the spans `benchTierMargin` generated (two
 * tags each): whole days from the tag rollup and partial days raw, against raw spans only.
 */
async function benchTags(client: ClickHouseClient, spans: number): Promise<void> {
  const from = new Date(Date.UTC(2026, 0, 1));
  const [rows] = await (await client.query({ query: 'SELECT count() AS n FROM bench_query.genai_tag_daily', format: 'JSONEachRow' })).json<{ n: string }>();
  console.log(`clickhouse tag rollup: ${Number(rows!.n).toLocaleString('en-US')} rows for ${spans.toLocaleString('en-US')} spans with 2 tags each`);
  const eu = { spans: "Tags['region'] = 'eu'", rollup: "TagKey = 'region' AND TagValue = 'eu'", active: '1' };
  const cases = {
    'report by tag:region, 30 whole days, tag rollup': { window: { from, to: new Date(from.getTime() + 30 * DAY_MS) }, metric: METRICS.tagCost, rollups: true, tagFilter: undefined },
    'report by tag:region, 30 days from 13:37, tag rollup + raw edges': {
      window: { from: new Date(from.getTime() + 13.6 * 3_600_000), to: new Date(from.getTime() + 30 * DAY_MS - 3_600_000) },
      metric: METRICS.tagCost,
      rollups: true,
      tagFilter: undefined,
    },
    'report by tag:region, 30 whole days, raw spans only': { window: { from, to: new Date(from.getTime() + 30 * DAY_MS) }, metric: METRICS.tagCost, rollups: false, tagFilter: undefined },
    'tier margin filtered by region=eu, 30 whole days, tag rollup': { window: { from, to: new Date(from.getTime() + 30 * DAY_MS) }, metric: METRICS.tierMargin, rollups: true, tagFilter: eu },
    'tier margin filtered by region=eu, 30 whole days, raw spans only': { window: { from, to: new Date(from.getTime() + 30 * DAY_MS) }, metric: METRICS.tierMargin, rollups: false, tagFilter: eu },
  };
  const ms: Record<string, number> = {};
  for (const [name, c] of Object.entries(cases)) {
    const { ctx, params } = bindWindow('bench_query', c.window);
    const context = { ...ctx, ...(c.rollups ? {} : { dayFilter: undefined }), tagKey: "'region'", tagFilter: c.tagFilter };
    const runs: number[] = [];
    for (let i = 0; i < (c.rollups ? 8 : 4); i++) {
      const t0 = performance.now();
      await runMetric(client, c.metric, context, params, []);
      if (i > 0) runs.push(performance.now() - t0);
    }
    ms[name] = median(runs);
    console.log(`clickhouse ${name}: median ${ms[name]!.toFixed(0)} ms over ${runs.length} runs`);
  }
  console.log(
    `clickhouse report by tag speed-up from the tag rollup: ${(ms['report by tag:region, 30 whole days, raw spans only']! / ms['report by tag:region, 30 whole days, tag rollup']!).toFixed(1)}×; ` +
      `tag-filtered tier margin: ${(ms['tier margin filtered by region=eu, 30 whole days, raw spans only']! / ms['tier margin filtered by region=eu, 30 whole days, tag rollup']!).toFixed(1)}×`,
  );
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/**
 * Prints the exporter's throughput into chDB against a raw client insert of the same rows, and
 * the tier-margin query's latency on generated spans with and without the rollups. Uses its own
 * chDB directory under the OS temp dir, removed afterwards.
 */
export async function benchClickHouse(options: { exportSpans?: number; querySpans?: number } = {}): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'genai-cost-bench-chdb-'));
  const connection = createChdbConnection({ path: dir }) as unknown as NonNullable<ClickHouseClientConfigOptions['connection']>;
  const client = createClient({ connection });
  try {
    const spans = makeSpans(options.exportSpans ?? 50_000);
    await benchExporterCpu(spans);
    for (const size of BATCH_SIZES) await benchExporter(client, spans, size);
    await benchTierMargin(client, options.querySpans ?? 10_000_000);
    await benchTags(client, options.querySpans ?? 10_000_000);
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
