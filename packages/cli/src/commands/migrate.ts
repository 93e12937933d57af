import { migrate, replacePlans } from '@genai-cost/clickhouse';
import type { MigrateCommand } from '../args.js';
import { loadConfig } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { CliContext } from '../context.js';
import { describePlan, planRows } from '../planRows.js';

/** `genai-cost migrate`: creates or updates the schema and replaces the plans with the plan file's. */
export async function runMigrate(cmd: MigrateCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const options = connectionOptions(config, ctx.env, cmd.database);
  const rows = planRows(config);
  await withClickHouse('migrate', options, async ({ client, database }) => {
    ctx.stdout.write(`ClickHouse: ${describeTarget(options)}\n`);
    const result = await migrate(client, { database });
    if (result.applied.length > 0) {
      ctx.stdout.write(`Applied ${result.applied.length} migration(s): ${result.applied.join(', ')}\n`);
    }
    if (result.alreadyApplied.length > 0) {
      ctx.stdout.write(`Already applied: ${result.alreadyApplied.length} migration(s)${result.applied.length === 0 ? '; the schema is up to date' : ''}\n`);
    }
    await replacePlans(client, database, rows);
    ctx.stdout.write(`Plans loaded from ${config.source}: ${describePlan(rows)}\n`);
  });
  return 0;
}
