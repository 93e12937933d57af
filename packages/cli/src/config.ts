import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { PriceCatalog, PricingError } from '@genai-cost/pricing';
import type { UserModelPriceInput } from '@genai-cost/pricing';
import { DEFAULT_PLAN, DEFAULT_PLAN_SOURCE } from './defaultPlan.js';
import { configError } from './errors.js';

/** The plan file looked for in the working directory. */
export const CONFIG_FILE = 'genai-cost.config.yaml';

/** What a tier or user does when its monthly LLM budget is spent. */
export const BUDGET_ACTIONS = ['block', 'warn', 'degrade', 'dry-run'] as const;

/** An error message for a value of the wrong type, or a missing required one. */
const expected = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `required: expected ${what}` : `expected ${what}`;

const usd = z
  .number({ error: expected('a number ≥ 0') })
  .finite('expected a number ≥ 0')
  .min(0, 'expected a number ≥ 0');
const pct = z
  .number({ error: expected('a percentage from 0 to 100') })
  .min(0, 'expected a percentage from 0 to 100')
  .max(100, 'expected a percentage from 0 to 100');
const action = z.enum(BUDGET_ACTIONS, { error: expected(`one of ${BUDGET_ACTIONS.join(', ')}`) });
const capPct = z
  .number({ error: expected('a percentage of the budget > 0') })
  .finite('expected a percentage of the budget > 0')
  .positive('expected a percentage of the budget > 0');
/** Soft and hard caps of a budget: warn at one share of it, apply the action only at another. */
const caps = { warnAtPct: capPct.optional(), blockAtPct: capPct.optional() };
const text = z.string({ error: expected('a non-empty string') }).min(1, 'expected a non-empty string');
const name = text.regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'expected letters, digits, ".", "_", ":", "@" or "-"');

/** A strict object whose unknown-key error lists the fields it does accept. */
function strict<T extends z.ZodRawShape>(shape: T) {
  const fields = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')} (expected ${fields})`
        : expected(`a mapping of ${fields}`)(issue),
  });
}

const map = <T extends z.ZodType>(value: T, what: string) =>
  z.record(name, value, { error: expected(`a mapping of ${what}`) });

function degradeNeedsModel(plan: { action?: string | undefined; degradeModel?: string | undefined }, ctx: z.RefinementCtx): void {
  if (plan.action === 'degrade' && plan.degradeModel === undefined) {
    ctx.addIssue({ code: 'custom', path: ['degradeModel'], message: 'required when action is degrade: expected the model to switch to' });
  }
}

function capsInOrder(plan: { warnAtPct?: number | undefined; blockAtPct?: number | undefined }, ctx: z.RefinementCtx): void {
  if (plan.warnAtPct !== undefined && plan.warnAtPct > (plan.blockAtPct ?? 100)) {
    ctx.addIssue({ code: 'custom', path: ['warnAtPct'], message: `expected a percentage up to blockAtPct (${plan.blockAtPct ?? 100})` });
  }
}

/** An action needs a budget to apply to. */
function budgetNeedsAmount(plan: { monthlyBudgetUsd?: number | undefined; action?: string | undefined }, ctx: z.RefinementCtx): void {
  if (plan.action !== undefined && plan.monthlyBudgetUsd === undefined) {
    ctx.addIssue({ code: 'custom', path: ['monthlyBudgetUsd'], message: 'required when action is set: expected a number ≥ 0' });
  }
}

const tierSchema = strict({
  monthlyPriceUsd: usd,
  monthlyBudgetUsd: usd.optional(),
  action: action.optional(),
  degradeModel: text.optional(),
  targetMarginPct: pct.optional(),
  targetAiCogsPct: pct.optional(),
  sessionBudgetUsd: usd.optional(),
  ...caps,
}).superRefine((t, ctx) => {
  degradeNeedsModel(t, ctx);
  capsInOrder(t, ctx);
  budgetNeedsAmount(t, ctx);
});

const userSchema = strict({
  tier: name.optional(),
  monthlyPriceUsd: usd.optional(),
  monthlyBudgetUsd: usd.optional(),
  action: action.optional(),
  degradeModel: text.optional(),
  ...caps,
}).superRefine(capsInOrder);

