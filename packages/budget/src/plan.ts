import { z } from 'zod';

/** What happens to a call once a budget it falls under is spent. */
export const BUDGET_ACTIONS = ['block', 'warn', 'degrade', 'dry-run'] as const;
/** One of {@link BUDGET_ACTIONS}. */
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

const usd = z.number({ error: 'expected a number of USD' }).finite().nonnegative({ error: 'expected a number of USD ≥ 0' });
const action = z.enum(BUDGET_ACTIONS, { error: `expected one of ${BUDGET_ACTIONS.join(', ')}` });
const pct = z.number({ error: 'expected a percentage of the budget > 0' }).finite().positive({ error: 'expected a percentage of the budget > 0' });

/** Soft and hard caps: warn at one share of the budget, apply the action only at another. */
const caps = {
  /** Share of the budget (%) at which the state becomes `warning`. Default: the guard's `warningThreshold` (80 %). */
  warnAtPct: pct.optional(),
  /** Share of the budget (%) at which the action applies. Default: 100. */
  blockAtPct: pct.optional(),
};

function capsInOrder(b: { warnAtPct?: number | undefined; blockAtPct?: number | undefined }, ctx: z.RefinementCtx): void {
  if (b.warnAtPct !== undefined && b.warnAtPct > (b.blockAtPct ?? 100)) {
    ctx.addIssue({ code: 'custom', path: ['warnAtPct'], message: `expected at most blockAtPct (${b.blockAtPct ?? 100})` });
  }
}

function degradeNeedsModel(b: { action?: BudgetAction | undefined; degradeModel?: string | undefined }, ctx: z.RefinementCtx): void {
  if (b.action === 'degrade' && b.degradeModel === undefined) {
    ctx.addIssue({ code: 'custom', path: ['degradeModel'], message: 'expected the cheaper model to degrade to when action is degrade' });
  }
}

const tierBudgetSchema = z
  .strictObject({
    monthlyBudgetUsd: usd,
    action,
    degradeModel: z.string().min(1).optional(),
    sessionBudgetUsd: usd.optional(),
    ...caps,
  })
  .superRefine((t, ctx) => {
    degradeNeedsModel(t, ctx);
    capsInOrder(t, ctx);
  });

const userBudgetSchema = z
  .strictObject({
    tier: z.string().min(1).optional(),
    monthlyBudgetUsd: usd.optional(),
    action: action.optional(),
    degradeModel: z.string().min(1).optional(),
    ...caps,
  })
  .superRefine(capsInOrder);

/** A budget on a total: all users of a feature, or a whole account. */
const sharedBudgetSchema = z
  .strictObject({
    monthlyBudgetUsd: usd,
    action,
    degradeModel: z.string().min(1).optional(),
    ...caps,
  })
  .superRefine((b, ctx) => {
    degradeNeedsModel(b, ctx);
    capsInOrder(b, ctx);
  });

/**
 * Budgets per tier (per user of the tier) with per-user overrides, and budgets on the total spend
 * of a feature or of a tenant (account). Every budget that applies to a call is checked.
 */
export const budgetPlanSchema = z.strictObject({
  tiers: z.record(z.string().min(1), tierBudgetSchema),
  users: z.record(z.string().min(1), userBudgetSchema).optional(),
  features: z.record(z.string().min(1), sharedBudgetSchema).optional(),
  tenants: z.record(z.string().min(1), sharedBudgetSchema).optional(),
});

/** A tier's budget, per user of the tier. */
export type TierBudget = z.infer<typeof tierBudgetSchema>;
/** A user's overrides of their tier's budget. */
export type UserBudget = z.infer<typeof userBudgetSchema>;
/** A budget on the total spend of a feature or a tenant. */
export type SharedBudget = z.infer<typeof sharedBudgetSchema>;
/** Budgets per tier, user, feature and tenant. */
export type BudgetPlan = z.infer<typeof budgetPlanSchema>;

/** Thrown for an invalid plan or option; the message names the field and the expected form. */
export class BudgetConfigError extends Error {
  override readonly name = 'BudgetConfigError';
}

/** Validates a plan; errors name the field (`tiers.free.action: expected one of …`). */
export function parseBudgetPlan(plan: unknown, origin = 'budget plan'): BudgetPlan {
  const parsed = budgetPlanSchema.safeParse(plan);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BudgetConfigError(`${origin}: ${issue.path.join('.') || '(plan)'}: ${issue.message}`);
  }
  return parsed.data;
}
