import type { BudgetDecision, BudgetScope } from './types.js';

/** Thrown by `BudgetGuard.enforce` for a call a budget blocks; maps to HTTP 429. */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  /** HTTP status to answer with. */
  readonly status = 429;
  readonly resetAt: Date;
  readonly limitUsd: number;
  readonly budgetUsd: number;
  readonly spentUsd: number;
  readonly tier: string;
  /** Which budget blocked: the user's (or tier's), the session's, the feature's or the tenant's. */
  readonly scope: BudgetScope;

  constructor(decision: BudgetDecision, tier: string) {
    super(
      decision.scope === 'session'
        ? `LLM budget of this session exceeded (${tier} tier, limit $${decision.limitUsd})`
        : `LLM budget ${decision.scope === 'user' ? '' : `of this ${decision.scope} `}exceeded (${tier} tier, limit $${decision.limitUsd}); resets at ${decision.resetAt.toISOString()}`,
    );
    this.resetAt = decision.resetAt;
    this.limitUsd = decision.limitUsd;
    this.budgetUsd = decision.budgetUsd;
    this.spentUsd = decision.spentUsd;
    this.tier = tier;
    this.scope = decision.scope;
  }

  /** Seconds until the budget resets, for a `Retry-After` header. */
  retryAfterSeconds(nowMs: number = Date.now()): number {
    return Math.max(0, Math.ceil((this.resetAt.getTime() - nowMs) / 1000));
  }
}

/** Thrown by `BudgetGuard.enforce` before a model call of a session that keeps repeating a tool call; maps to HTTP 429. */
export class LoopDetectedError extends Error {
  override readonly name = 'LoopDetectedError';
  /** HTTP status to answer with. */
  readonly status = 429;
  /** `gen_ai.tool.name` of the repeated call. */
  readonly toolName: string;
  /** How often the same call occurred in the last `withinSteps` steps. */
  readonly count: number;
  readonly sessionId: string;

  constructor(toolName: string, count: number, withinSteps: number, sessionId: string) {
    super(`Agent loop stopped: tool "${toolName}" called ${count} times with the same arguments in the last ${withinSteps} steps of session ${sessionId}`);
    this.toolName = toolName;
    this.count = count;
    this.sessionId = sessionId;
  }
}
