import { SESSION_CAP_MULTIPLE, suggestCaps } from '@genai-cost/clickhouse';
import type { CapSuggestionRow } from '@genai-cost/clickhouse';
import type { SuggestCapsCommand } from '../args.js';
import { loadConfig } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { CliContext } from '../context.js';
import { renderCsv, renderTable } from '../render.js';
import type { Column } from '../render.js';
import { describeWindow } from './report.js';

const col = (key: keyof CapSuggestionRow & string, header: string, kind: Column['kind']): Column => ({ key, header, kind });

/** Every field of a suggestion row, in table order. */
export const CAP_COLUMNS: readonly Column[] = [
  col('tier', 'Tier', 'text'),
  col('sessions', 'Sessions', 'int'),
  col('p50SessionUsd', 'P50', 'usd'),
  col('p90SessionUsd', 'P90', 'usd'),
  col('p95SessionUsd', 'P95', 'usd'),
  col('suggestedSessionCapUsd', `Session cap (${SESSION_CAP_MULTIPLE}×P90)`, 'usd'),
  col('sessionsOverCap', 'Sessions cut', 'int'),
  col('monthlyPriceUsd', 'Price', 'usd'),
  col('targetMarginPct', 'Target margin', 'pct'),
  col('monthlyBudgetUsd', 'Budget now', 'usd'),
  col('suggestedBudgetUsd', 'Suggested budget', 'usd'),
  col('activeUsers', 'Users', 'int'),
  col('usersOverBudget', 'Stopped now', 'int'),
  col('usersOverSuggestedBudget', 'Stopped suggested', 'int'),
];

const NOTES = `Session cap: ${SESSION_CAP_MULTIPLE} × the tier's P90 session cost; "Sessions cut" would have passed it.
Suggested budget: monthly per user, price × (1 − target margin); the target is the plan's targetMarginPct, else 100 − its targetAiCogsPct (default 8).
Stopped: users whose cost in the window passed the budget × days / 30 (their own budget beats the tier's now; the suggestion is the tier's).
`;

/** `genai-cost suggest-caps`: session caps and monthly budgets per tier from the window's spend. */
export async function runSuggestCaps(cmd: SuggestCapsCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const options = connectionOptions(config, ctx.env, cmd.database);
  await withClickHouse('suggest-caps', options, async ({ client, database }) => {
    const rows = await suggestCaps(client, database, cmd.window);
    if (cmd.format === 'json') {
      ctx.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else if (cmd.format === 'csv') {
      ctx.stdout.write(renderCsv(CAP_COLUMNS, rows));
    } else {
      ctx.stdout.write(`Suggested caps per tier · ${describeWindow(cmd.window)} · ${describeTarget(options)}\n\n`);
      ctx.stdout.write(renderTable(CAP_COLUMNS, rows));
      ctx.stdout.write(`\n${NOTES}`);
    }
  });
  return 0;
}
