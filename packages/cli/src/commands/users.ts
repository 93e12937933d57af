import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { replaceUsers } from '@genai-cost/clickhouse';
import type { UsersImportCommand } from '../args.js';
import { loadConfig } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { CliContext } from '../context.js';
import { CliError } from '../errors.js';
import { formatInt } from '../format.js';
import { parseUsersCsv } from '../usersCsv.js';

/** Problems listed before the summary line; a file with more is wrong throughout. */
const MAX_LISTED = 20;

/** `genai-cost users import FILE`: checks every row, then replaces the imported users with the file's. */
export async function runUsersImport(cmd: UsersImportCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const options = connectionOptions(config, ctx.env, cmd.database);
  let text: string;
  try {
    text = readFileSync(resolve(ctx.cwd, cmd.file), 'utf8');
  } catch (err) {
    throw new CliError(`genai-cost users import: ${cmd.file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, 2, { cause: err });
  }
  const result = parseUsersCsv(text, Object.keys(config.tiers));
  if (!result.ok) {
    const listed = result.errors.slice(0, MAX_LISTED).map((e) => `${cmd.file}: ${e}`);
    if (result.errors.length > MAX_LISTED) listed.push(`${cmd.file}: … and ${formatInt(result.errors.length - MAX_LISTED)} more`);
    const count = result.errors.length === 1 ? '1 problem' : `${formatInt(result.errors.length)} problems`;
    throw new CliError(`${listed.join('\n')}\ngenai-cost users import: ${count} in ${cmd.file}; nothing was imported`, 2);
  }
  const { users } = result;
  await withClickHouse('users import', options, async ({ client, database }) => {
    const { previous } = await replaceUsers(client, database, users);
    const perTier = new Map<string, number>();
    for (const u of users) perTier.set(u.tier, (perTier.get(u.tier) ?? 0) + 1);
    const tiers = [...perTier].map(([tier, n]) => `${tier} ${formatInt(n)}`).join(', ');
    ctx.stdout.write(`ClickHouse: ${describeTarget(options)}\n`);
    ctx.stdout.write(`Imported ${formatInt(users.length)} users from ${cmd.file} (${tiers}), replacing ${previous === 0 ? 'no earlier import' : `an import of ${formatInt(previous)}`}\n`);
  });
  return 0;
}
