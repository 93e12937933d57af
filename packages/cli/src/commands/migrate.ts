import { fileURLToPath } from 'node:url';
import { migrate, replacePlans } from '@genai-cost/clickhouse';
import type { MigrateCommand } from '../args.js';
import { CONFIG_FILE, loadConfig } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { CliContext } from '../context.js';
import { usesDefaultPlan } from '../defaultPlan.js';
import { formatCount } from '../format.js';
import { describePlan, planRows } from '../planRows.js';

/** The example plan file shipped with the package, one level above both src/commands and dist/commands. */
export const EXAMPLE_PLAN_FILE = fileURLToPath(new URL('../../genai-cost.config.example.yaml', import.meta.url));

/**
 * `genai-cost migrate`: creates or updates the schema and replaces the plans with the plan file's.
 * Without a plan file it loads none: the demo's sample prices are no one's real plan, and a plans
 * table loaded before stays as it is.
 */
export async function runMigrate(cmd: MigrateCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const options = connectionOptions(config, ctx.env, cmd.database);
  const rows = usesDefaultPlan(config) ? undefined : planRows(config);
  await withClickHouse('migrate', options, async ({ client, database }) => {
    ctx.stdout.write(`ClickHouse: ${describeTarget(options)}\n`);
    const result = await migrate(client, { database });
    if (result.applied.length > 0) {
      ctx.stdout.write(`Applied ${formatCount(result.applied.length, 'migration', 'migrations')}: ${result.applied.join(', ')}\n`);
    }
    if (result.alreadyApplied.length > 0) {
      ctx.stdout.write(`Already applied: ${formatCount(result.alreadyApplied.length, 'migration', 'migrations')}${result.applied.length === 0 ? '; the schema is up to date' : ''}\n`);
    }
    if (rows === undefined) {
      ctx.stdout.write(
        `No plan file (${CONFIG_FILE} here, or --config PATH): no plans loaded, so reports show no revenue or margin. ` +
          `Write one (see ${EXAMPLE_PLAN_FILE}) and run "genai-cost migrate" again.\n`,
      );
      return;
    }
    await replacePlans(client, database, rows);
    ctx.stdout.write(`Plans loaded from ${config.source}: ${describePlan(rows)}\n`);
  });
  return 0;
}
