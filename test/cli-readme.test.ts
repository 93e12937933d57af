import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseClient } from '@genai-cost/clickhouse';
import { insertSpans, spanRow } from '../packages/clickhouse/src/test-support/chdb.js';
import { runCli } from '../packages/cli/src/test-support/runCli.js';

/**
 * A newcomer's path through the README, in a fresh directory with the default embedded store
 * (./.genai-cost/chdb, which chDB binds for this process): the demo, then the README's
 * `npx genai-cost …` commands exactly as written there.
 */

const README = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
const EXAMPLE = 'packages/cli/genai-cost.config.example.yaml';
const NOTE = "genai-cost report: database genai_cost has no spans yet; reading the demo's database genai_cost_demo (name one with --database)\n";

/** The argv of every `npx genai-cost …` line of the README's shell blocks under `heading`. */
function readmeCommands(heading: string): string[][] {
  const section = README.slice(README.indexOf(`## ${heading}\n`));
  const body = section.slice(0, section.indexOf('\n## ', 1));
  return [...body.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split('\n'))
    .filter((line) => line.startsWith('npx genai-cost '))
    .map((line) => line.replace(/\s+#.*$/, '').split(/\s+/).slice(2));
}

const dir = mkdtempSync(join(tmpdir(), 'genai-cost-readme-'));
const cli = (argv: string[]) => runCli(argv, { env: {}, cwd: dir });

beforeAll(async () => {
  // The embedded store lives in the working directory, as for a user in their checkout.
  for (const name of Object.keys(process.env).filter((k) => k.startsWith('CLICKHOUSE_'))) delete process.env[name];
  process.chdir(dir);
  mkdirSync(join(dir, 'packages/cli'), { recursive: true });
  copyFileSync(join(import.meta.dirname, '..', EXAMPLE), join(dir, EXAMPLE));
  const demo = await cli(['demo', '--users', '40', '--days', '3']);
  expect(demo.code, demo.stderr).toBe(0);
}, 60_000);

describe("the README's commands after npm run demo", () => {
  const reports = readmeCommands('The report');
  const migrations = readmeCommands('The plan file');

  it('are the report and migrate commands the README shows', () => {
    expect(reports.map((argv) => argv.slice(0, 3).join(' '))).toEqual([
      'report --by tier',
      'report --by user',
      'report --by feature',
      'report --by model',
      'report --by cohort',
      'report --by week',
      'report --by tag:region',
    ]);
    expect(migrations).toEqual([['migrate'], ['migrate', '--config', EXAMPLE]]);
  });

  it.each(reports.map((argv) => [argv.join(' '), argv] as const))('%s reads the demo database and says so', async (_line, argv) => {
    const run = await cli(argv);
    expect(run.stderr).toBe(NOTE);
    expect(run.code).toBe(0);
    expect(run.stdout.length).toBeGreaterThan(0);
    if (!argv.includes('--format')) expect(run.stdout).toMatch(/ · embedded chDB in \.genai-cost\/chdb, database genai_cost_demo\n/);
  });

  it('migrate without a plan file creates the tables and loads no plans; reports still read the demo', async () => {
    const migrate = await cli(migrations[0]!);
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toContain('No plan file (genai-cost.config.yaml here, or --config PATH): no plans loaded');
    const report = await cli(reports[0]!);
    expect(report.stderr).toBe(NOTE);
    const withPlan = await cli(migrations[1]!);
    expect(withPlan.stdout).toContain(`Plans loaded from ${EXAMPLE}: 4 tiers (free, solo, team, enterprise), 1 user override, 4 features\n`);
  });

  it("reads genai_cost, without a note, once it has spans of its own", async () => {
    const { client, database, close } = await createClickHouseClient();
    try {
      await insertSpans(client, database, [spanRow({ at: new Date(Date.now() - 3_600_000), UserId: 'first-customer', Tier: 'team', CostUsd: 0.5 })]);
    } finally {
      await close();
    }
    const run = await cli(reports[0]!);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/ · embedded chDB in \.genai-cost\/chdb, database genai_cost\n/);
    expect(run.stdout).toMatch(/\nteam +1 +\$49\.00 +\$0\.50 /);
  });
});
