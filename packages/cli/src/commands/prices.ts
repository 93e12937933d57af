import { canonicalProvider, periodAt } from '@genai-cost/pricing';
import type { ModelPrice, PriceCatalog } from '@genai-cost/pricing';
import type { PricesCommand } from '../args.js';
import { loadConfig } from '../config.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { commandCatalog } from '../priceCatalog.js';
import { describeDimensions, rate } from '../priceText.js';
import { renderCsv, renderTable } from '../render.js';
import type { Column } from '../render.js';

const PERIOD_COLUMNS: Column[] = [
  { key: 'inForce', header: '', kind: 'text' },
  { key: 'effectiveFrom', header: 'from', kind: 'text' },
  { key: 'input', header: 'input', kind: 'text' },
  { key: 'output', header: 'output', kind: 'text' },
  { key: 'cacheRead', header: 'cache read', kind: 'text' },
  { key: 'cacheWrite', header: 'cache write 5m', kind: 'text' },
  { key: 'cacheWrite1h', header: 'cache write 1h', kind: 'text' },
  { key: 'dimensions', header: 'dimensions', kind: 'text' },
  { key: 'source', header: 'source (checked)', kind: 'text' },
];

const LIST_COLUMNS: Column[] = [
  { key: 'id', header: 'model', kind: 'text' },
  { key: 'kind', header: 'kind', kind: 'text' },
  { key: 'input', header: 'input', kind: 'text' },
  { key: 'output', header: 'output', kind: 'text' },
  { key: 'cacheRead', header: 'cache read', kind: 'text' },
  { key: 'effectiveFrom', header: 'since', kind: 'text' },
  { key: 'dimensions', header: 'dimensions', kind: 'text' },
];

const when = (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function lookup(cmd: PricesCommand, catalog: PriceCatalog, ctx: CliContext): number {
  const model = cmd.model!;
  const match = catalog.match(model, cmd.provider);
  if (match === undefined) {
    throw new CliError(`genai-cost prices lookup: no price for "${model}"${cmd.provider === undefined ? '' : ` (provider "${cmd.provider}")`}; spans of it are stored unpriced until a price is added`, 1);
  }
  const inForce = periodAt(match.model, cmd.at.getTime());
  if (cmd.format !== 'table') {
    ctx.stdout.write(`${JSON.stringify({ model, provider: cmd.provider ?? null, at: cmd.at.toISOString(), matched: match.model.id, name: match.name, reason: match.reason, inForce: inForce.id, periods: match.model.prices }, null, 2)}\n`);
    return 0;
  }
  const rows = match.model.prices.map((p) => ({
    inForce: p === inForce ? '▶' : '',
    effectiveFrom: p.effectiveFrom,
    input: rate(p.input),
    output: rate(p.output),
    cacheRead: rate(p.cacheRead),
    cacheWrite: rate(p.cacheWrite),
    cacheWrite1h: rate(p.cacheWrite1h),
    dimensions: describeDimensions(p) || '—',
    source: p.source === undefined ? '—' : `${p.source}${p.checked === undefined ? '' : ` (${p.checked})`}`,
  }));
  const notes = match.model.prices.filter((p) => p.note !== undefined).map((p) => `  ${p.effectiveFrom}: ${p.note}\n`);
  ctx.stdout.write(
    `${model}${cmd.provider === undefined ? '' : ` (provider ${cmd.provider})`} → ${match.model.id}\n` +
      `why: ${match.reason}\n` +
      `in force at ${when(cmd.at)}: ${inForce.id} (USD per million tokens)\n\n` +
      renderTable(PERIOD_COLUMNS, rows) +
      (notes.length > 0 ? `\nnotes:\n${notes.join('')}` : ''),
  );
  return 0;
}

function list(cmd: PricesCommand, catalog: PriceCatalog, ctx: CliContext): number {
  const provider = cmd.provider === undefined ? undefined : (canonicalProvider(cmd.provider) ?? cmd.provider.toLowerCase());
  const models = catalog.models().filter((m: ModelPrice) => provider === undefined || m.provider === provider);
  if (models.length === 0 && provider !== undefined) {
    const known = catalog.providers().map((p) => p.id).join(', ');
    throw new CliError(`genai-cost prices list: no models of provider "${cmd.provider}"; providers: ${known}`, 2);
  }
  const rows = models.map((m) => {
    const p = periodAt(m, cmd.at.getTime());
    const usd = cmd.format === 'table' ? rate : (x: number | undefined) => x ?? null;
    return { id: m.id, kind: m.kind, input: usd(p.input), output: usd(p.output), cacheRead: usd(p.cacheRead), effectiveFrom: p.effectiveFrom, dimensions: describeDimensions(p) };
  });
  if (cmd.format === 'json') ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else if (cmd.format === 'csv') ctx.stdout.write(renderCsv(LIST_COLUMNS, rows));
  else ctx.stdout.write(`${rows.length} priced models in force at ${when(cmd.at)} (USD per million tokens)\n\n${renderTable(LIST_COLUMNS, rows)}`);
  return 0;
}

/** `genai-cost prices lookup MODEL` and `genai-cost prices list`: the price catalog, and why a name matches what it does. */
export async function runPrices(cmd: PricesCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const catalog = await commandCatalog(config, cmd.catalog, ctx);
  return cmd.action === 'lookup' ? lookup(cmd, catalog, ctx) : list(cmd, catalog, ctx);
}
