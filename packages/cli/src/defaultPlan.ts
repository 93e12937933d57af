/**
 * The demo SaaS's sample plan, which `genai-cost demo` runs with when there is no
 * `genai-cost.config.yaml`; `migrate` never loads it. It is written out, with comments, as
 * `genai-cost.config.example.yaml`; a test keeps the two equal.
 *
 * - free: $0, a $1 monthly LLM budget per user, then calls are degraded to gpt-4o-mini;
 * - solo: $19 per user, $8 budget, warn;
 * - team: $49 per user (per seat), $20 budget, warn;
 * - enterprise: $199 per user, $120 budget, dry-run (measured, never enforced);
 * - one design-partner user with a larger budget;
 * - the monthly revenue per user attributed to each feature, for its cost-to-revenue ratio.
 */
export const DEFAULT_PLAN = {
  tiers: {
    free: { monthlyPriceUsd: 0, monthlyBudgetUsd: 1, action: 'degrade', degradeModel: 'gpt-4o-mini' },
    solo: { monthlyPriceUsd: 19, monthlyBudgetUsd: 8, action: 'warn', targetMarginPct: 70 },
    team: { monthlyPriceUsd: 49, monthlyBudgetUsd: 20, action: 'warn', targetMarginPct: 65 },
    enterprise: { monthlyPriceUsd: 199, monthlyBudgetUsd: 120, action: 'dry-run', targetMarginPct: 60 },
  },
  users: {
    'user-00007': { monthlyBudgetUsd: 50, action: 'warn' },
  },
  features: {
    chat: { revenuePerUserUsd: 8 },
    summarise: { revenuePerUserUsd: 4 },
    'code-review': { revenuePerUserUsd: 20 },
    'agent-research': { revenuePerUserUsd: 25 },
  },
} as const;

/** Shown as the plan's source when no plan file was found. */
export const DEFAULT_PLAN_SOURCE = 'built-in default plan (no genai-cost.config.yaml found)';

/** Whether `config` is the built-in sample plan, loaded because there was no plan file. */
export function usesDefaultPlan(config: { source: string }): boolean {
  return config.source === DEFAULT_PLAN_SOURCE;
}
