import type { Attributes } from '@opentelemetry/api';
import type { BudgetDecision, BudgetEvent, BudgetSubject } from './types.js';

/** Name of the span event added to the active span for every decision other than ok. */
export const SPAN_EVENT = 'genai_cost.budget';

/** The record of a decision other than ok, for the event sink. */
export function budgetEvent(timeMs: number, subject: BudgetSubject, tier: string, d: BudgetDecision): BudgetEvent {
  return {
    timeMs,
    userId: subject.userId ?? '',
    tier: tier || subject.tier,
    sessionId: subject.sessionId,
    feature: subject.feature,
    tenantId: subject.tenantId,
    state: d.state as BudgetEvent['state'],
    action: d.action,
    scope: d.scope,
    spentUsd: d.spentUsd,
    limitUsd: d.limitUsd,
    toolName: d.loop?.toolName,
    toolCalls: d.loop?.count ?? 0,
  };
}

/** Attributes of the span event; a loop adds the tool (`gen_ai.tool.name`) and how often it repeated. */
export function spanEventAttributes(e: BudgetEvent): Attributes {
  const attributes: Attributes = {
    'genai_cost.budget.state': e.state,
    'genai_cost.budget.action': e.action,
    'genai_cost.budget.scope': e.scope,
    'genai_cost.budget.spent_usd': e.spentUsd,
    'genai_cost.budget.limit_usd': e.limitUsd,
  };
  if (e.toolName !== undefined) {
    attributes['gen_ai.tool.name'] = e.toolName;
    attributes['genai_cost.loop.count'] = e.toolCalls;
  }
  return attributes;
}
