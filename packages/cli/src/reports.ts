import type { ClickHouseClient } from '@clickhouse/client';
import {
  costSkew,
  incompleteUsage,
  reportByAccount,
  reportByCohort,
  reportByFeature,
  reportByModel,
  reportBySession,
  reportByTag,
  reportByTier,
  reportByUser,
  reportByWeek,
  unpricedSpans,
} from '@genai-cost/clickhouse';
import type { AccountRow, CohortRow, FeatureRow, ModelRow, SessionRow, TagRow, TierRow, UserRow, WeekRow } from '@genai-cost/clickhouse';
import type { ReportKind, TimeWindow } from './args.js';
import { escapeControls, formatCount, formatInt, formatPct } from './format.js';
import type { Column } from './render.js';

/** A report: its title, its table columns (every field of its rows) and how to run it. */
export interface ReportDefinition {
  title: string;
  columns: readonly Column[];
  run(client: ClickHouseClient, database: string, window: TimeWindow, limit: number | undefined): Promise<readonly object[]>;
}

/** A column of rows of type R: its key must be one of R's fields. */
interface ColumnOf<R> extends Column {
  key: keyof R & string;
}

/** Defines a report whose columns are checked against the fields of the rows its runner returns. */
function report<R extends object>(
  title: string,
  columns: readonly ColumnOf<R>[],
  run: (client: ClickHouseClient, database: string, window: TimeWindow, limit: number | undefined) => Promise<R[]>,
): ReportDefinition {
  return { title, columns, run };
}

const col = <R>(key: keyof R & string, header: string, kind: Column['kind']): ColumnOf<R> => ({ key, header, kind });

/** Top N of an already ordered report, for the runners that return every row. */
const top = <T>(rows: T[], limit: number | undefined): T[] => (limit === undefined ? rows : rows.slice(0, limit));

/** The report behind each `--by`. */
export const REPORTS: Record<ReportKind, ReportDefinition> = {
  tier: report<TierRow>(
    'Gross margin per tier',
    [
      col<TierRow>('tier', 'Tier', 'text'),
      col<TierRow>('activeUsers', 'Active users', 'int'),
      col<TierRow>('revenueUsd', 'Revenue', 'usd'),
      col<TierRow>('costUsd', 'LLM cost', 'usd'),
      col<TierRow>('grossMarginUsd', 'Gross margin', 'usd'),
      col<TierRow>('grossMarginPct', 'Margin %', 'pct'),
      col<TierRow>('costPerUserUsd', 'Cost/user', 'usd'),
      col<TierRow>('aiCogsPct', 'AI COGS %', 'pct'),
      col<TierRow>('monthlyBudgetUsd', 'Budget/user', 'usd'),
      col<TierRow>('avgBudgetUsedPct', 'Avg budget used', 'pct'),
    ],
    async (client, db, window, limit) => top(await reportByTier(client, db, window), limit),
  ),
  user: report<UserRow>(
    'Most expensive users',
    [
      col<UserRow>('userId', 'User', 'text'),
      col<UserRow>('tier', 'Tier', 'text'),
      col<UserRow>('costUsd', 'LLM cost', 'usd'),
      col<UserRow>('calls', 'Calls', 'int'),
      col<UserRow>('revenueUsd', 'Revenue', 'usd'),
      col<UserRow>('grossMarginUsd', 'Gross margin', 'usd'),
      col<UserRow>('multipleOfTierMedian', '× tier median', 'multiple'),
    ],
    (client, db, window, limit) => reportByUser(client, db, { ...window, ...(limit === undefined ? {} : { limit }) }),
  ),
  feature: report<FeatureRow>(
    'Cost per feature',
    [
      col<FeatureRow>('feature', 'Feature', 'text'),
      col<FeatureRow>('calls', 'Calls', 'int'),
      col<FeatureRow>('activeUsers', 'Active users', 'int'),
      col<FeatureRow>('costUsd', 'LLM cost', 'usd'),
      col<FeatureRow>('avgCostPerCallUsd', 'Cost/call', 'usd'),
      col<FeatureRow>('costPerUserUsd', 'Cost/user', 'usd'),
      col<FeatureRow>('ctrPct', 'CTR %', 'pct'),
    ],
    async (client, db, window, limit) => top(await reportByFeature(client, db, window), limit),
  ),
  model: report<ModelRow>(
    'Usage and cost per model',
    [
      col<ModelRow>('provider', 'Provider', 'text'),
      col<ModelRow>('model', 'Model', 'text'),
      col<ModelRow>('calls', 'Calls', 'int'),
      col<ModelRow>('inputTokens', 'Input tokens', 'int'),
      col<ModelRow>('outputTokens', 'Output tokens', 'int'),
      col<ModelRow>('cacheReadTokens', 'Cache-read tokens', 'int'),
      col<ModelRow>('costUsd', 'LLM cost', 'usd'),
      col<ModelRow>('unpricedCalls', 'Unpriced calls', 'int'),
    ],
    async (client, db, window, limit) => top(await reportByModel(client, db, window), limit),
  ),
  session: report<SessionRow>(
    'Session cost per feature and tier',
    [
      col<SessionRow>('feature', 'Feature', 'text'),
      col<SessionRow>('tier', 'Tier', 'text'),
      col<SessionRow>('sessions', 'Sessions', 'int'),
      col<SessionRow>('p50Usd', 'P50', 'usd'),
      col<SessionRow>('p95Usd', 'P95', 'usd'),
      col<SessionRow>('p99Usd', 'P99', 'usd'),
    ],
    async (client, db, window, limit) => top(await reportBySession(client, db, window), limit),
  ),
  account: report<AccountRow>(
    'Account-level cost (spans with an account and no user)',
    [
      col<AccountRow>('tenantId', 'Account', 'text'),
      col<AccountRow>('tier', 'Tier', 'text'),
      col<AccountRow>('costUsd', 'LLM cost', 'usd'),
      col<AccountRow>('calls', 'Calls', 'int'),
    ],
    async (client, db, window, limit) => top(await reportByAccount(client, db, window), limit),
  ),
  cohort: report<CohortRow>(
    'Cost per signup cohort of the users imported from billing (— = not imported)',
    [
      col<CohortRow>('signupMonth', 'Signup month', 'text'),
      col<CohortRow>('tier', 'Tier', 'text'),
      col<CohortRow>('users', 'Users', 'int'),
      col<CohortRow>('activeUsers', 'Active', 'int'),
      col<CohortRow>('revenueUsd', 'Revenue', 'usd'),
      col<CohortRow>('costUsd', 'LLM cost', 'usd'),
      col<CohortRow>('medianCostPerUserUsd', 'Median/user', 'usd'),
      col<CohortRow>('p95CostPerUserUsd', 'P95/user', 'usd'),
      col<CohortRow>('grossMarginUsd', 'Gross margin', 'usd'),
      col<CohortRow>('grossMarginPct', 'Margin %', 'pct'),
    ],
    async (client, db, window, limit) => top(await reportByCohort(client, db, window), limit),
  ),
  week: report<WeekRow>(
    'Margin per tier per UTC week (from Monday; Days = the part of the week in the window)',
    [
      col<WeekRow>('week', 'Week', 'text'),
      col<WeekRow>('tier', 'Tier', 'text'),
      col<WeekRow>('weekDays', 'Days', 'text'),
      col<WeekRow>('activeUsers', 'Active users', 'int'),
      col<WeekRow>('revenueUsd', 'Revenue', 'usd'),
      col<WeekRow>('costUsd', 'LLM cost', 'usd'),
      col<WeekRow>('grossMarginUsd', 'Gross margin', 'usd'),
      col<WeekRow>('grossMarginPct', 'Margin %', 'pct'),
      col<WeekRow>('costPerUserUsd', 'Cost/user', 'usd'),
      col<WeekRow>('aiCogsPct', 'AI COGS %', 'pct'),
    ],
    async (client, db, window, limit) => top(await reportByWeek(client, db, window), limit),
  ),
};

