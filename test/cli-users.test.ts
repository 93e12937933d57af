import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouseClient } from '@genai-cost/clickhouse';
import type { CapSuggestionRow, CohortRow, SpanRow, TierRow, WeekRow } from '@genai-cost/clickhouse';
import { insertSpans, spanRow } from '../packages/clickhouse/src/test-support/chdb.js';
import { runCli } from '../packages/cli/src/test-support/runCli.js';

// One chDB directory for this file: chDB binds one data path per process.
const dir = mkdtempSync(join(tmpdir(), 'genai-cost-cli-users-'));
const env = { CLICKHOUSE_URL: `chdb:${join(dir, 'chdb')}` };
const cli = (...argv: string[]) => runCli(argv, { env, cwd: dir });
const JANUARY = ['--from', '2026-01-01', '--to', '2026-01-31']; // D = 30

const PLAN = `tiers:
  free: { monthlyPriceUsd: 0,  monthlyBudgetUsd: 5,  action: block }
  solo: { monthlyPriceUsd: 19, monthlyBudgetUsd: 8,  action: warn, targetMarginPct: 70 }
  team: { monthlyPriceUsd: 49, monthlyBudgetUsd: 20, action: warn, targetAiCogsPct: 10 }
`;

const USERS = `user_id,tier,signup_date,monthly_price_usd
f1,free,2025-12-03,
f2,free,2025-12-20,
s1,solo,2025-11-05,
s2,solo,2025-11-28,15
s3,solo,2025-12-01,
t1,team,2025-12-10,
`;

const at = (d: number) => new Date(Date.UTC(2026, 0, d, 12));
const span = (d: number, UserId: string, Tier: string, SessionId: string, CostUsd: number): SpanRow => spanRow({ at: at(d), UserId, Tier, SessionId, CostUsd });

/** January 2026; Monday the 5th and the 12th start the two weeks. x1 is not in the users file. */
const SPANS = [
  span(6, 'f1', 'free', 'fs1', 4.8),
  span(13, 'f2', 'free', 'fs2', 4.8),
  span(6, 's1', 'solo', 'ss1', 1),
  span(7, 's1', 'solo', 'ss1', 1),
  span(14, 's2', 'solo', 'ss2', 6),
  span(8, 's3', 'solo', 'ss3', 1),
  span(15, 'x1', 'solo', 'ss4', 3),
  span(9, 't1', 'team', 'ts1', 4),
  span(16, 't1', 'team', 'ts2', 6),
];

