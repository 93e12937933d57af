import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BudgetConfigError, parseBudgetPlan } from './plan.js';
import type { BudgetPlan } from './plan.js';
import type { PlanSource } from './types.js';

const CAP_FIELDS = ['warnAtPct', 'blockAtPct'] as const;
const SHARED_FIELDS = ['monthlyBudgetUsd', 'action', 'degradeModel', ...CAP_FIELDS] as const;
const TIER_FIELDS = [...SHARED_FIELDS, 'sessionBudgetUsd'] as const;
const USER_FIELDS = ['tier', ...SHARED_FIELDS] as const;

function pick(from: unknown, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof from !== 'object' || from === null) return out;
  for (const f of fields) if ((from as Record<string, unknown>)[f] !== undefined) out[f] = (from as Record<string, unknown>)[f];
  return out;
}

/** The entries of a section that have both a budget and an action, with their budget fields. */
function budgets(section: Record<string, unknown> | undefined, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(section ?? {})) {
    const budget = pick(entry, fields);
    if (budget.monthlyBudgetUsd !== undefined && budget.action !== undefined) out[name] = budget;
  }
  return out;
}

/**
 * The budget fields of a plan file, `genai-cost.config.yaml` or any JSON / YAML file with `tiers`,
 * `users`, `features` and `tenants`: a tier, feature or tenant without both a budget and an action
 * has no limit; other fields (prices, target margins, revenue, ClickHouse settings) are ignored.
 */
export function budgetPlanFromFile(data: unknown, origin: string): BudgetPlan {
  if (typeof data !== 'object' || data === null) throw new BudgetConfigError(`${origin}: expected a plan with "tiers"`);
  type Section = Record<string, unknown> | undefined;
  const file = data as { tiers?: Section; users?: Section; features?: Section; tenants?: Section };
  const users: Record<string, unknown> = {};
  for (const [id, user] of Object.entries(file.users ?? {})) users[id] = pick(user, USER_FIELDS);
  return parseBudgetPlan(
    { tiers: budgets(file.tiers, TIER_FIELDS), users, features: budgets(file.features, SHARED_FIELDS), tenants: budgets(file.tenants, SHARED_FIELDS) },
    origin,
  );
}

/** Reads budgets from a plan file on every reload, so edits apply without a deploy. */
export class FilePlanSource implements PlanSource {
  constructor(private readonly path: string) {}

  /** The file's budgets; a missing, malformed or invalid file rejects, naming the file and field. */
  async load(): Promise<BudgetPlan> {
    const text = await readFile(this.path, 'utf8');
    const ext = extname(this.path).toLowerCase();
    let data: unknown;
    try {
      data = ext === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch (cause) {
      throw new BudgetConfigError(`${this.path}: not valid ${ext === '.json' ? 'JSON' : 'YAML'} (${(cause as Error).message})`, { cause });
    }
    return budgetPlanFromFile(data, this.path);
  }
}
