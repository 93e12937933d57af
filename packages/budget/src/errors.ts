import type { BudgetDecision } from './types.js';

/** Thrown by `BudgetGuard.enforce` for a call its user's budget blocks; maps to HTTP 429. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  /** HTTP status to answer with. */
  readonly status = 429;
  readonly resetAt: Date;
  readonly limitUsd: number;
  readonly spentUsd: number;
  readonly tier: string;
  readonly scope: BudgetDecision['scope'];

  constructor(decision: BudgetDecision, tier: string) {
    super(
      decision.scope === 'session'
        ? `LLM budget of this session exceeded (${tier} tier, limit $${decision.limitUsd})`
        : `LLM budget exceeded (${tier} tier, limit $${decision.limitUsd}); resets at ${decision.resetAt.toISOString()}`,
    );
    this.resetAt = decision.resetAt;
    this.limitUsd = decision.limitUsd;
    this.spentUsd = decision.spentUsd;
    this.tier = tier;
    this.scope = decision.scope;
  }

  /** Seconds until the budget resets, for a `Retry-After` header. */
  retryAfterSeconds(nowMs: number = Date.now()): number {
    return Math.max(0, Math.ceil((this.resetAt.getTime() - nowMs) / 1000));
  }
}
