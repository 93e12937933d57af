import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig, parseConfig } from './config.js';
import { DEFAULT_PLAN, DEFAULT_PLAN_SOURCE } from './defaultPlan.js';
import { CliError } from './errors.js';

const EXAMPLE = new URL('../genai-cost.config.example.yaml', import.meta.url);
const FILE = 'genai-cost.config.yaml';

/** The default plan as plain mutable data. */
interface PlanData {
  tiers: Record<string, Record<string, unknown>>;
  users: Record<string, Record<string, unknown>>;
  features: Record<string, Record<string, unknown>>;
  [field: string]: unknown;
}

/** A copy of the default plan with `patch` applied. */
function plan(patch: (p: PlanData) => void): unknown {
  const p = structuredClone(DEFAULT_PLAN) as unknown as PlanData;
  patch(p);
  return p;
}

/** The example plan file with its commented-out budget settings (caps, session ceiling, feature and tenant budgets) uncommented. */
function uncommentBudgets(text: string): string {
  const inline = text.replace(/^(\s+)# ((?:warnAtPct|blockAtPct|sessionBudgetUsd|monthlyBudgetUsd|action): .*)$/gm, '$1$2');
  return inline.replace(/^# tenants:\n(?:#.*\n)*/m, (block) => block.replace(/^# /gm, ''));
}

function errorOf(data: unknown, env: Record<string, string> = {}): CliError {
  try {
    parseConfig(data, FILE, env);
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    return err as CliError;
  }
  throw new Error('expected the plan to be rejected');
}

describe('plan file', () => {
  it('uses the default plan, the demo one, when there is no genai-cost.config.yaml', () => {
    const config = loadConfig(undefined, { cwd: mkdtempSync(join(tmpdir(), 'genai-cost-config-')) });
    expect(config.source).toBe(DEFAULT_PLAN_SOURCE);
    expect(Object.keys(config.tiers)).toEqual(['free', 'solo', 'team', 'enterprise']);
    expect(config.tiers.solo).toMatchObject({ monthlyPriceUsd: 19 });
    expect(config.clickhouse.url).toBeUndefined();
  });

  it('ships an example that is exactly the default plan', () => {
    expect(parseYaml(readFileSync(EXAMPLE, 'utf8'))).toEqual(DEFAULT_PLAN);
  });

  it('prices the fine-tuned model once the example price is uncommented', () => {
    const [head, tail] = readFileSync(EXAMPLE, 'utf8').split(/^(?=# prices:)/m);
    const text = head! + tail!.replace(/^# /gm, '');
    const config = parseConfig(parseYaml(text), FILE);
    expect(config.catalog.find('ft:gpt-4o-mini-2024-07-18:acme:support:B3x9k2', 'openai')?.origin).toBe('custom');
  });

  it('sets caps, a session ceiling, a feature budget and a tenant budget once the example budgets are uncommented', () => {
    const config = parseConfig(parseYaml(uncommentBudgets(readFileSync(EXAMPLE, 'utf8'))), FILE);
    expect(config.tiers.solo).toMatchObject({ monthlyBudgetUsd: 8, action: 'warn', warnAtPct: 75, blockAtPct: 150, sessionBudgetUsd: 2 });
    expect(config.features.summarise).toEqual({ revenuePerUserUsd: 4, monthlyBudgetUsd: 500, action: 'block' });
    expect(config.tenants).toEqual({ 'acme-corp': { monthlyBudgetUsd: 300, action: 'degrade', degradeModel: 'gpt-4o-mini' } });
  });

  it('checks budget caps, feature and tenant budgets, naming the field', () => {
    expect(errorOf(plan((p) => Object.assign(p.tiers.solo!, { warnAtPct: 160, blockAtPct: 150 }))).message).toBe(
      'genai-cost.config.yaml: tiers.solo.warnAtPct: expected a percentage up to blockAtPct (150)',
    );
    expect(errorOf(plan((p) => (p.tiers.solo!.blockAtPct = 0))).message).toBe('genai-cost.config.yaml: tiers.solo.blockAtPct: expected a percentage of the budget > 0');
    expect(errorOf(plan((p) => (p.features.chat!.action = 'block'))).message).toBe(
      'genai-cost.config.yaml: features.chat.monthlyBudgetUsd: required when action is set: expected a number ≥ 0',
    );
    expect(errorOf(plan((p) => (p.tenants = { acme: { monthlyBudgetUsd: 10, action: 'degrade' } }))).message).toBe(
      'genai-cost.config.yaml: tenants.acme.degradeModel: required when action is degrade: expected the model to switch to',
    );
    expect(errorOf(plan((p) => (p.tenants = { acme: { monthlyBudgetUsd: 10, action: 'block', price: 5 } }))).message).toMatch(
      /^genai-cost.config.yaml: tenants.acme: unknown field "price" \(expected monthlyBudgetUsd, action, degradeModel, warnAtPct, blockAtPct\)$/,
    );
  });

  it('finds genai-cost.config.yaml in the working directory, and --config names another file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-cost-config-'));
    writeFileSync(join(dir, FILE), 'tiers:\n  pro: { monthlyPriceUsd: 29 }\n');
    writeFileSync(join(dir, 'other.yaml'), 'tiers:\n  max: { monthlyPriceUsd: 99 }\n');
    expect(Object.keys(loadConfig(undefined, { cwd: dir }).tiers)).toEqual(['pro']);
    expect(loadConfig(undefined, { cwd: dir }).source).toBe(FILE);
    expect(Object.keys(loadConfig(join(dir, 'other.yaml')).tiers)).toEqual(['max']);
  });

  it('names the field path and the expected form', () => {
    expect(errorOf(plan((p) => (p.tiers.solo!.monthlyPriceUsd = -1))).message).toBe(
      'genai-cost.config.yaml: tiers.solo.monthlyPriceUsd: expected a number ≥ 0',
    );
    expect(errorOf(plan((p) => (p.tiers.solo!.monthlyPriceUsd = '19'))).message).toBe(
      'genai-cost.config.yaml: tiers.solo.monthlyPriceUsd: expected a number ≥ 0',
    );
    expect(errorOf(plan((p) => delete p.tiers.team!.monthlyPriceUsd)).message).toBe(
      'genai-cost.config.yaml: tiers.team.monthlyPriceUsd: required: expected a number ≥ 0',
    );
    expect(errorOf(plan((p) => (p.tiers.team!.action = 'throttle'))).message).toBe(
      'genai-cost.config.yaml: tiers.team.action: expected one of block, warn, degrade, dry-run',
    );
    expect(errorOf(plan((p) => (p.tiers.team!.targetMarginPct = 120))).message).toBe(
      'genai-cost.config.yaml: tiers.team.targetMarginPct: expected a percentage from 0 to 100',
    );
    expect(errorOf(plan((p) => (p.tiers.team!.targetAiCogsPct = -1))).message).toBe(
      'genai-cost.config.yaml: tiers.team.targetAiCogsPct: expected a percentage from 0 to 100',
    );
    expect(errorOf(plan((p) => (p.features.chat!.revenuePerUserUsd = -3))).message).toBe(
      'genai-cost.config.yaml: features.chat.revenuePerUserUsd: expected a number ≥ 0',
    );
  });

  it('requires degradeModel when the action is degrade, and a budget for any action', () => {
    expect(errorOf(plan((p) => delete p.tiers.free!.degradeModel)).message).toBe(
      'genai-cost.config.yaml: tiers.free.degradeModel: required when action is degrade: expected the model to switch to',
    );
    expect(errorOf(plan((p) => delete p.tiers.solo!.monthlyBudgetUsd)).message).toMatch(/^genai-cost.config.yaml: tiers.solo.monthlyBudgetUsd: required when action is set/);
    // A user degraded on a tier with a degrade model inherits it.
    expect(() => parseConfig(plan((p) => (p.users['u-1'] = { tier: 'free', action: 'degrade' })), FILE)).not.toThrow();
    expect(errorOf(plan((p) => (p.users['u-1'] = { tier: 'solo', action: 'degrade' }))).message).toMatch(/users.u-1.degradeModel: required when action is degrade/);
  });

  it('lists the accepted fields for an unknown one', () => {
    expect(errorOf(plan((p) => (p.tiers.solo!.price = 19))).message).toBe(
      'genai-cost.config.yaml: tiers.solo: unknown field "price" (expected monthlyPriceUsd, monthlyBudgetUsd, action, degradeModel, targetMarginPct, targetAiCogsPct, sessionBudgetUsd, warnAtPct, blockAtPct)',
    );
    expect(errorOf(plan((p) => (p.plans = {}))).message).toMatch(/^genai-cost.config.yaml: \(top level\): unknown field "plans" \(expected clickhouse, tiers/);
  });

  it("checks a user's tier against the tiers", () => {
    expect(errorOf(plan((p) => (p.users['user-1'] = { tier: 'gold' }))).message).toBe(
      'genai-cost.config.yaml: users.user-1.tier: expected one of the tiers: free, solo, team, enterprise',
    );
  });

  it('validates prices through the price catalog, naming the entry and field', () => {
    const message = errorOf(plan((p) => (p.prices = [{ provider: 'openai', model: 'my-ft', input: -1, output: 2 }]))).message;
    expect(message).toBe('genai-cost.config.yaml: prices: entry 0 ("my-ft"): input: Too small: expected number to be >=0');
  });

  it('reads the ClickHouse password from the variable passwordEnv names', () => {
    const data = { clickhouse: { url: 'http://ch:8123', passwordEnv: 'CH_PASS' } };
    expect(parseConfig(data, FILE, { CH_PASS: 's3cret' }).clickhouse).toEqual({ url: 'http://ch:8123', password: 's3cret' });
    expect(errorOf(data).message).toBe('genai-cost.config.yaml: clickhouse.passwordEnv: environment variable CH_PASS is not set');
    expect(errorOf({ clickhouse: { password: 'a', passwordEnv: 'B' } }).message).toBe(
      'genai-cost.config.yaml: clickhouse.passwordEnv: expected either password or passwordEnv, not both',
    );
  });

  it('reports YAML syntax errors and unreadable files as plan errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-cost-config-'));
    writeFileSync(join(dir, 'bad.yaml'), 'tiers:\n  solo: [\n');
    expect(() => loadConfig(join(dir, 'bad.yaml'))).toThrow(/bad.yaml: not valid YAML/);
    expect(() => loadConfig(join(dir, 'missing.yaml'))).toThrow(/missing.yaml: cannot read the plan file \(ENOENT\)/);
  });

  it('accepts an empty file as an empty plan', () => {
    expect(parseConfig(null, FILE)).toMatchObject({ tiers: {}, users: {}, features: {}, prices: [] });
  });
});
