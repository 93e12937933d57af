import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BudgetConfigError, parseBudgetPlan } from './plan.js';
import type { BudgetPlan } from './plan.js';
import type { PlanSource } from './types.js';

const TIER_FIELDS = ['monthlyBudgetUsd', 'action', 'degradeModel', 'sessionBudgetUsd'] as const;
const USER_FIELDS = ['tier', 'monthlyBudgetUsd', 'action', 'degradeModel'] as const;

function pick(from: unknown, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof from !== 'object' || from === null) return out;
  for (const f of fields) if ((from as Record<string, unknown>)[f] !== undefined) out[f] = (from as Record<string, unknown>)[f];
  return out;
}

/**
 * The budget fields of a plan file, `genai-cost.config.yaml` or any JSON / YAML file with `tiers`
 * and `users`: a tier without both a budget and an action has no limit; other fields (prices,
 * target margins, features, ClickHouse settings) are ignored.
 */
export function budgetPlanFromFile(data: unknown, origin: string): BudgetPlan {
  if (typeof data !== 'object' || data === null) throw new BudgetConfigError(`${origin}: expected a plan with "tiers"`);
  const file = data as { tiers?: Record<string, unknown>; users?: Record<string, unknown> };
  const tiers: Record<string, unknown> = {};
  for (const [name, tier] of Object.entries(file.tiers ?? {})) {
    const budget = pick(tier, TIER_FIELDS);
    if (budget.monthlyBudgetUsd !== undefined && budget.action !== undefined) tiers[name] = budget;
  }
  const users: Record<string, unknown> = {};
  for (const [id, user] of Object.entries(file.users ?? {})) users[id] = pick(user, USER_FIELDS);
  return parseBudgetPlan({ tiers, users }, origin);
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