/** A budget on a total (all users of a feature, a whole account): `monthlyBudgetUsd` and `action` go together. */
const totalBudget = {
  monthlyBudgetUsd: usd.optional(),
  action: action.optional(),
  degradeModel: text.optional(),
  ...caps,
};
type TotalBudget = { monthlyBudgetUsd?: number | undefined; action?: string | undefined; degradeModel?: string | undefined; warnAtPct?: number | undefined; blockAtPct?: number | undefined };
function totalBudgetRules(b: TotalBudget, ctx: z.RefinementCtx): void {
  degradeNeedsModel(b, ctx);
  capsInOrder(b, ctx);
  budgetNeedsAmount(b, ctx);
}

const featureSchema = strict({ revenuePerUserUsd: usd.optional(), ...totalBudget }).superRefine(totalBudgetRules);

const tenantSchema = strict(totalBudget).superRefine(totalBudgetRules);

const clickhouseSchema = strict({
  url: text.optional(),
  username: text.optional(),
  password: z.string({ error: expected('a string') }).optional(),
  passwordEnv: text.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name').optional(),
  database: text.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected letters, digits and "_", not starting with a digit').optional(),
}).refine((c) => c.password === undefined || c.passwordEnv === undefined, {
  path: ['passwordEnv'],
  message: 'expected either password or passwordEnv, not both',
});

const megabytes = (max: number) =>
  z
    .number({ error: expected(`a whole number of MB from 1 to ${max}`) })
    .int(`expected a whole number of MB from 1 to ${max}`)
    .min(1, `expected a whole number of MB from 1 to ${max}`)
    .max(max, `expected a whole number of MB from 1 to ${max}`);

/** `genai-cost serve` settings; the environment and flags beat them. */
const serveSchema = strict({
  host: text.optional(),
  port: z.number({ error: expected('a port from 0 to 65535') }).int('expected a port from 0 to 65535').min(0, 'expected a port from 0 to 65535').max(65_535, 'expected a port from 0 to 65535').optional(),
  keepAllSpans: z.boolean({ error: expected('true or false') }).optional(),
  maxBodyMb: megabytes(1024).optional(),
  maxQueueMb: megabytes(65_536).optional(),
  spoolDir: text.optional(),
  maxSpoolMb: megabytes(1_048_576).optional(),
  tlsCert: text.optional(),
  tlsKey: text.optional(),
  recentModelCalls: strict({
    maxSpans: z.number({ error: expected('a whole number ≥ 0') }).int('expected a whole number ≥ 0').min(0, 'expected a whole number ≥ 0').optional(),
    maxAgeSeconds: z.number({ error: expected('a whole number of seconds > 0') }).int('expected a whole number of seconds > 0').positive('expected a whole number of seconds > 0').optional(),
  }).optional(),
}).refine((s) => (s.tlsCert === undefined) === (s.tlsKey === undefined), { path: ['tlsKey'], message: 'expected both tlsCert and tlsKey, or neither' });

const configSchema = strict({
  clickhouse: clickhouseSchema.optional(),
  tiers: map(tierSchema, 'tier name → plan').optional(),
  users: map(userSchema, 'user id → overrides').optional(),
  features: map(featureSchema, 'feature name → { revenuePerUserUsd, monthlyBudgetUsd, action }').optional(),
  tenants: map(tenantSchema, 'tenant id → { monthlyBudgetUsd, action }').optional(),
  prices: z.array(z.unknown(), { error: expected('a list of price entries') }).optional(),
  serve: serveSchema.optional(),
}).superRefine((c, ctx) => {
  const tiers = Object.keys(c.tiers ?? {});
  for (const [id, u] of Object.entries(c.users ?? {})) {
    const tier = u.tier === undefined ? undefined : c.tiers?.[u.tier];
    if (u.tier !== undefined && tier === undefined) {
      ctx.addIssue({ code: 'custom', path: ['users', id, 'tier'], message: `expected one of the tiers: ${tiers.join(', ') || '(none defined)'}` });
    }
    // A user degraded without a model of their own falls back to their tier's.
    if (u.action === 'degrade' && u.degradeModel === undefined && tier?.degradeModel === undefined) {
      ctx.addIssue({ code: 'custom', path: ['users', id, 'degradeModel'], message: 'required when action is degrade (and the tier names none): expected the model to switch to' });
    }
  }
});