async function json<T>(...argv: string[]): Promise<T[]> {
  const run = await cli(...argv, '--format', 'json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T[];
}

beforeAll(async () => {
  writeFileSync(join(dir, 'genai-cost.config.yaml'), PLAN);
  writeFileSync(join(dir, 'users.csv'), USERS);
  expect((await cli('migrate')).code).toBe(0);
  const { client, database, close } = await createClickHouseClient({ url: env.CLICKHOUSE_URL });
  try {
    await insertSpans(client, database, SPANS);
  } finally {
    await close();
  }
});

afterAll(() => undefined);

describe('genai-cost users import', () => {
  it('prints its usage', async () => {
    for (const command of ['users', 'suggest-caps']) {
      const run = await cli(command, '--help');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: genai-cost ${command}`));
    }
  });

  it('imports the users file', async () => {
    const run = await cli('users', 'import', 'users.csv');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Imported 6 users from users.csv (free 2, solo 3, team 1), replacing no earlier import\n');
  });

  it('reports cohorts: signup month × tier, users, median and P95 cost per user, margin', async () => {
    expect(await json<CohortRow>('report', '--by', 'cohort', ...JANUARY)).toEqual([
      // s1 $2 at $19, s2 $6 at $15: median $4, P95 = 2 + 0.95 × 4.
      { signupMonth: '2025-11', tier: 'solo', users: 2, activeUsers: 2, revenueUsd: 34, costUsd: 8, medianCostPerUserUsd: 4, p95CostPerUserUsd: expect.closeTo(5.8, 9), grossMarginUsd: 26, grossMarginPct: expect.closeTo((100 * 26) / 34, 9) },
      { signupMonth: '2025-12', tier: 'free', users: 2, activeUsers: 2, revenueUsd: 0, costUsd: 9.6, medianCostPerUserUsd: 4.8, p95CostPerUserUsd: 4.8, grossMarginUsd: -9.6, grossMarginPct: null },
      { signupMonth: '2025-12', tier: 'solo', users: 1, activeUsers: 1, revenueUsd: 19, costUsd: 1, medianCostPerUserUsd: 1, p95CostPerUserUsd: 1, grossMarginUsd: 18, grossMarginPct: expect.closeTo((100 * 18) / 19, 9) },
      { signupMonth: '2025-12', tier: 'team', users: 1, activeUsers: 1, revenueUsd: 49, costUsd: 10, medianCostPerUserUsd: 10, p95CostPerUserUsd: 10, grossMarginUsd: 39, grossMarginPct: expect.closeTo((100 * 39) / 49, 9) },
      { signupMonth: null, tier: 'solo', users: null, activeUsers: 1, revenueUsd: 19, costUsd: 3, medianCostPerUserUsd: 3, p95CostPerUserUsd: 3, grossMarginUsd: 16, grossMarginPct: expect.closeTo((100 * 16) / 19, 9) },
    ]);
    const table = await cli('report', '--by', 'cohort', ...JANUARY);
    expect(table.stdout).toMatch(/\n2025-11 +solo +2 +2 +\$34\.00 +\$8\.00 +\$4\.00 +\$5\.80 +\$26\.00 +76\.5%\n/);
    expect(table.stdout).toMatch(/\n— +solo +— +1 +\$19\.00 /);
  });

  it("shows each tier's average cost per user as a share of its budget: free users average 96 % of their $5", async () => {
    const tiers = new Map((await json<TierRow>('report', '--by', 'tier', ...JANUARY)).map((t) => [t.tier, t]));
    expect(tiers.get('free')).toMatchObject({ activeUsers: 2, costUsd: 9.6, monthlyBudgetUsd: 5, avgBudgetUsedPct: expect.closeTo(96, 9) });
    // s1, s3, x1 at $19 and s2 at $15; $12 over 4 users of an $8 budget.
    expect(tiers.get('solo')).toMatchObject({ activeUsers: 4, revenueUsd: 72, costUsd: 12, monthlyBudgetUsd: 8, avgBudgetUsedPct: 37.5 });
    expect(tiers.get('team')).toMatchObject({ activeUsers: 1, revenueUsd: 49, costUsd: 10, monthlyBudgetUsd: 20, avgBudgetUsedPct: 50 });
    const table = await cli('report', '--by', 'tier', ...JANUARY);
    expect(table.stdout).toMatch(/\nfree +2 +\$0\.00 +\$9\.60 +-\$9\.60 +— +\$4\.80 +— +\$5\.00 +96\.0%\n/);
  });

  it('reports cost per active user, AI COGS % and margin per tier per week', async () => {
    const weeks = await json<WeekRow>('report', '--by', 'week', '--from', '2026-01-05', '--to', '2026-01-19');
    const week = (w: string, tier: string) => weeks.find((r) => r.week === w && r.tier === tier);
    expect(weeks).toHaveLength(6);
    // s1 ($2) and s3 ($1) at $19 for 7 days.
    expect(week('2026-01-05', 'solo')).toMatchObject({ weekDays: 7, activeUsers: 2, costUsd: 3, costPerUserUsd: 1.5, revenueUsd: expect.closeTo((38 * 7) / 30, 9) });
    expect(week('2026-01-05', 'solo')!.aiCogsPct).toBeCloseTo((100 * 3) / ((38 * 7) / 30), 9);
    // s2 ($6 at $15) and x1 ($3 at $19).
    expect(week('2026-01-12', 'solo')).toMatchObject({ activeUsers: 2, costUsd: 9, costPerUserUsd: 4.5, revenueUsd: expect.closeTo((34 * 7) / 30, 9) });
    expect(week('2026-01-12', 'solo')!.grossMarginUsd).toBeCloseTo((34 * 7) / 30 - 9, 9);
    expect(week('2026-01-12', 'team')).toMatchObject({ activeUsers: 1, costUsd: 6, costPerUserUsd: 6, aiCogsPct: expect.closeTo((100 * 6) / ((49 * 7) / 30), 9) });
    expect(week('2026-01-12', 'free')).toMatchObject({ costUsd: 4.8, costPerUserUsd: 4.8, aiCogsPct: null, grossMarginPct: null });
  });

  it('suggests caps per tier', async () => {
    const caps = new Map((await json<CapSuggestionRow>('suggest-caps', ...JANUARY)).map((r) => [r.tier, r]));
    // solo sessions $1, $2, $3, $6: P50 2.5, P90 = 3 + 0.7 × 3, P95 = 3 + 0.85 × 3; budget 19 × (1 − 0.7).
    expect(caps.get('solo')).toMatchObject({
      sessions: 4,
      p50SessionUsd: 2.5,
      p90SessionUsd: expect.closeTo(5.1, 9),
      p95SessionUsd: expect.closeTo(5.55, 9),
      suggestedSessionCapUsd: expect.closeTo(15.3, 9),
      sessionsOverCap: 0,
      targetMarginPct: 70,
      monthlyBudgetUsd: 8,
      suggestedBudgetUsd: expect.closeTo(5.7, 9),
      activeUsers: 4,
      usersOverBudget: 0,
      usersOverSuggestedBudget: 1,
    });
    // team: target margin 100 − 10 (its AI COGS target), budget 49 × 0.1; t1's $10 passes it.
    expect(caps.get('team')).toMatchObject({ sessions: 2, p50SessionUsd: 5, targetMarginPct: 90, suggestedBudgetUsd: expect.closeTo(4.9, 9), usersOverBudget: 0, usersOverSuggestedBudget: 1 });
    expect(caps.get('free')).toMatchObject({ p90SessionUsd: 4.8, targetMarginPct: 92, suggestedBudgetUsd: null, usersOverBudget: 0, usersOverSuggestedBudget: null });
    const table = await cli('suggest-caps', ...JANUARY);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^Suggested caps per tier · 2026-01-01 00:00 → 2026-01-31 00:00 UTC \(30 days\) · /);
    expect(table.stdout).toMatch(/\nsolo +4 +\$2\.50 +\$5\.10 +\$5\.55 +\$15\.30 +0 +\$19\.00 +70\.0% +\$8\.00 +\$5\.70 +4 +0 +1\n/);
    const csv = await cli('suggest-caps', ...JANUARY, '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toBe(
      'tier,sessions,p50SessionUsd,p90SessionUsd,p95SessionUsd,suggestedSessionCapUsd,sessionsOverCap,monthlyPriceUsd,targetMarginPct,monthlyBudgetUsd,suggestedBudgetUsd,activeUsers,usersOverBudget,usersOverSuggestedBudget',
    );
  });

  it('rejects a bad users file with every problem by line and field, exit 2, and imports nothing', async () => {
    writeFileSync(
      join(dir, 'bad.csv'),
      'userId,tier,signupDate,monthlyPriceUsd\nok1,solo,2025-01-01,\nbad1,gold,2025-01-01,\nbad2,solo,2025-02-30,\nbad3,solo,2025-01-01,$19\nok1,team,2025-01-01,\nshort,solo\n',
    );
    const run = await cli('users', 'import', 'bad.csv');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      [
        `bad.csv: line 3: tier: expected one of the plan file's tiers (free, solo, team), got "gold"`,
        'bad.csv: line 4: signupDate: expected a calendar date as YYYY-MM-DD, got "2025-02-30"',
        `bad.csv: line 5: monthlyPriceUsd: expected a number ≥ 0 such as 19 or 19.99, or nothing for the tier's price, got "$19"`,
        'bad.csv: line 6: userId: "ok1" is already on line 2',
        'bad.csv: line 7: expected 4 fields (userId, tier, signupDate, monthlyPriceUsd), got 2',
        'genai-cost users import: 5 problems in bad.csv; nothing was imported',
        '',
      ].join('\n'),
    );
    const missing = await cli('users', 'import', 'nowhere.csv');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('genai-cost users import: nowhere.csv: cannot read the file (ENOENT)\n');
    const cohorts = await json<CohortRow>('report', '--by', 'cohort', ...JANUARY);
    expect(cohorts.filter((c) => c.signupMonth !== null).map((c) => c.users)).toEqual([2, 2, 1, 1]);
  });

  it('replaces the whole import on a re-import: users left out go back to their spans', async () => {
    writeFileSync(join(dir, 'fewer.csv'), 'userId,tier,signupDate\ns1,solo,2025-11-05\n');
    const run = await cli('users', 'import', 'fewer.csv');
    expect(run.stdout).toContain('Imported 1 users from fewer.csv (solo 1), replacing an import of 6\n');
    const cohorts = await json<CohortRow>('report', '--by', 'cohort', ...JANUARY);
    expect(cohorts.map((c) => [c.signupMonth, c.tier, c.users, c.activeUsers])).toEqual([
      ['2025-11', 'solo', 1, 1],
      [null, 'free', null, 2],
      [null, 'solo', null, 3],
      [null, 'team', null, 1],
    ]);
    // s2 is back at the tier's $19.
    const solo = (await json<TierRow>('report', '--by', 'tier', ...JANUARY)).find((t) => t.tier === 'solo');
    expect(solo!.revenueUsd).toBe(4 * 19);
  });

  it("runs the README's commands and imports its example file as written", async () => {
    const readme = readFileSync(join(import.meta.dirname, '../README.md'), 'utf8');
    writeFileSync(join(dir, 'users.csv'), /```csv\n([\s\S]*?)```/.exec(readme)![1]!);
    const commands = [...readme.matchAll(/^npx genai-cost (users import .*|suggest-caps .*|report --by (?:cohort|week)\b[^#\n]*)/gm)].map((m) => m[1]!.trim().split(/\s+/));
    expect(commands.map((c) => c.join(' '))).toEqual(['report --by cohort', 'report --by week --since 84d', 'users import users.csv', 'suggest-caps --since 30d']);
    for (const argv of commands) {
      const run = await cli(...argv);
      expect(run.stderr, argv.join(' ')).toBe('');
      expect(run.code).toBe(0);
    }
    expect((await cli('users', 'import', 'users.csv')).stdout).toContain('Imported 3 users from users.csv (solo 2, team 1), replacing an import of 3\n');
  });
});
