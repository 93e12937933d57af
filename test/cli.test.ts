import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, createClickHouseClient } from '@genai-cost/clickhouse';
import type { FeatureRow, ModelRow, SpanRow, TierRow } from '@genai-cost/clickhouse';
import { insertSpans, spanRow } from '../packages/clickhouse/src/test-support/chdb.js';
import { DEFAULT_PLAN } from '../packages/cli/src/defaultPlan.js';
import { REPORTS } from '../packages/cli/src/reports.js';
import { runCli } from '../packages/cli/src/test-support/runCli.js';

// One chDB directory for this file: chDB binds one data path per process.
const dir = mkdtempSync(join(tmpdir(), 'genai-cost-cli-'));
const env = { CLICKHOUSE_URL: `chdb:${join(dir, 'chdb')}` };
const cli = (...argv: string[]) => runCli(argv, { env, cwd: dir });
const DEMO = ['--database', 'genai_cost_demo'];
const DAYS = 3;
const EXAMPLE_PLAN = join(import.meta.dirname, '../packages/cli/genai-cost.config.example.yaml');

/** Rows of `sql` on this file's chDB directory, through a connection of its own. */
async function query<T>(sql: string): Promise<T[]> {
  const { client, close } = await createClickHouseClient({ url: env.CLICKHOUSE_URL });
  try {
    return await (await client.query({ query: sql, format: 'JSONEachRow' })).json<T>();
  } finally {
    await close();
  }
}

/** Spans written straight into `database` of this file's chDB directory, created by `migrate` first. */
async function seed(database: string, rows: SpanRow[]): Promise<void> {
  expect((await cli('migrate', '--database', database)).code).toBe(0);
  const { client, close } = await createClickHouseClient({ url: env.CLICKHOUSE_URL });
  try {
    await insertSpans(client, database, rows);
  } finally {
    await close();
  }
}

