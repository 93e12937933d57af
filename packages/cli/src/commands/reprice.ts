import { reprice } from '@genai-cost/clickhouse';
import type { RepriceResult } from '@genai-cost/clickhouse';
import type { RepriceCommand } from '../args.js';
import { loadConfig } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { CliContext } from '../context.js';
import { formatInt } from '../format.js';
import { commandCatalog } from '../priceCatalog.js';
import { renderTable } from '../render.js';
import type { Column } from '../render.js';
import { describeWindow } from './report.js';

const COLUMNS: Column[] = [
  { key: 'tier', header: 'tier', kind: 'text' },
  { key: 'spans', header: 'spans repriced', kind: 'int' },
  { key: 'beforeUsd', header: 'cost before', kind: 'usd' },
  { key: 'afterUsd', header: 'cost after', kind: 'usd' },
  { key: 'changeUsd', header: 'change', kind: 'usd' },
];

function summary(r: RepriceResult, dryRun: boolean): string {
  const verb = dryRun ? 'would be' : 'were';
  const lines = [
    `Examined ${formatInt(r.examined)} model-call spans: ${formatInt(r.newlyPriced)} unpriced ${verb} priced, ${formatInt(r.changed)} ${verb} repriced, ` +
      `${formatInt(r.unchanged)} unchanged, ${formatInt(r.stillUnpriced)} still without a price` +
      (r.keptWithoutPrice > 0 ? `, ${formatInt(r.keptWithoutPrice)} kept as they were (no price in today's catalog)` : '') +
      '.',
  ];
  if (dryRun) lines.push('Dry run: nothing was written.');
  else if (r.rebuiltDays.length > 0) lines.push(`Rollups rebuilt for ${r.rebuiltDays.length} day(s): ${r.rebuiltDays.join(', ')}.`);
  else lines.push('Nothing to write: the spans and rollups already agree with the catalog.');
  return `${lines.join('\n')}\n`;
}

/** `genai-cost reprice`: today's catalog over the stored spans of a window, and what changed per tier. */
export async function runReprice(cmd: RepriceCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const catalog = await commandCatalog(config, cmd.catalog, ctx);
  const options = connectionOptions(config, ctx.env, cmd.database);
  await withClickHouse('reprice', options, async ({ client, database }) => {
    const result = await reprice(client, catalog, { database, from: cmd.window.from, to: cmd.window.to, onlyUnpriced: cmd.onlyUnpriced, dryRun: cmd.dryRun });
    const rows = result.tiers.map((t) => ({ ...t, tier: t.tier === '' ? '(none)' : t.tier, changeUsd: Math.round((t.afterUsd - t.beforeUsd) * 1e10) / 1e10 }));
    const total = rows.reduce((s, r) => ({ ...s, spans: s.spans + r.spans, beforeUsd: s.beforeUsd + r.beforeUsd, afterUsd: s.afterUsd + r.afterUsd, changeUsd: s.changeUsd + r.changeUsd }), {
      tier: 'total',
      spans: 0,
      beforeUsd: 0,
      afterUsd: 0,
      changeUsd: 0,
    });
    ctx.stdout.write(`Reprice · ${describeWindow(cmd.window)} · ${describeTarget(options)}\n\n${summary(result, cmd.dryRun)}\n`);
    ctx.stdout.write(renderTable(COLUMNS, rows.length > 0 ? [...rows, total] : []));
  });
  return 0;
}
