import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { ClickHouseConfigError, describeIssue } from './errors.js';
import { P, PLAN_ACTIONS, TABLES, qualified } from './tables.js';

/** One row of the plans table: a tier's plan, a per-user override, a feature's revenue share and budget, or a tenant's budget. */
export interface PlanRow {
  kind: 'tier' | 'user' | 'feature' | 'tenant';
  /** Tier name, user id, feature name or tenant id. */
  key: string;
  /** For kind `user`: the user's tier from the plan file, '' when unset (the report takes tiers from spans); otherwise informational. */
  tier: string;
  /** USD per user per month; a user's beats their tier's. */
  monthlyPriceUsd: number | null;
  /** LLM budget per month, USD: per user for tiers and users, in total for features and tenants. */
  monthlyBudgetUsd: number | null;
  /** What the budget guard does when the budget is exceeded. */
  action: 'block' | 'warn' | 'degrade' | 'dry-run' | null;
  /** Gross margin the tier should keep, %. */
  targetMarginPct: number | null;
  /** Model to switch to when `action` is `degrade`. */
  degradeModel: string | null;
  /** For kind `feature`: monthly revenue per user the plan attributes to the feature, USD. */
  featureRevenuePerUserUsd: number | null;
  /** For kind `tier`: the ceiling of one session, USD. Omitted: null. */
  sessionBudgetUsd?: number | null;
  /** Soft cap: share of the budget (%) at which the budget guard warns. Omitted: null (80 %). */
  warnAtPct?: number | null;
  /** Hard cap: share of the budget (%) at which the action applies. Omitted: null (100 %). */
  blockAtPct?: number | null;
  /** For kind `tier`: the AI COGS % (LLM cost / revenue) the tier should stay under. Omitted: null (the default, 8 %). */
  targetAiCogsPct?: number | null;
}

/** A plan row with every field it does not name empty (null, or '' for `tier`). */
export function planRow(fields: Pick<PlanRow, 'kind' | 'key'> & Partial<PlanRow>): PlanRow {
  return {
    tier: '',
    monthlyPriceUsd: null,
    monthlyBudgetUsd: null,
    action: null,
    targetMarginPct: null,
    degradeModel: null,
    featureRevenuePerUserUsd: null,
    sessionBudgetUsd: null,
    warnAtPct: null,
    blockAtPct: null,
    targetAiCogsPct: null,
    ...fields,
  };
}

const usd = z.number().finite().nonnegative('expected a non-negative USD amount').nullable();
const pct = z.number().finite().positive('expected a percentage of the budget > 0').nullable().default(null);
const rowSchema = z.strictObject({
  kind: z.enum(['tier', 'user', 'feature', 'tenant']),
  key: z.string().min(1, 'expected a non-empty tier name, user id, feature name or tenant id'),
  tier: z.string(),
  monthlyPriceUsd: usd,
  monthlyBudgetUsd: usd,
  action: z.enum(PLAN_ACTIONS).nullable(),
  targetMarginPct: z.number().finite().max(100, 'expected a percentage up to 100').nullable(),
  degradeModel: z.string().min(1).nullable(),
  featureRevenuePerUserUsd: usd,
  sessionBudgetUsd: usd.default(null),
  warnAtPct: pct,
  blockAtPct: pct,
  targetAiCogsPct: z.number().finite().min(0, 'expected a percentage from 0 to 100').max(100, 'expected a percentage from 0 to 100').nullable().default(null),
});
const rowsSchema = z.array(rowSchema).superRefine((rows, ctx) => {
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const id = `${r.kind}:${r.key}`;
    if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `expected one row per kind and key, "${id}" repeats` });
    seen.add(id);
  });
});

/**
 * Replaces every plan row. All rows go in one insert under a new Version (plus a `meta` row, so an
 * empty replacement also takes effect), and readers use only the newest Version: a reader sees the
 * old set or the new one, never a mix. ReplacingMergeTree(Version) merges older versions of a key
 * away; rows of keys no longer present stay but are never read. Safe for one writer at a time.
 */
export async function replacePlans(client: ClickHouseClient, database: string, rows: PlanRow[]): Promise<void> {
  const parsed = rowsSchema.safeParse(rows);
  if (!parsed.success) throw new ClickHouseConfigError(`plan row ${describeIssue(parsed.error)}`);
  const table = qualified(database, TABLES.plans);
  const latest = await client.query({ query: `SELECT max(${P.Version}) AS v FROM ${table}`, format: 'JSONEachRow' });
  const [current] = await latest.json<{ v: string | number }>();
  const version = Math.max(Date.now(), Number(current?.v ?? 0) + 1);
  const meta = { ...planRow({ kind: 'tier', key: '' }), kind: 'meta' };
  await client.insert({
    table,
    values: [meta, ...parsed.data].map((r) => ({
      [P.Version]: version,
      [P.Kind]: r.kind,
      [P.Key]: r.key,
      [P.Tier]: r.tier,
      [P.MonthlyPriceUsd]: r.monthlyPriceUsd,
      [P.MonthlyBudgetUsd]: r.monthlyBudgetUsd,
      [P.Action]: r.action,
      [P.TargetMarginPct]: r.targetMarginPct,
      [P.DegradeModel]: r.degradeModel,
      [P.FeatureRevenuePerUserUsd]: r.featureRevenuePerUserUsd,
      [P.SessionBudgetUsd]: r.sessionBudgetUsd,
      [P.WarnAtPct]: r.warnAtPct,
      [P.BlockAtPct]: r.blockAtPct,
      [P.TargetAiCogsPct]: r.targetAiCogsPct,
    })),
    format: 'JSONEachRow',
  });
}

/** SQL selecting the current plan rows (columns as in the table), for queries that join plans. */
export function currentPlansSql(database: string): string {
  const table = qualified(database, TABLES.plans);
  return `SELECT * FROM ${table} WHERE ${P.Version} = (SELECT max(${P.Version}) FROM ${table}) AND ${P.Kind} != 'meta'`;
}

/** The current plan rows, ordered by kind and key. */
export async function readPlans(client: ClickHouseClient, database: string): Promise<Required<PlanRow>[]> {
  const result = await client.query({
    query: `SELECT ${P.Kind} AS kind, ${P.Key} AS key, ${P.Tier} AS tier, ${P.MonthlyPriceUsd} AS monthlyPriceUsd,
      ${P.MonthlyBudgetUsd} AS monthlyBudgetUsd, ${P.Action} AS action, ${P.TargetMarginPct} AS targetMarginPct,
      ${P.DegradeModel} AS degradeModel, ${P.FeatureRevenuePerUserUsd} AS featureRevenuePerUserUsd,
      ${P.SessionBudgetUsd} AS sessionBudgetUsd, ${P.WarnAtPct} AS warnAtPct, ${P.BlockAtPct} AS blockAtPct,
      ${P.TargetAiCogsPct} AS targetAiCogsPct
      FROM (${currentPlansSql(database)}) ORDER BY ${P.Kind}, ${P.Key}`,
    format: 'JSONEachRow',
  });
  return result.json<Required<PlanRow>>();
}