async function json<T>(...argv: string[]): Promise<T[]> {
  const run = await cli('report', ...DEMO, '--since', `${DAYS}d`, '--format', 'json', ...argv);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T[];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('genai-cost CLI against embedded chDB', () => {
  it('prints usage for --help and for each command', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n {2}migrate .*\n {2}report .*\n {2}demo /);
    for (const command of ['migrate', 'report', 'demo']) {
      const run = await cli(command, '--help');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: genai-cost ${command}`));
    }
  });

  it('prints its version for --version and -V', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '../packages/cli/package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await cli(flag)).toEqual({ code: 0, stdout: `genai-cost ${version}\n`, stderr: '' });
  });

  it('migrates without a plan file and loads no plans, and a second migrate applies nothing', async () => {
    const first = await cli('migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Applied ${MIGRATIONS.length} migrations: 0001_genai_spans, `);
    expect(first.stdout).toContain(
      'No plan file (genai-cost.config.yaml here, or --config PATH): no plans loaded, so reports show no revenue or margin. ' +
        `Write one (see ${EXAMPLE_PLAN}) and run "genai-cost migrate" again.\n`,
    );
    expect(await query('SELECT * FROM genai_cost.plans')).toEqual([]);
    const second = await cli('migrate');
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('Applied');
    expect(second.stdout).toContain(`Already applied: ${MIGRATIONS.length} migrations; the schema is up to date\n`);
  });

  it('loads the plans of a plan file', async () => {
    const run = await cli('migrate', '--database', 'planned', '--config', EXAMPLE_PLAN);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Plans loaded from ${EXAMPLE_PLAN}: 4 tiers (free, solo, team, enterprise), 1 user override, 4 features\n`);
    expect(await query<{ n: string }>("SELECT count() AS n FROM planned.plans WHERE Kind = 'tier'")).toEqual([{ n: 4 }]);
  });

  it('runs a small demo through the OTel SDK without losing a span', async () => {
    const run = await cli('demo', '--users', '200', '--days', String(DAYS));
    expect(run.stderr).toContain('spans: 100%');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Fresh demo database: created genai_cost_demo, marked as a demo database, and its tables (${MIGRATIONS.length} migrations)`);
    expect(run.stdout).toMatch(/Exporter: [\d,]+ stored in \d+ inserts, 0 failed, nothing dropped/);
    for (const section of ['Gross margin per tier', 'Top 10 users by LLM cost', 'Cost per feature', 'Cost skew: the top 5% of users', 'Unpriced spans: ']) {
      expect(run.stdout).toContain(section);
    }
  });

  it('reports per-tier margin as JSON whose numbers agree with each other and with the plan', async () => {
    const tiers = await json<TierRow>('--by', 'tier');
    expect(tiers.map((t) => t.tier).sort()).toEqual(['enterprise', 'free', 'solo', 'team']);
    for (const t of tiers) {
      const price = DEFAULT_PLAN.tiers[t.tier as keyof typeof DEFAULT_PLAN.tiers].monthlyPriceUsd;
      expect(t.revenueUsd).toBeCloseTo((t.activeUsers * price * DAYS) / 30, 6);
      expect(t.grossMarginUsd).toBeCloseTo(t.revenueUsd - t.costUsd, 9);
      expect(t.costUsd).toBeGreaterThan(0);
      if (t.revenueUsd === 0) {
        expect(t.grossMarginPct).toBeNull();
        expect(t.aiCogsPct).toBeNull();
      } else {
        expect(t.grossMarginPct).toBeCloseTo((100 * t.grossMarginUsd) / t.revenueUsd, 9);
        expect(t.aiCogsPct).toBeCloseTo((100 * t.costUsd) / t.revenueUsd, 9);
      }
    }
    // Every priced call is in exactly one tier: the tiers add up to the models.
    const models = await json<ModelRow>('--by', 'model');
    expect(sum(tiers.map((t) => t.costUsd))).toBeCloseTo(sum(models.map((m) => m.costUsd)), 6);
    expect(models.length).toBeGreaterThanOrEqual(5);
  });

  it('reports feature CTR against the plan', async () => {
    const features = await json<FeatureRow>('--by', 'feature');
    expect(features.map((f) => f.feature).sort()).toEqual(['agent-research', 'chat', 'code-review', 'summarise']);
    for (const f of features) {
      const revenue = DEFAULT_PLAN.features[f.feature as keyof typeof DEFAULT_PLAN.features].revenuePerUserUsd;
      expect(f.ctrPct).toBeCloseTo((100 * f.costPerUserUsd!) / ((revenue * DAYS) / 30), 9);
    }
  });

  it.each(Object.keys(REPORTS) as (keyof typeof REPORTS)[])('report --by %s: JSON rows have exactly the table columns', async (by) => {
    const rows = await json<Record<string, unknown>>('--by', by);
    expect(rows.length).toBeGreaterThan(0);
    expect(Object.keys(rows[0]!).sort()).toEqual(REPORTS[by].columns.map((c) => c.key).sort());
  });

  it('limits rows, and writes CSV with a header', async () => {
    expect(await json('--by', 'user', '--limit', '5')).toHaveLength(5);
    const csv = await cli('report', ...DEMO, '--by', 'tier', '--format', 'csv');
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('tier,activeUsers,revenueUsd,costUsd,grossMarginUsd,grossMarginPct,costPerUserUsd,aiCogsPct,monthlyBudgetUsd,avgBudgetUsedPct');
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => l.startsWith('free,'))).toMatch(/^free,\d+,0,[\d.]+,-[\d.]+,,[\d.]+,,1,[\d.]+$/);
  });

  it('prints an aligned table with the skew and unpriced lines under it', async () => {
    const run = await cli('report', ...DEMO, '--since', '3d');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Gross margin per tier · .* \(3 days\) · embedded chDB in .*, database genai_cost_demo\n/);
    expect(run.stdout).toMatch(/\nfree +[\d,]+ +\$0\.00 /);
    expect(run.stdout).toMatch(/\nCost skew: the top 5% of users caused [\d.]+% of user cost, the top 10% [\d.]+%, the top 20% [\d.]+% \([\d,]+ users\)\n/);
    expect(run.stdout).toMatch(/\nUnpriced spans: [\d,]+ \(ft:gpt-4o-mini-2024-07-18:acme:support:B3x9k2 unknown_model ×[\d,]+\); their cost is missing above\.\n {2}Hint: /);
  });

  it('shows user ids as safe text: control characters escaped in tables and CSV, formulas neutralised in CSV', async () => {
    const at = new Date(Date.now() - 3_600_000);
    const ids = ['u1\x1b[2J\x1b]0;owned\x07', 'u2\rfake', 'u3\u202etxt.exe', '=HYPERLINK("http://x.example")', '@SUM(A1)'];
    await seed('hostile', ids.map((UserId, i) => spanRow({ at, UserId, Tier: 'team', CostUsd: 5 - i })));
    const table = await cli('report', '--database', 'hostile', '--by', 'user', '--since', '1d');
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n').filter((l) => l.includes('team'));
    expect(lines.map((l) => l.split('  ')[0])).toEqual(['u1\\x1B[2J\\x1B]0;owned\\x07', 'u2\\x0Dfake', 'u3\\u202Etxt.exe', '=HYPERLINK("http://x.example")', '@SUM(A1)']);
    expect(table.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\u202e]/);
    const csv = await cli('report', '--database', 'hostile', '--by', 'user', '--since', '1d', '--format', 'csv');
    expect(csv.stdout.split('\n').slice(1, 6).map((l) => l.split(',team,')[0])).toEqual([
      'u1\\x1B[2J\\x1B]0;owned\\x07',
      'u2\\x0Dfake',
      'u3\\u202Etxt.exe',
      '"\'=HYPERLINK(""http://x.example"")"',
      '"\'@SUM(A1)"',
    ]);
  });

  it('says "1 day" and "1 user"', async () => {
    await seed('single', [spanRow({ at: new Date(Date.now() - 3_600_000), UserId: 'only', Tier: 'solo', CostUsd: 1 })]);
    const run = await cli('report', '--database', 'single', '--since', '1d');
    expect(run.stdout).toMatch(/^Gross margin per tier · \d{4}-\d\d-\d\d \d\d:\d\d → \d{4}-\d\d-\d\d \d\d:\d\d UTC \(1 day\) · /);
    expect(run.stdout).toContain(' of user cost, the top 10% 100.0%, the top 20% 100.0% (1 user)\n');
  });

  it('does not double the data when the demo runs again', async () => {
    const before = await json<ModelRow>('--by', 'model');
    const again = await cli('demo', '--users', '200', '--days', String(DAYS));
    expect(again.code).toBe(0);
    const after = await json<ModelRow>('--by', 'model');
    const totals = (rows: ModelRow[]) => ({ calls: sum(rows.map((r) => r.calls)), input: sum(rows.map((r) => r.inputTokens)) });
    expect(totals(after)).toEqual(totals(before));
  });

  it('exits 2 with one line for a bad flag or plan file', async () => {
    const flag = await cli('report', '--by', 'planet');
    expect(flag.code).toBe(2);
    expect(flag.stdout).toBe('');
    expect(flag.stderr).toBe('genai-cost report: --by: expected one of tier, user, feature, model, session, account, cohort, week or tag:KEY, got "planet"\n');
    writeFileSync(join(dir, 'bad.yaml'), 'tiers:\n  solo:\n    monthlyPriceUsd: -19\n');
    const plan = await cli('migrate', '--config', join(dir, 'bad.yaml'));
    expect(plan.code).toBe(2);
    expect(plan.stderr).toBe(`${join(dir, 'bad.yaml')}: tiers.solo.monthlyPriceUsd: expected a number ≥ 0\n`);
    const none = await runCli([], { env, cwd: dir });
    expect(none.code).toBe(2);
  });

  it('exits 2 with one line for a connection URL that cannot work', async () => {
    const run = await runCli(['report'], { env: { CLICKHOUSE_URL: 'ftp://ch.example.com' }, cwd: dir });
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'genai-cost report: ClickHouse connection option "url": expected http(s)://host:port for a server, or chdb:/absolute/path or chdb:relative/path for embedded chDB\n',
    });
  });

  it('exits 1 and prints the cause when ClickHouse cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const run = await runCli(['report'], { env: { CLICKHOUSE_URL: `http://127.0.0.1:${port}` }, cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^genai-cost report: ClickHouse at http://127\\.0\\.0\\.1:${port}, database genai_cost: .*ECONNREFUSED`));
  });
});