/** The report behind `--by tag:KEY`. */
export function tagReport(tagKey: string): ReportDefinition {
  return report<TagRow>(
    `Cost per value of tag ${tagKey} (spans with saas.tag.${tagKey}; spans without it are in no row)`,
    [
      col<TagRow>('tagValue', tagKey, 'text'),
      col<TagRow>('calls', 'Calls', 'int'),
      col<TagRow>('activeUsers', 'Users', 'int'),
      col<TagRow>('costUsd', 'LLM cost', 'usd'),
      col<TagRow>('avgCostPerCallUsd', 'Cost/call', 'usd'),
      col<TagRow>('costPerUserUsd', 'Cost/user', 'usd'),
      col<TagRow>('costSharePct', 'Share', 'pct'),
      col<TagRow>('unpricedCalls', 'Unpriced calls', 'int'),
    ],
    async (client, db, window, limit) => top(await reportByTag(client, db, { ...window, tagKey }), limit),
  );
}

/** The lines under a table: how concentrated cost is, and how many model calls have no price. */
export async function reportFooter(client: ClickHouseClient, database: string, window: TimeWindow): Promise<string> {
  const [skew, unpriced, incomplete] = await Promise.all([
    costSkew(client, database, window),
    unpricedSpans(client, database, window),
    incompleteUsage(client, database, window),
  ]);
  const share = (fraction: number | null): string => formatPct(fraction === null ? null : fraction * 100);
  const lines = [
    skew.users === 0
      ? 'Cost skew: no user cost in this window'
      : `Cost skew: the top 5% of users caused ${share(skew.top5PctShare)} of user cost, the top 10% ${share(skew.top10PctShare)}, the top 20% ${share(skew.top20PctShare)} (${formatCount(skew.users, 'user', 'users')})`,
  ];
  const total = unpriced.reduce((n, r) => n + r.spans, 0);
  if (total === 0) {
    lines.push('Unpriced spans: 0');
  } else {
    const worst = unpriced
      .slice(0, 3)
      .map((r) => `${r.model === '' ? '(no model)' : escapeControls(r.model)} ${r.reason} ×${formatInt(r.spans)}`)
      .join(', ');
    lines.push(`Unpriced spans: ${formatInt(total)} (${worst}${unpriced.length > 3 ? ', …' : ''}); their cost is missing above.`);
    lines.push(
      '  Hint: give these models a price (GenAICostSpanProcessor option "prices" or "priceFile"; for the demo, "prices:" in genai-cost.config.yaml) so new spans are priced.',
    );
  }
  if (incomplete.length > 0) {
    const which = incomplete.map((r) => `${r.scope || '(no scope)'} ${r.detail} ×${formatInt(r.calls)}`).join(', ');
    lines.push(`Incomplete usage: ${formatInt(incomplete.reduce((n, r) => n + r.calls, 0))} priced calls (${which}); their instrumentation drops a detail that changes the price, see "Supported instrumentations" in the README.`);
  }
  return `${lines.join('\n')}\n`;
}
