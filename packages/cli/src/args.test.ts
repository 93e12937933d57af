import { describe, expect, it } from 'vitest';
import { parseCommand, parseDuration, parseWindow } from './args.js';
import { CliError } from './errors.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const DAY = 86_400_000;

function usageErrorOf(argv: string[]): string {
  try {
    parseCommand(argv, NOW);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    return (err as CliError).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be rejected`);
}

describe('parseCommand', () => {
  it('reads report flags, with the defaults: by tier, the last 30 days, a table', () => {
    expect(parseCommand(['report'], NOW)).toEqual({
      name: 'report',
      config: undefined,
      database: undefined,
      by: 'tier',
      window: { from: new Date(NOW - 30 * DAY), to: new Date(NOW) },
      format: 'table',
      limit: undefined,
    });
    expect(parseCommand(['report', '--by', 'user', '--since', '7d', '--format', 'csv', '--limit', '10', '--config', 'plan.yaml', '--database', 'db1'], NOW)).toMatchObject({
      by: 'user',
      window: { from: new Date(NOW - 7 * DAY), to: new Date(NOW) },
      format: 'csv',
      limit: 10,
      config: 'plan.yaml',
      database: 'db1',
    });
    expect(parseCommand(['report', '--by=model', '--format=json'], NOW)).toMatchObject({ by: 'model', format: 'json' });
    expect(parseCommand(['report', '--by', 'tag:plan_variant'], NOW)).toMatchObject({ by: 'tag', tagKey: 'plan_variant' });
  });

  it('reads demo flags, with the defaults', () => {
    expect(parseCommand(['demo'], NOW)).toEqual({
      name: 'demo',
      config: undefined,
      database: undefined,
      users: 2000,
      days: 30,
      seed: 42,
      continuous: false,
      rate: 20,
    });
    expect(parseCommand(['demo', '--users', '200', '--days', '3', '--seed', '7', '--continuous', '--rate', '50/s'], NOW)).toMatchObject({
      users: 200,
      days: 3,
      seed: 7,
      continuous: true,
      rate: 50,
    });
  });

  it('reads --version', () => {
    expect(parseCommand(['--version'], NOW)).toEqual({ name: 'version' });
    expect(parseCommand(['-V'], NOW)).toEqual({ name: 'version' });
  });

  it('reads migrate and help', () => {
    expect(parseCommand(['migrate', '--config', 'x.yaml'], NOW)).toEqual({ name: 'migrate', config: 'x.yaml', database: undefined });
    expect(parseCommand(['--help'], NOW)).toEqual({ name: 'help', topic: undefined });
    expect(parseCommand(['-h'], NOW)).toEqual({ name: 'help', topic: undefined });
    expect(parseCommand(['help', 'report'], NOW)).toEqual({ name: 'help', topic: 'report' });
    expect(parseCommand(['demo', '--help'], NOW)).toEqual({ name: 'help', topic: 'demo' });
    expect(parseCommand(['migrate', '-h'], NOW)).toEqual({ name: 'help', topic: 'migrate' });
  });

  it('rejects bad input with one line that names the flag and what it expects', () => {
    expect(usageErrorOf(['reprot'])).toBe('genai-cost: unknown command "reprot": expected one of migrate, report, demo, users, suggest-caps, serve, prices, reprice (see genai-cost --help)');
    expect(usageErrorOf(['report', '--by', 'plan'])).toBe('genai-cost report: --by: expected one of tier, user, feature, model, session, account, cohort, week or tag:KEY, got "plan"');
    expect(usageErrorOf(['report', '--by', 'tag:'])).toBe('genai-cost report: --by tag:KEY: expected a tag key of 1 to 64 letters, digits, "_", "." or "-", got ""');
    expect(usageErrorOf(['report', '--by', "tag:x' OR 1=1"])).toMatch(/^genai-cost report: --by tag:KEY: expected a tag key/);
    expect(usageErrorOf(['report', '--format', 'xml'])).toBe('genai-cost report: --format: expected one of table, json, csv, got "xml"');
    expect(usageErrorOf(['report', '--limit', '0'])).toBe('genai-cost report: --limit: expected a whole number from 1 to 1000000, got "0"');
    expect(usageErrorOf(['report', '--since', '30'])).toBe('genai-cost report: --since: expected a duration such as 30d or 12h, got "30"');
    expect(usageErrorOf(['report', '--bogus'])).toMatch(/^genai-cost report: Unknown option '--bogus' \(see genai-cost report --help\)$/);
    expect(usageErrorOf(['report', 'tier'])).toBe("genai-cost report: Unexpected argument 'tier'. This command does not take positional arguments (see genai-cost report --help)");
    expect(usageErrorOf(['report', '--by'])).toBe("genai-cost report: Option '--by <value>' argument missing (see genai-cost report --help)");
    expect(usageErrorOf(['demo', '--users', 'many'])).toBe('genai-cost demo: --users: expected a whole number from 10 to 1000000, got "many"');
    expect(usageErrorOf(['demo', '--days', '0'])).toBe('genai-cost demo: --days: expected a whole number from 1 to 365, got "0"');
    expect(usageErrorOf(['demo', '--rate', '5'])).toBe('genai-cost demo: --rate needs --continuous');
    expect(usageErrorOf(['demo', '--continuous', '--rate', 'fast'])).toMatch(/^genai-cost demo: --rate: expected spans per second/);
    expect(usageErrorOf(['migrate', '--database', 'genai-cost'])).toMatch(/^genai-cost migrate: --database: expected letters, digits and "_"/);
    expect(usageErrorOf(['help', 'deploy'])).toBe('genai-cost: unknown command "deploy": expected one of migrate, report, demo, users, suggest-caps, serve, prices, reprice (see genai-cost --help)');
  });
});

describe('users and suggest-caps', () => {
  it('reads users import FILE, and shows help without an action', () => {
    expect(parseCommand(['users', 'import', 'billing.csv', '--database', 'db1'], NOW)).toEqual({
      name: 'users',
      action: 'import',
      file: 'billing.csv',
      config: undefined,
      database: 'db1',
    });
    expect(parseCommand(['users'], NOW)).toEqual({ name: 'help', topic: 'users' });
    expect(parseCommand(['users', 'import', '--help'], NOW)).toEqual({ name: 'help', topic: 'users' });
    expect(usageErrorOf(['users', 'export', 'x.csv'])).toBe('genai-cost users: unknown action "export": expected import (see genai-cost users --help)');
    expect(usageErrorOf(['users', 'import'])).toBe('genai-cost users import: expected the CSV file to import (see genai-cost users --help)');
    expect(usageErrorOf(['users', 'import', 'a.csv', 'b.csv'])).toBe('genai-cost users import: expected one file, got also "b.csv"');
  });

  it('reads suggest-caps with the report window and format, naming itself in errors', () => {
    expect(parseCommand(['suggest-caps'], NOW)).toEqual({
      name: 'suggest-caps',
      config: undefined,
      database: undefined,
      window: { from: new Date(NOW - 30 * DAY), to: new Date(NOW) },
      format: 'table',
    });
    expect(parseCommand(['suggest-caps', '--since', '7d', '--format', 'json'], NOW)).toMatchObject({ window: { from: new Date(NOW - 7 * DAY) }, format: 'json' });
    expect(usageErrorOf(['suggest-caps', '--since', 'week'])).toBe('genai-cost suggest-caps: --since: expected a duration such as 30d or 12h, got "week"');
    expect(usageErrorOf(['suggest-caps', '--by', 'tier'])).toMatch(/^genai-cost suggest-caps: Unknown option '--by'/);
  });
});

describe('report window', () => {
  it('takes --since in days or hours', () => {
    expect(parseDuration('30d')).toBe(30 * DAY);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('0d')).toBeUndefined();
    expect(parseDuration('1w')).toBeUndefined();
  });

  it('takes --from and --to as ISO dates or times; --to defaults to now', () => {
    expect(parseWindow({ from: '2026-11-01', to: '2026-11-08T00:00:00Z' }, NOW)).toEqual({
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-08T00:00:00Z'),
    });
    expect(parseWindow({ from: '2026-11-20T00:00:00Z' }, NOW)).toEqual({ from: new Date('2026-11-20T00:00:00Z'), to: new Date(NOW) });
  });

  it('rejects conflicting or reversed windows', () => {
    expect(() => parseWindow({ since: '7d', from: '2026-11-01' }, NOW)).toThrow('give either --since or --from/--to, not both');
    expect(() => parseWindow({ to: '2026-11-01' }, NOW)).toThrow('--to needs --from');
    expect(() => parseWindow({ from: '2026-11-08', to: '2026-11-01' }, NOW)).toThrow('--from must be before --to');
    expect(() => parseWindow({ from: 'last week' }, NOW)).toThrow(/--from: expected an ISO 8601 date or time/);
  });
});

describe('parseCommand: prices and reprice', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');

  it('reads prices lookup and list', () => {
    expect(parseCommand(['prices', 'lookup', 'gpt-4o', '--provider', 'azure.ai.openai', '--at', '2026-01-01'], now)).toMatchObject({
      name: 'prices',
      action: 'lookup',
      model: 'gpt-4o',
      provider: 'azure.ai.openai',
      at: new Date('2026-01-01T00:00:00Z'),
      format: 'table',
    });
    expect(parseCommand(['prices', 'list', '--format', 'csv'], now)).toMatchObject({ action: 'list', model: undefined, at: new Date(now), format: 'csv' });
    expect(() => parseCommand(['prices', 'list', 'extra'], now)).toThrow('genai-cost prices list: unexpected argument "extra"');
  });

  it('reads reprice with its window and flags', () => {
    expect(parseCommand(['reprice', '--since', '7d', '--only-unpriced'], now)).toMatchObject({
      name: 'reprice',
      window: { from: new Date(now - 7 * 86_400_000), to: new Date(now) },
      onlyUnpriced: true,
      dryRun: false,
    });
    expect(() => parseCommand(['reprice', '--since', '7d', '--from', '2026-11-01'], now)).toThrow('genai-cost reprice: give either --since or --from/--to, not both');
  });
});