/** The CLI from its source in a process of its own, as `npx genai-cost` runs it. */
function spawnCli(argv: string[], chdbDir: string): ChildProcess {
  return spawn(process.execPath, ['--conditions=@genai-cost/source', '--import', 'tsx', 'packages/cli/src/main.ts', ...argv], {
    env: { ...process.env, CLICKHOUSE_URL: `chdb:${chdbDir}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** What a finished child printed, and its exit status. */
async function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { code, stdout, stderr };
}

describe('genai-cost demo --continuous', () => {
  it('sends live traffic until SIGTERM, meanwhile refuses a report with a clear message, then flushes and exits 0', async () => {
    const live = join(dir, 'chdb-live');
    const child = spawnCli(['demo', '--users', '20', '--days', '1', '--continuous', '--rate', '500'], live);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('Live traffic:')) resolve();
      });
      child.on('exit', () => reject(new Error(`demo exited early:\n${stdout}\n${stderr}`)));
    });

    // chDB lets one process open the directory: a report meanwhile says so, and nothing else.
    const blocked = await finished(spawnCli(['report', '--database', 'genai_cost_demo'], live));
    expect(blocked).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `genai-cost report: the embedded chDB in ${live} is in use by another process (pid ${child.pid}), such as a running "genai-cost demo": ` +
        'chDB lets one process open a directory at a time. Wait for it to finish or stop it, or set CLICKHOUSE_URL to a ClickHouse server.\n',
    });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stopped = /Stopped: ([\d,]+) live spans sent and flushed; exporter ([\d,]+) stored, 0 failed/.exec(stdout);
    expect(stopped, stdout + stderr).not.toBeNull();
    expect(Number(stopped![1]!.replaceAll(',', ''))).toBeGreaterThan(100);

    // A reader that stops early (`genai-cost report | head`): the report ends quietly.
    const report = spawnCli(['report', '--database', 'genai_cost_demo', '--by', 'user'], live);
    report.stdout!.destroy();
    expect(await finished(report)).toEqual({ code: 0, stdout: '', stderr: '' });
  }, 60_000);
});
