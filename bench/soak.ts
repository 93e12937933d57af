/**
 * Soak run of the ClickHouse span exporter (not part of `npm test`): GenAI spans at a steady rate
 * through the real OpenTelemetry SDK (GenAICostSpanProcessor, a default BatchSpanProcessor,
 * ClickHouseSpanExporter with a spool) into a fake ClickHouse HTTP server on 127.0.0.1 that goes
 * away in the middle of the run: connections refused for the first half of the outage, 503 for the
 * second. Prints spans created, stored, stored twice and lost, and the peak RSS.
 *
 *   npm run soak                                   # 2,000 spans/s for 120 s, a 60 s outage in the middle
 *   npm run soak -- --rate 500 --seconds 20 --outage 10 [--memory]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { DiagLogLevel, SpanKind, context, diag } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ClickHouseSpanExporter } from '@genai-cost/clickhouse';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';
import { FakeClickHouseServer } from '../packages/clickhouse/src/test-support/FakeClickHouseServer.js';

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '120' },
    outage: { type: 'string', default: '60' },
    memory: { type: 'boolean', default: false },
  },
});
const rate = Number(args.rate);
const seconds = Number(args.seconds);
const outage = Number(args.outage);
if (!(rate > 0 && seconds > 0 && outage >= 0 && outage < seconds)) throw new Error('expected --rate > 0, --seconds > 0 and 0 ≤ --outage < --seconds');

// Keep what is logged: the BatchSpanProcessor logs its drops as warnings, the exporter its failures.
const sdkWarnings: string[] = [];
diag.setLogger(
  {
    error: (m) => sdkWarnings.push(`error: ${m}`),
    warn: (m) => sdkWarnings.push(`warn: ${m}`),
    info: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
  },
  DiagLogLevel.WARN,
);

// Rows are kept as ids only, so the server's memory does not weigh on the peak RSS reported.
const server = new FakeClickHouseServer({ keepValues: false });
const client = createClient({ url: await server.start(), log: { level: ClickHouseLogLevel.OFF } });
const spoolDir = mkdtempSync(join(tmpdir(), 'genai-cost-soak-spool-'));
const exporter = new ClickHouseSpanExporter({ client, ...(args.memory ? {} : { spoolDir }), maxQueueBytes: args.memory ? 512 * 1024 * 1024 : undefined });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'soak' }),
  spanProcessors: [new GenAICostSpanProcessor(), new BatchSpanProcessor(exporter)],
});
const tracer = provider.getTracer('soak');
const TIERS = ['free', 'solo', 'team', 'enterprise'];

let peakRss = process.memoryUsage().rss;
const rss = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const outageStart = (seconds - outage) / 2;
const phases = [
  { at: outageStart, mode: 'refuse' as const },
  { at: outageStart + outage / 2, mode: '503' as const },
  { at: outageStart + outage, mode: 'ok' as const },
];
console.log(
  `soak: ${rate} spans/s for ${seconds} s; ClickHouse away from ${outageStart} s to ${outageStart + outage} s ` +
    `(refused, then 503); ${args.memory ? 'memory queue' : `spool in ${spoolDir}`}`,
);

const startMs = Date.now();
let created = 0;
while (Date.now() - startMs < seconds * 1000) {
  const elapsed = (Date.now() - startMs) / 1000;
  while (phases.length > 0 && elapsed >= phases[0]!.at) {
    const { mode } = phases.shift()!;
    await server.setMode(mode);
    console.log(`  ${elapsed.toFixed(1)} s: server ${mode}; ${created.toLocaleString('en-US')} spans created so far`);
  }
  // An app makes spans as requests come, not thousands at once: after a stall (a busy machine),
  // catch up by at most 20 ms worth per tick, yielding in between.
  const due = Math.min(Math.floor(elapsed * rate), created + Math.ceil(rate / 50));
  for (; created < due; created++) {
    withAttribution({ userId: `user-${created % 5000}`, tier: TIERS[created % 4]!, feature: 'chat', sessionId: `s-${created >> 4}` }, () =>
      tracer
        .startSpan('chat gpt-4o-mini', {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.usage.input_tokens': 1200 + (created % 500),
            'gen_ai.usage.output_tokens': 300,
          },
        })
        .end(),
    );
  }
  await sleep(created < Math.floor(((Date.now() - startMs) / 1000) * rate) ? 0 : 10);
}
const drainStart = Date.now();
await provider.forceFlush().catch((err: unknown) => console.log(`  flush of the batch processor failed: ${String(err)}`));
await exporter.queue.forceFlush(600_000);
const drainSeconds = (Date.now() - drainStart) / 1000;
const stats = exporter.getStats();
await provider.shutdown();
clearInterval(rss);

const stored = server.stored('genai_cost.genai_spans');
const distinct = new Set(stored.map((r) => r.SpanId)).size;
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
console.log(`  drained ${drainSeconds.toFixed(1)} s after the last span; inserts ${stats.inserts}, retries ${stats.retries}, failed attempts ${sum(stats.failures)}`);
console.log(`  exporter: received ${stats.receivedSpans}, stored ${stats.storedSpans}, dead-lettered ${stats.deadLetteredSpans}, refused ${sum(stats.refusedSpans)}, dropped ${sum(stats.droppedSpans)}, spooled ${stats.spooledSpans}`);
console.log(`  warnings logged (SDK and exporter): ${sdkWarnings.length === 0 ? 'none' : sdkWarnings.slice(0, 3).join(' | ')}`);
console.log(
  `created ${created} / stored ${distinct} / duplicates ${stored.length - distinct} / lost ${created - distinct} / ` +
    `peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`,
);
await client.close();
await server.close();
rmSync(spoolDir, { recursive: true, force: true });
process.exitCode = created === distinct && stored.length === distinct ? 0 : 1;
