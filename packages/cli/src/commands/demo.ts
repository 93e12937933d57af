import { setTimeout as sleep } from 'node:timers/promises';
import type { ClickHouseClient } from '@clickhouse/client';
import { replacePlans } from '@genai-cost/clickhouse';
import type { DemoCommand } from '../args.js';
import type { DemoSession } from '../demo/sessions.js';
import { loadConfig } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { CliContext } from '../context.js';
import { prepareDemoDatabase } from '../demo/database.js';
import type { PreparedDemoDatabase } from '../demo/database.js';
import { generateHistory, LiveTraffic } from '../demo/history.js';
import type { DemoHistory } from '../demo/history.js';
import { OtlpSessions } from '../demo/otlp.js';
import { DemoPipeline } from '../demo/pipeline.js';
import { Progress } from '../demo/progress.js';
import { formatInt, formatSeconds } from '../format.js';
import { describePlan, planRows } from '../planRows.js';
import { renderTable } from '../render.js';
import { REPORTS, reportFooter } from '../reports.js';
import { describeWindow } from './report.js';

/** The demo's own database, marked as such, dropped and recreated on every run so re-runs never double the data. */
export const DEMO_DATABASE = 'genai_cost_demo';
const TOP_USERS = 10;
/** How often `--continuous` reports what it has sent. */
const LIVE_REPORT_MS = 60_000;

async function printReports(ctx: CliContext, client: ClickHouseClient, database: string, history: DemoHistory, nowMs: number): Promise<void> {
  const window = { from: new Date(history.windowStartMs), to: new Date(nowMs) };
  const sections = [
    { report: REPORTS.tier, title: REPORTS.tier.title, limit: undefined },
    { report: REPORTS.user, title: `Top ${TOP_USERS} users by LLM cost`, limit: TOP_USERS },
    { report: REPORTS.feature, title: REPORTS.feature.title, limit: undefined },
  ];
  ctx.stdout.write(`\nWindow: ${describeWindow(window)}\n`);
  for (const s of sections) {
    const rows = await s.report.run(client, database, window, s.limit);
    ctx.stdout.write(`\n${s.title}\n${renderTable(s.report.columns, rows)}`);
  }
  ctx.stdout.write(`\n${await reportFooter(client, database, window)}`);
}

/** Where live sessions go: the in-process pipeline, and a share of them over OTLP when asked. */
class LiveRouter {
  private otlpDue = 0;
  constructor(
    private readonly pipeline: DemoPipeline,
    private readonly otlp: { sessions: OtlpSessions; share: number } | undefined,
  ) {}

  /** Emits a session on one path; a running sum gives the OTLP path exactly its share. */
  emit(session: DemoSession): Promise<number> | number {
    if (this.otlp !== undefined) {
      this.otlpDue += this.otlp.share;
      if (this.otlpDue >= 1) {
        this.otlpDue -= 1;
        return this.otlp.sessions.emit(session);
      }
    }
    return this.pipeline.emit(session);
  }
}

async function liveTraffic(ctx: CliContext, router: LiveRouter, history: DemoHistory, cmd: DemoCommand): Promise<number> {
  const live = new LiveTraffic(history, cmd.seed);
  const startMs = ctx.now();
  let sent = 0;
  let lastReportMs = startMs;
  const where = cmd.otlp === undefined ? '' : `, ${Math.round(cmd.otlp.share * 100)} % of the sessions over OTLP/HTTP to ${cmd.otlp.endpoint}`;
  ctx.stdout.write(`\nLive traffic: about ${cmd.rate} spans/s with current timestamps${where}; stop with SIGINT (Ctrl-C) or SIGTERM.\n`);
  while (!ctx.stop.aborted) {
    const due = ((ctx.now() - startMs) / 1000) * cmd.rate;
    while (sent < due && !ctx.stop.aborted) sent += await router.emit(live.next(ctx.now()));
    if (ctx.now() - lastReportMs >= LIVE_REPORT_MS) {
      lastReportMs = ctx.now();
      ctx.stderr.write(`live: ${formatInt(sent)} spans sent\n`);
    }
    await sleep(100, undefined, { signal: ctx.stop }).catch(() => undefined);
  }
  return sent;
}

/** Spans emitted but neither stored nor deliberately skipped by the exporter. */
function unstored(pipeline: DemoPipeline): number {
  const stats = pipeline.exporterStats();
  return pipeline.emittedSpans - stats.storedSpans - stats.skippedSpans;
}

/** Spans the exporter refused, dropped or could only dead-letter. */
function failed(pipeline: DemoPipeline): number {
  const s = pipeline.exporterStats();
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return sum(s.refusedSpans) + sum(s.droppedSpans) + s.deadLetteredSpans + s.unmappableSpans;
}

function describeDatabase(database: string, prepared: PreparedDemoDatabase): string {
  const migrations = `${prepared.migrations} migrations`;
  if (prepared.action === 'kept') return `Demo database ${database}: keeping its history (${formatInt(prepared.keptSpans)} spans; ${migrations} applied now)`;
  if (prepared.action === 'recreated') return `Fresh demo database: dropped ${database} and recreated its tables (${migrations})`;
  return `Fresh demo database: created ${database}, marked as a demo database, and its tables (${migrations})`;
}

