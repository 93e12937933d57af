import type { SchemaOptions } from './schema.js';
import { B, BUDGET_EVENT_COLUMNS, LOCAL_SUFFIX, P, PLAN_COLUMNS, TABLES, identifier } from './tables.js';

/**
 * Statements of migration 0008: plans gain the `tenant` kind, session ceilings and soft / hard
 * caps; budget_events gain the loop state, the user / feature / tenant scopes and the feature,
 * tenant and tool of a decision. Enum values are only appended and columns added with
 * IF NOT EXISTS, so the ALTERs are metadata-only, idempotent, and no-ops on a database created
 * with these columns already.
 */
export function budgetScopesStatements(o: SchemaOptions): string[] {
  const db = identifier(o.database, 'database');
  const onCluster = o.cluster === undefined ? '' : ` ON CLUSTER '${o.cluster}'`;
  const alter = (table: string, clauses: string[]) => `ALTER TABLE ${db}.${identifier(table, 'table')}${onCluster}\n  ${clauses.join(',\n  ')}`;
  const add = (columns: Record<string, string>, names: readonly string[]) =>
    names.map((n) => `ADD COLUMN IF NOT EXISTS ${n} ${columns[n]}`);
  const modify = (columns: Record<string, string>, names: readonly string[]) => names.map((n) => `MODIFY COLUMN ${n} ${columns[n]}`);

  const plans = [...modify(PLAN_COLUMNS, [P.Kind]), ...add(PLAN_COLUMNS, [P.SessionBudgetUsd, P.WarnAtPct, P.BlockAtPct])];
  const events = [
    ...modify(BUDGET_EVENT_COLUMNS, [B.State, B.Scope]),
    ...add(BUDGET_EVENT_COLUMNS, [B.Feature, B.TenantId, B.ToolName, B.ToolCalls]),
  ];
  // plans is copied to every node; budget_events is sharded: its local table first, then the Distributed one over it.
  const eventTables = o.cluster === undefined ? [TABLES.budgetEvents] : [TABLES.budgetEvents + LOCAL_SUFFIX, TABLES.budgetEvents];
  return [alter(TABLES.plans, plans), ...eventTables.map((t) => alter(t, events))];
}
