import type { ReportCommand, TimeWindow } from '../args.js';
import { loadConfig } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { CliContext } from '../context.js';
import { renderCsv, renderTable } from '../render.js';
import { REPORTS, reportFooter } from '../reports.js';

const DAY_MS = 86_400_000;

/** `2026-10-23 14:00 → 2026-11-22 14:00 UTC (30 days)`. */
export function describeWindow(window: TimeWindow): string {
  const at = (d: Date): string => d.toISOString().slice(0, 16).replace('T', ' ');
  const days = (window.to.getTime() - window.from.getTime()) / DAY_MS;
  const length = Number.isInteger(days) ? `${days} day${days === 1 ? '' : 's'}` : `${(days * 24).toFixed(1).replace(/\.0$/, '')} hours`;
  return `${at(window.from)} → ${at(window.to)} UTC (${length})`;
}

/** `genai-cost report`: one report as a table (with skew and unpriced spans), JSON or CSV. */
export async function runReport(cmd: ReportCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const options = connectionOptions(config, ctx.env, cmd.database);
  const report = REPORTS[cmd.by];
  await withClickHouse('report', options, async ({ client, database }) => {
    const rows = await report.run(client, database, cmd.window, cmd.limit);
    if (cmd.format === 'json') {
      ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else if (cmd.format === 'csv') {
      ctx.stdout.write(renderCsv(report.columns, rows));
    } else {
      ctx.stdout.write(`${report.title} · ${describeWindow(cmd.window)} · ${describeTarget(options)}\n\n`);
      ctx.stdout.write(renderTable(report.columns, rows));
      ctx.stdout.write(`\n${await reportFooter(client, database, cmd.window)}`);
    }
  });
  return 0;
}
