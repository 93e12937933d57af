import { toUnits } from './ledger.js';
import type { BudgetAction, BudgetPlan, SharedBudget, TierBudget, UserBudget } from './plan.js';

/** One budget as the guard applies it, amounts in units of 1e-10 USD (Infinity: no budget). */
export interface Limits {
  /** For user budgets: the tier they belong to ('' for an override that takes the call's tier). */
  tier: string;
  budgetUsd: number;
  /** Spend at which the state becomes `warning`. */
  warnUnits: number;
  /** Spend at which the action applies: the hard cap. */
  limitUnits: number;
  limitUsd: number;
  action: BudgetAction;
  degradeModel: string | undefined;
  sessionBudgetUsd: number | undefined;
  sessionLimitUnits: number;
}

/** Fields a budget may set, whatever its scope. */
type AnyBudget = Partial<Pick<TierBudget, 'monthlyBudgetUsd' | 'action' | 'degradeModel' | 'sessionBudgetUsd' | 'warnAtPct' | 'blockAtPct'>>;

const NO_LIMIT = limits('', {}, undefined, 80);

/** Applies a budget's soft and hard caps; `base` supplies what `budget` leaves out (a user's tier). */
function limits(tier: string, budget: AnyBudget, base: AnyBudget | undefined, defaultWarnPct: number): Limits {
  const budgetUsd = budget.monthlyBudgetUsd ?? base?.monthlyBudgetUsd ?? Infinity;
  const blockAtPct = budget.blockAtPct ?? base?.blockAtPct ?? 100;
  // An inherited or default warning share above the hard cap warns at the cap.
  const warnAtPct = Math.min(budget.warnAtPct ?? base?.warnAtPct ?? defaultWarnPct, blockAtPct);
  const limitUsd = (budgetUsd * blockAtPct) / 100;
  const sessionBudgetUsd = budget.sessionBudgetUsd ?? base?.sessionBudgetUsd;
  return {
    tier,
    budgetUsd,
    warnUnits: toUnits((budgetUsd * warnAtPct) / 100),
    limitUnits: toUnits(limitUsd),
    limitUsd,
    action: budget.action ?? base?.action ?? 'warn',
    degradeModel: budget.degradeModel ?? base?.degradeModel,
    sessionBudgetUsd,
    sessionLimitUnits: sessionBudgetUsd === undefined ? Infinity : toUnits(sessionBudgetUsd),
  };
}

/** A plan worked out once per load, so checks look budgets up and allocate nothing for them. */
export class PlanLimits {
  private readonly tiers = new Map<string, Limits>();
  private readonly users = new Map<string, Limits>();
  /** Overrides without a tier of their own apply over whatever tier the call names. */
  private readonly floatingUsers = new Map<string, UserBudget>();
  private readonly features = new Map<string, Limits>();
  private readonly tenants = new Map<string, Limits>();
  /** True when any feature or tenant budget exists, so checks skip those lookups otherwise. */
  readonly hasShared: boolean;

  constructor(
    private readonly plan: BudgetPlan,
    private readonly defaultWarnPct: number,
  ) {
    for (const [tier, t] of Object.entries(plan.tiers)) this.tiers.set(tier, limits(tier, t, undefined, defaultWarnPct));
    for (const [userId, u] of Object.entries(plan.users ?? {})) {
      if (u.tier === undefined) this.floatingUsers.set(userId, u);
      else this.users.set(userId, limits(u.tier, u, plan.tiers[u.tier], defaultWarnPct));
    }
    const shared = (into: Map<string, Limits>, budgets: Record<string, SharedBudget> | undefined) => {
      for (const [key, b] of Object.entries(budgets ?? {})) into.set(key, limits('', b, undefined, defaultWarnPct));
    };
    shared(this.features, plan.features);
    shared(this.tenants, plan.tenants);
    this.hasShared = this.features.size > 0 || this.tenants.size > 0;
  }

  /** The budget of a user on `tier`: their override laid over their tier's. */
  forUser(userId: string | undefined, tier: string): Limits {
    if (userId !== undefined) {
      const user = this.users.size === 0 ? undefined : this.users.get(userId);
      if (user !== undefined) return user;
      const floating = this.floatingUsers.size === 0 ? undefined : this.floatingUsers.get(userId);
      if (floating !== undefined) return limits(tier, floating, this.plan.tiers[tier], this.defaultWarnPct);
    }
    return this.tiers.get(tier) ?? (tier === '' ? NO_LIMIT : { ...NO_LIMIT, tier });
  }

  /** The budget on a feature's total spend, if any. */
  forFeature(feature: string): Limits | undefined {
    return this.features.get(feature);
  }

  /** The budget on a tenant's total spend, if any. */
  forTenant(tenantId: string): Limits | undefined {
    return this.tenants.get(tenantId);
  }
}