/** Says what the OTLP endpoint took; returns the spans it did not. */
function reportOtlp(ctx: CliContext, sessions: OtlpSessions, endpoint: string): number {
  const s = sessions.stats();
  const unsent = sessions.emittedSpans - s.exportedSpans;
  ctx.stdout.write(`OTLP: ${formatInt(sessions.emittedSpans)} live spans sent to ${endpoint}, ${formatInt(s.exportedSpans)} accepted, ${formatInt(unsent)} not\n`);
  if (unsent > 0) ctx.stderr.write(`genai-cost demo: ${formatInt(unsent)} spans were not accepted by ${endpoint}\n`);
  return unsent;
}

/** Sends the history through the pipeline with a progress display; resolves to the time taken, ms. */
async function writeHistory(ctx: CliContext, pipeline: DemoPipeline, history: DemoHistory): Promise<number> {
  const startMs = ctx.now();
  const progress = new Progress(ctx.stderr, 'spans', history.spanCount, ctx.now);
  for (const session of history.sessions) {
    // With --continuous a stop may come before the history is written: keep what was sent.
    if (ctx.stop.aborted) break;
    progress.advance(await pipeline.emit(session));
  }
  await pipeline.flush();
  progress.finish();
  return ctx.now() - startMs;
}

/** What was written, what the processor priced, and the exporter's proof that nothing was lost. */
function describeWrite(pipeline: DemoPipeline, writeMs: number): string {
  const emitted = pipeline.emittedSpans;
  const stats = pipeline.exporterStats();
  const processed = pipeline.processorStats();
  const unpriced = Object.values(processed.unpricedSpans).reduce((a, b) => a + b, 0);
  const lost = unstored(pipeline);
  return (
    `Processor: ${formatInt(processed.pricedSpans)} model calls priced, ${formatInt(processed.wrapperSpans)} agent wrapper spans not priced again, ${formatInt(unpriced)} unpriced\n` +
    `Exporter: ${formatInt(stats.storedSpans)} stored in ${formatInt(stats.inserts)} inserts, ${formatInt(failed(pipeline))} failed, ` +
    `${lost === 0 ? 'nothing dropped' : `${formatInt(lost)} missing`}\n` +
    `Wrote ${formatInt(emitted)} spans in ${formatSeconds(writeMs)} (${formatInt(emitted / Math.max(writeMs / 1000, 0.001))} spans/s)`
  );
}

/**
 * `genai-cost demo`: generates a month of a simulated SaaS's LLM traffic, sends it through the real
 * OpenTelemetry pipeline into a fresh demo database, and prints the margin, top users and features.
 * It only ever writes to a database it created (see `demo/database.ts`); with `--continuous` a demo
 * database that already has history keeps it and gets live traffic only.
 */
export async function runDemo(cmd: DemoCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  // The demo database is the flag's or its own, never the plan's or the environment's: it may be dropped.
  const options = connectionOptions(config, ctx.env, cmd.database ?? DEMO_DATABASE);
  const rows = planRows(config);
  const startMs = ctx.now();
  const history = generateHistory({ users: cmd.users, days: cmd.days, seed: cmd.seed, nowMs: startMs });
  ctx.stdout.write(
    `genai-cost demo: ${formatInt(cmd.users)} users, ${cmd.days} days, seed ${cmd.seed}: ` +
      `${formatInt(history.sessions.length)} sessions, ${formatInt(history.spanCount)} spans, ${formatInt(history.accounts.length)} accounts\n` +
      `Writing to ${describeTarget(options)}\n`,
  );

  return withClickHouse('demo', options, async ({ client, database }) => {
    const prepared = await prepareDemoDatabase(client, database, cmd.continuous);
    await replacePlans(client, database, rows);
    ctx.stdout.write(`${describeDatabase(database, prepared)}; plans from ${config.source}: ${describePlan(rows)}\n`);

    const pipeline = new DemoPipeline({ client, database, catalog: config.catalog, maxQueueSize: history.spanCount });
    let otlpFailed = 0;
    try {
      if (prepared.action !== 'kept') {
        const writeMs = await writeHistory(ctx, pipeline, history);
        ctx.stdout.write(`${describeWrite(pipeline, writeMs)} (whole demo so far ${formatSeconds(ctx.now() - startMs)})\n`);
      }
      await printReports(ctx, client, database, history, startMs);
      ctx.stdout.write(`\nMore: genai-cost report --database ${database} --since ${cmd.days}d --by user|feature|model|session|account\n`);
      if (cmd.continuous) {
        const otlp = cmd.otlp === undefined ? undefined : { sessions: new OtlpSessions(cmd.otlp.endpoint), share: cmd.otlp.share };
        try {
          const sent = await liveTraffic(ctx, new LiveRouter(pipeline, otlp), history, cmd);
          await pipeline.flush();
          const after = pipeline.exporterStats();
          ctx.stdout.write(`Stopped: ${formatInt(sent)} live spans sent and flushed; exporter ${formatInt(after.storedSpans)} stored, ${formatInt(failed(pipeline))} failed\n`);
        } finally {
          if (otlp !== undefined) {
            await otlp.sessions.shutdown();
            otlpFailed = reportOtlp(ctx, otlp.sessions, cmd.otlp!.endpoint);
          }
        }
      }
    } finally {
      await pipeline.shutdown();
    }
    const lost = unstored(pipeline);
    if (lost > 0) ctx.stderr.write(`genai-cost demo: ${formatInt(lost)} spans were not stored (see the exporter line above)\n`);
    return lost === 0 && otlpFailed === 0 ? 0 : 1;
  });
}
