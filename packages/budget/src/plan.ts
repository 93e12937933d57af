import { z } from 'zod';

/** What happens to a call once its user is over budget. */
export const BUDGET_ACTIONS = ['block', 'warn', 'degrade', 'dry-run'] as const;
/** One of {@link BUDGET_ACTIONS}. */
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

const usd = z.number({ error: 'expected a number of USD' }).finite().nonnegative({ error: 'expected a number of USD ≥ 0' });
const action = z.enum(BUDGET_ACTIONS, { error: `expected one of ${BUDGET_ACTIONS.join(', ')}` });

const tierBudgetSchema = z
  .strictObject({
    monthlyBudgetUsd: usd,
    action,
    degradeModel: z.string().min(1).optional(),
    sessionBudgetUsd: usd.optional(),
  })
  .refine((t) => t.action !== 'degrade' || t.degradeModel !== undefined, {
    path: ['degradeModel'],
    message: 'expected the cheaper model to degrade to when action is degrade',
  });

const userBudgetSchema = z.strictObject({
  tier: z.string().min(1).optional(),
  monthlyBudgetUsd: usd.optional(),
  action: action.optional(),
  degradeModel: z.string().min(1).optional(),
});

/** Budgets per tier and per-user overrides; user fields beat their tier's. */
export const budgetPlanSchema = z.strictObject({
  tiers: z.record(z.string().min(1), tierBudgetSchema),
  users: z.record(z.string().min(1), userBudgetSchema).optional(),
});

/** A tier's budget. */
export type TierBudget = z.infer<typeof tierBudgetSchema>;
/** A user's overrides of their tier's budget. */
export type UserBudget = z.infer<typeof userBudgetSchema>;
/** Budgets per tier and per-user overrides. */
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