type RawConfig = z.output<typeof configSchema>;
/** A tier's plan. */
export type TierPlan = z.output<typeof tierSchema>;
/** Per-user overrides of the tier's plan. */
export type UserPlan = z.output<typeof userSchema>;
/** What the plan says about a feature: its revenue share and a budget on its total spend. */
export type FeaturePlan = z.output<typeof featureSchema>;
/** A budget on a tenant's (account's) total spend. */
export type TenantPlan = z.output<typeof tenantSchema>;

/** The plan file's `serve` section: settings of `genai-cost serve`, below its flags and environment variables. */
export type ServeFileSettings = z.output<typeof serveSchema>;

/** ClickHouse connection settings of the plan file, the password already read from its variable. */
export interface ClickHouseSettings {
  url?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  database?: string | undefined;
}

/** A validated plan file. */
export interface GenAICostConfig {
  /** The file it was read from, or the default plan's description. */
  source: string;
  clickhouse: ClickHouseSettings;
  tiers: Record<string, TierPlan>;
  users: Record<string, UserPlan>;
  features: Record<string, FeaturePlan>;
  tenants: Record<string, TenantPlan>;
  prices: UserModelPriceInput[];
  /** Settings of `genai-cost serve`. */
  serve: ServeFileSettings;
  /** The built-in catalog with `prices` laid over it. */
  catalog: PriceCatalog;
}

/** Where `loadConfig` looks and what it reads `passwordEnv` from. */
export interface LoadConfigOptions {
  /** Directory searched for `genai-cost.config.yaml` when no path is given. Default: the working directory. */
  cwd?: string;
  /** Environment that `clickhouse.passwordEnv` names a variable of. Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map(String).join('.');
}

/** Validates plan data; errors name the file, the field path and the expected form. */
export function parseConfig(data: unknown, source: string, env: LoadConfigOptions['env'] = {}): GenAICostConfig {
  const parsed = configSchema.safeParse(data ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw configError(`${source}: ${pathOf(issue.path)}: ${issue.message}`);
  }
  const c: RawConfig = parsed.data;
  const prices = (c.prices ?? []) as UserModelPriceInput[];
  let catalog: PriceCatalog;
  try {
    catalog = PriceCatalog.builtin().withPrices(prices, `${source}: prices`);
  } catch (err) {
    if (err instanceof PricingError) throw configError(err.message, err);
    throw err;
  }
  const { passwordEnv, ...clickhouse } = c.clickhouse ?? {};
  let password = clickhouse.password;
  if (passwordEnv !== undefined) {
    password = env[passwordEnv];
    if (password === undefined) {
      throw configError(`${source}: clickhouse.passwordEnv: environment variable ${passwordEnv} is not set`);
    }
  }
  return {
    source,
    clickhouse: { ...clickhouse, password },
    tiers: c.tiers ?? {},
    users: c.users ?? {},
    features: c.features ?? {},
    tenants: c.tenants ?? {},
    prices,
    serve: c.serve ?? {},
    catalog,
  };
}

/**
 * Reads and validates the plan file: `path`, else `genai-cost.config.yaml` in the working
 * directory, else the built-in default plan (the demo's; see `DEFAULT_PLAN`).
 */
export function loadConfig(path?: string, options: LoadConfigOptions = {}): GenAICostConfig {
  const file = path ?? CONFIG_FILE;
  const full = path ?? join(options.cwd ?? process.cwd(), CONFIG_FILE);
  if (path === undefined && !existsSync(full)) return parseConfig(DEFAULT_PLAN, DEFAULT_PLAN_SOURCE, options.env);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw configError(`${file}: cannot read the plan file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
  }
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (err) {
    throw configError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`, err);
  }
  return parseConfig(data, file, options.env);
}
