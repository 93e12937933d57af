import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '@genai-cost/clickhouse';
import type { FeatureRow, ModelRow, TierRow } from '@genai-cost/clickhouse';
import { DEFAULT_PLAN } from '../packages/cli/src/defaultPlan.js';
import { REPORTS } from '../packages/cli/src/reports.js';
import { runCli } from '../packages/cli/src/test-support/runCli.js';

// One chDB directory for this file: chDB binds one data path per process.
const dir = mkdtempSync(join(tmpdir(), 'genai-cost-cli-'));
const env = { CLICKHOUSE_URL: `chdb:${join(dir, 'chdb')}` };
const cli = (...argv: string[]) => runCli(argv, { env, cwd: dir });
const DEMO = ['--database', 'genai_cost_demo'];
const DAYS = 3;

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

  it('migrates, and a second migrate applies nothing', async () => {
    const first = await cli('migrate');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Applied ${MIGRATIONS.length} migration(s): 0001_genai_spans, `);
    expect(first.stdout).toContain('Plans loaded from built-in default plan (no genai-cost.config.yaml found): 4 tiers (free, solo, team, enterprise), 1 user override, 4 features');
    const second = await cli('migrate');
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain('Applied');
    expect(second.stdout).toContain(`Already applied: ${MIGRATIONS.length} migration(s); the schema is up to date`);
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
    expect(lines[0]).toBe('tier,activeUsers,revenueUsd,costUsd,grossMarginUsd,grossMarginPct,costPerUserUsd,aiCogsPct');
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => l.startsWith('free,'))).toMatch(/^free,\d+,0,[\d.]+,-[\d.]+,,[\d.]+,$/);
  });

  it('prints an aligned table with the skew and unpriced lines under it', async () => {
    const run = await cli('report', ...DEMO, '--since', '3d');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Gross margin per tier · .* \(3 days\) · embedded chDB in .*, database genai_cost_demo\n/);
    expect(run.stdout).toMatch(/\nfree +[\d,]+ +\$0\.00 /);
    expect(run.stdout).toMatch(/\nCost skew: the top 5% of users caused [\d.]+% of user cost, the top 10% [\d.]+%, the top 20% [\d.]+% \([\d,]+ users\)\n/);
    expect(run.stdout).toMatch(/\nUnpriced spans: [\d,]+ \(ft:gpt-4o-mini-2024-07-18:acme:support:B3x9k2 unknown_model ×[\d,]+\); their cost is missing above\.\n {2}Hint: /);
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
    expect(flag.stderr).toBe('genai-cost report: --by: expected one of tier, user, feature, model, session, account, got "planet"\n');
    writeFileSync(join(dir, 'bad.yaml'), 'tiers:\n  solo:\n    monthlyPriceUsd: -19\n');
    const plan = await cli('migrate', '--config', join(dir, 'bad.yaml'));
    expect(plan.code).toBe(2);
    expect(plan.stderr).toBe(`${join(dir, 'bad.yaml')}: tiers.solo.monthlyPriceUsd: expected a number ≥ 0\n`);
    const none = await runCli([], { env, cwd: dir });
    expect(none.code).toBe(2);
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

describe('genai-cost demo --continuous', () => {
  it('sends live traffic until SIGTERM, then flushes and exits 0', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=@genai-cost/source', '--import', 'tsx', 'packages/cli/src/main.ts', 'demo', '--users', '20', '--days', '1', '--continuous', '--rate', '500'],
      { env: { ...process.env, CLICKHOUSE_URL: `chdb:${join(dir, 'chdb-live')}` }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('Live traffic:')) setTimeout(resolve, 1_500);
      });
      child.on('exit', () => reject(new Error(`demo exited early:\n${stdout}\n${stderr}`)));
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const stopped = /Stopped: ([\d,]+) live spans sent and flushed; exporter ([\d,]+) stored, 0 failed/.exec(stdout);
    expect(stopped, stdout + stderr).not.toBeNull();
    expect(Number(stopped![1]!.replaceAll(',', ''))).toBeGreaterThan(100);
  }, 60_000);
});
