import type { ClickHouseClient } from '@clickhouse/client';
import { TABLES } from '@genai-cost/clickhouse';
import type { ReportCommand, TimeWindow } from '../args.js';
import { loadConfig } from '../config.js';
import { connectionOptions, databaseNamed, describeTarget, isDefaultStore, withClickHouse } from '../connect.js';
import type { CliContext } from '../context.js';
import { formatCount } from '../format.js';
import { renderCsv, renderTable } from '../render.js';
import { REPORTS, reportFooter, tagReport } from '../reports.js';
import { DEMO_DATABASE } from './demo.js';

const DAY_MS = 86_400_000;

/** `2026-10-23 14:00 → 2026-11-22 14:00 UTC (30 days)`. */
export function describeWindow(window: TimeWindow): string {
  const at = (d: Date): string => d.toISOString().slice(0, 16).replace('T', ' ');
  const days = (window.to.getTime() - window.from.getTime()) / DAY_MS;
  const hours = (days * 24).toFixed(1).replace(/\.0$/, '');
  const length = Number.isInteger(days) ? formatCount(days, 'day', 'days') : `${hours} ${hours === '1' ? 'hour' : 'hours'}`;
  return `${at(window.from)} → ${at(window.to)} UTC (${length})`;
}

/** The databases among `databases` whose spans table has rows. */
async function withSpans(client: ClickHouseClient, databases: readonly string[]): Promise<string[]> {
  const result = await client.query({
    query: 'SELECT database FROM system.tables WHERE name = {table:String} AND has({databases:Array(String)}, database) AND total_rows > 0',
    query_params: { table: TABLES.spans, databases },
    format: 'JSONEachRow',
  });
  return (await result.json<{ database: string }>()).map((r) => r.database);
}

/**
 * The database to report on. Named by nothing, on the embedded store where `npm run demo` writes
 * its own database, that is the demo's until the default one has spans: the README's report
 * commands then work right after the demo, and stderr says which database was read.
 */
async function reportDatabase(client: ClickHouseClient, database: string, fallback: boolean, ctx: CliContext): Promise<string> {
  if (!fallback) return database;
  const filled = await withSpans(client, [database, DEMO_DATABASE]);
  if (filled.includes(database) || !filled.includes(DEMO_DATABASE)) return database;
  ctx.stderr.write(`genai-cost report: database ${database} has no spans yet; reading the demo's database ${DEMO_DATABASE} (name one with --database)\n`);
  return DEMO_DATABASE;
}

/** `genai-cost report`: one report as a table (with skew and unpriced spans), JSON or CSV. */
export async function runReport(cmd: ReportCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const options = connectionOptions(config, ctx.env, cmd.database);
  const fallback = !databaseNamed(config, ctx.env, cmd.database) && isDefaultStore(options);
  const report = cmd.by === 'tag' ? tagReport(cmd.tagKey!) : REPORTS[cmd.by];
  await withClickHouse('report', options, async ({ client, database: configured }) => {
    const database = await reportDatabase(client, configured, fallback, ctx);
    const rows = await report.run(client, database, cmd.window, cmd.limit);
    if (cmd.format === 'json') {
      ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else if (cmd.format === 'csv') {
      ctx.stdout.write(renderCsv(report.columns, rows));
    } else {
      ctx.stdout.write(`${report.title} · ${describeWindow(cmd.window)} · ${describeTarget({ ...options, database })}\n\n`);
      ctx.stdout.write(renderTable(report.columns, rows));
      ctx.stdout.write(`\n${await reportFooter(client, database, cmd.window)}`);
    }
  });
  return 0;
}
