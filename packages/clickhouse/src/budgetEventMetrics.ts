import type { MetricDefinition } from './coreMetrics.js';
import type { MetricSqlContext } from './queries/context.js';
import { B, TABLES, qualified } from './tables.js';

/**
 * What the budget guard decided, from `budget_events` (one row per decision other than ok). The
 * table has tiers, features and services but no models or tags: filters may name Tier, Feature
 * and ServiceName only, and a tag filter does not apply.
 */

/** The window's events, filtered. */
const events = (ctx: MetricSqlContext) =>
  `FROM ${qualified(ctx.database, TABLES.budgetEvents)}
WHERE ${[ctx.timeFilter, ...(ctx.filters ?? [])].map((c) => `(${c})`).join(' AND ')}`;

/** The counts of every decision table: blocks (loops stopped included), warnings, degrades, dry-run would-blocks. */
const counts = `countIf(${B.Action} = 'block') AS blocks,
  countIf(${B.State} = 'warning' OR ${B.Action} = 'warn') AS warnings,
  countIf(${B.Action} = 'degrade') AS degrades,
  countIf(${B.Action} = 'dry-run' AND ${B.State} = 'exceeded') AS dryRunWouldBlock`;

/** See its description. */
export const budgetDecisions: MetricDefinition = {
  id: 'budget_decisions',
  description:
    'Budget decisions other than ok from budget_events per tier: blocks, warnings, degrades and dry-run would-blocks (filters may name only Tier, Feature and ServiceName)',
  sql: (ctx) => `SELECT ${B.Tier} AS tier,
  ${counts},
  count() AS decisions
${events(ctx)}
GROUP BY ${B.Tier}
ORDER BY decisions DESC, tier`,
};

/** See its description. */
export const budgetDecisionsByScope: MetricDefinition = {
  id: 'budget_decisions_by_scope',
  description:
    "Budget decisions other than ok per budget that decided (a user's or their tier's, a session's, a feature's, a tenant's): blocks, warnings, degrades, dry-run would-blocks and loops (session scope)",
  sql: (ctx) => `SELECT if(${B.Scope} = 'period', 'user', toString(${B.Scope})) AS budget,
  ${counts},
  countIf(${B.State} = 'loop') AS loops,
  count() AS decisions
${events(ctx)}
GROUP BY budget
ORDER BY decisions DESC, budget`,
};

/** See its description. */
export const loopsStopped: MetricDefinition = {
  id: 'loops_stopped',
  description:
    'Agent loops the loop guard found, per tier and repeated tool: sessions, loop decisions, those that blocked the next model call, and the most repeats of the tool seen in a session',
  sql: (ctx) => `SELECT ${B.Tier} AS tier, ${B.ToolName} AS toolName, uniqExact(${B.SessionId}) AS sessions, count() AS decisions,
  countIf(${B.Action} = 'block') AS blocks, max(${B.ToolCalls}) AS maxToolCalls
${events(ctx)} AND ${B.State} = 'loop'
GROUP BY ${B.Tier}, ${B.ToolName}
ORDER BY sessions DESC, tier, toolName`,
};

/** See its description. */
export const loopSessionsByTool: MetricDefinition = {
  id: 'alert_loop_sessions',
  description: 'Per tier and repeated tool: the sessions the loop guard found looping in the window',
  sql: (ctx) => `SELECT tier, toolName AS tool, sessions FROM (${loopsStopped.sql(ctx)}) ORDER BY tier, tool`,
};
