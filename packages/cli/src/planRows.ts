import { planRow } from '@genai-cost/clickhouse';
import type { PlanRow } from '@genai-cost/clickhouse';
import type { FeaturePlan, GenAICostConfig, TenantPlan } from './config.js';

/**
 * The rows of the `plans` table for a plan file: one per tier, per user override, per feature and
 * per tenant, in file order. A user override without a tier keeps `tier` empty: the user's tier
 * then comes from their spans.
 */
export function planRows(config: GenAICostConfig): PlanRow[] {
  const rows: PlanRow[] = [];
  for (const [tier, t] of Object.entries(config.tiers)) {
    rows.push(
      planRow({
        kind: 'tier',
        key: tier,
        tier,
        monthlyPriceUsd: t.monthlyPriceUsd,
        monthlyBudgetUsd: t.monthlyBudgetUsd ?? null,
        action: t.action ?? null,
        targetMarginPct: t.targetMarginPct ?? null,
        targetAiCogsPct: t.targetAiCogsPct ?? null,
        degradeModel: t.degradeModel ?? null,
        sessionBudgetUsd: t.sessionBudgetUsd ?? null,
        ...caps(t),
      }),
    );
  }
  for (const [userId, u] of Object.entries(config.users)) {
    rows.push(
      planRow({
        kind: 'user',
        key: userId,
        tier: u.tier ?? '',
        monthlyPriceUsd: u.monthlyPriceUsd ?? null,
        monthlyBudgetUsd: u.monthlyBudgetUsd ?? null,
        action: u.action ?? null,
        degradeModel: u.degradeModel ?? null,
        ...caps(u),
      }),
    );
  }
  for (const [feature, f] of Object.entries(config.features)) {
    rows.push(planRow({ kind: 'feature', key: feature, featureRevenuePerUserUsd: f.revenuePerUserUsd ?? null, ...totalBudget(f) }));
  }
  for (const [tenant, t] of Object.entries(config.tenants)) rows.push(planRow({ kind: 'tenant', key: tenant, ...totalBudget(t) }));
  return rows;
}

function caps(b: { warnAtPct?: number | undefined; blockAtPct?: number | undefined }): Pick<PlanRow, 'warnAtPct' | 'blockAtPct'> {
  return { warnAtPct: b.warnAtPct ?? null, blockAtPct: b.blockAtPct ?? null };
}

function totalBudget(b: FeaturePlan | TenantPlan): Partial<PlanRow> {
  return { monthlyBudgetUsd: b.monthlyBudgetUsd ?? null, action: b.action ?? null, degradeModel: b.degradeModel ?? null, ...caps(b) };
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `4 tiers (free, solo, team, enterprise), 1 user override, 4 features`, and `, 2 tenants` when there are any. */
export function describePlan(rows: readonly PlanRow[]): string {
  const tiers = rows.filter((r) => r.kind === 'tier').map((r) => r.key);
  const users = rows.filter((r) => r.kind === 'user').length;
  const features = rows.filter((r) => r.kind === 'feature').length;
  const tenants = rows.filter((r) => r.kind === 'tenant').length;
  const tierList = tiers.length > 0 ? ` (${tiers.join(', ')})` : '';
  const tenantCount = tenants > 0 ? `, ${count(tenants, 'tenant', 'tenants')}` : '';
  return `${count(tiers.length, 'tier', 'tiers')}${tierList}, ${count(users, 'user override', 'user overrides')}, ${count(features, 'feature', 'features')}${tenantCount}`;
}
