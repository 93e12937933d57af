import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ClickHouseClient } from '@clickhouse/client';
import { readPlans } from './plans.js';
import { userDailySource } from './queries/sources.js';
import { bindWindow } from './queries/window.js';
import { B, DEFAULT_DATABASE, TABLES, U, qualified } from './tables.js';

/**
 * ClickHouse ends of `BudgetGuard` (`@genai-cost/budget`): the shared period spend, the plans
 * table as a plan source, and the `budget_events` sink. They match the guard's interfaces
 * structurally, so this package does not depend on the budget package.
 */

type Action = 'block' | 'warn' | 'degrade' | 'dry-run';

/** Soft and hard caps of a budget, % of it. */
interface Caps {
  warnAtPct?: number;
  blockAtPct?: number;
}
/** A budget on a total (a feature's or a tenant's). */
type SharedBudgetFromTable = { monthlyBudgetUsd: number; action: Action; degradeModel?: string } & Caps;

/** A budget plan as `BudgetGuard` reads it. */
export interface BudgetPlanFromTable {
  tiers: Record<string, SharedBudgetFromTable & { sessionBudgetUsd?: number }>;
  users: Record<string, { tier?: string; monthlyBudgetUsd?: number; action?: Action; degradeModel?: string } & Caps>;
  features: Record<string, SharedBudgetFromTable>;
  tenants: Record<string, SharedBudgetFromTable>;
}

/** A budget decision as `BudgetGuard` hands it to its event sink. */
export interface BudgetEventRecord {
  timeMs: number;
  userId: string;
  tier: string;
  sessionId: string | undefined;
  feature?: string | undefined;
  tenantId?: string | undefined;
  state: 'warning' | 'exceeded' | 'loop';
  action: 'allow' | Action;
  scope: 'user' | 'session' | 'feature' | 'tenant';
  spentUsd: number;
  limitUsd: number;
  /** For loops: the repeated tool and how often it occurred. */
  toolName?: string | undefined;
  toolCalls?: number | undefined;
}

/** Period spend per user, feature and tenant, as `BudgetGuard`'s spend source returns it. */
export interface PeriodSpendFromTable {
  users: Map<string, number>;
  features: Map<string, number>;
  tenants: Map<string, number>;
}

/** Options shared by the budget ends. */
export interface BudgetClickHouseOptions {
  client: ClickHouseClient;
  /** Default: `genai_cost`. */
  database?: string;
}

/**
 * The spend of every user, feature and tenant since the start of the budget period, read as the
 * report reads cost (whole days from the daily rollup, the rest from raw spans), so budgets and
 * dashboards agree. One query: GROUPING SETS over the rollup's user, feature and tenant columns.
 */
export class ClickHouseSpendSource {
  private readonly client: ClickHouseClient;
  private readonly database: string;
  private readonly now: () => number;

  constructor(options: BudgetClickHouseOptions & { /** Clock, epoch ms. Default: `Date.now`. */ now?: () => number }) {
    this.client = options.client;
    this.database = options.database ?? DEFAULT_DATABASE;
    this.now = options.now ?? Date.now;
  }

  /** USD per user id, feature and tenant id from `periodStartMs` to now. */
  async periodSpend(periodStartMs: number): Promise<PeriodSpendFromTable> {
    // A minute past now, so spans stamped by a clock slightly ahead of ours still count.
    const { ctx, params } = bindWindow(this.database, { from: new Date(periodStartMs), to: new Date(this.now() + 60_000) });
    const rows = await context.with(suppressTracing(context.active()), async () => {
      const result = await this.client.query({
        // grouping() tells the sets apart: 0b011 is the user set, 0b101 the feature set, 0b110 the tenant set.
        query: `SELECT grouping(${U.UserId}, ${U.Feature}, ${U.TenantId}) AS kind, ${U.UserId} AS userId, ${U.Feature} AS feature,
  ${U.TenantId} AS tenantId, toFloat64(sum(${U.CostUsd})) AS costUsd
FROM (${userDailySource(ctx)})
GROUP BY GROUPING SETS ((${U.UserId}), (${U.Feature}), (${U.TenantId}))`,
        query_params: params,
        format: 'JSONEachRow',
      });
      return result.json<{ kind: number; userId: string; feature: string; tenantId: string; costUsd: number }>();
    });
    const spend: PeriodSpendFromTable = { users: new Map(), features: new Map(), tenants: new Map() };
    for (const r of rows) {
      const [map, key] = r.kind === 0b011 ? [spend.users, r.userId] : r.kind === 0b101 ? [spend.features, r.feature] : [spend.tenants, r.tenantId];
      if (key !== '') map.set(key, Number(r.costUsd));
    }
    return spend;
  }
}

/** The budgets of the `plans` table (loaded by `genai-cost migrate`), as a plan source for `BudgetGuard`. */
export class ClickHousePlanSource {
  private readonly client: ClickHouseClient;
  private readonly database: string;

  constructor(options: BudgetClickHouseOptions) {
    this.client = options.client;
    this.database = options.database ?? DEFAULT_DATABASE;
  }

  /** Tiers, features and tenants with a budget and an action, and every user override. */
  async load(): Promise<BudgetPlanFromTable> {
    const rows = await context.with(suppressTracing(context.active()), () => readPlans(this.client, this.database));
    const plan: BudgetPlanFromTable = { tiers: {}, users: {}, features: {}, tenants: {} };
    for (const r of rows) {
      const caps = {
        ...(r.degradeModel !== null && { degradeModel: r.degradeModel }),
        ...(r.warnAtPct !== null && { warnAtPct: Number(r.warnAtPct) }),
        ...(r.blockAtPct !== null && { blockAtPct: Number(r.blockAtPct) }),
      };
      if (r.kind === 'user') {
        plan.users[r.key] = {
          ...(r.tier !== '' && { tier: r.tier }),
          ...(r.monthlyBudgetUsd !== null && { monthlyBudgetUsd: Number(r.monthlyBudgetUsd) }),
          ...(r.action !== null && { action: r.action }),
          ...caps,
        };
        continue;
      }
      if (r.monthlyBudgetUsd === null || r.action === null) continue;
      const budget = { monthlyBudgetUsd: Number(r.monthlyBudgetUsd), action: r.action, ...caps };
      if (r.kind === 'tier') plan.tiers[r.key] = { ...budget, ...(r.sessionBudgetUsd !== null && { sessionBudgetUsd: Number(r.sessionBudgetUsd) }) };
      else if (r.kind === 'feature') plan.features[r.key] = budget;
      else plan.tenants[r.key] = budget;
    }
    return plan;
  }
}

/** Options of {@link ClickHouseBudgetEventSink}. */
export interface BudgetEventSinkOptions extends BudgetClickHouseOptions {
  /** Written to every row. Default: empty. */
  serviceName?: string;
  /** Default: 5,000. */
  flushIntervalMs?: number;
  /** Events per insert; a full batch is written at once. Default: 1,000. */
  maxBatchSize?: number;
  /** Events held while ClickHouse is unreachable; newer ones are dropped and counted. Default: 100,000. */
  maxPending?: number;
}

/**
 * Buffers budget decisions and writes them to `budget_events` in batches, off the request path.
 * A failed insert keeps its events for the next flush, within `maxPending`.
 */
export class ClickHouseBudgetEventSink {
  private readonly options: Required<Omit<BudgetEventSinkOptions, 'client'>> & { client: ClickHouseClient };
  private pending: BudgetEventRecord[] = [];
  private flushing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly counts = { written: 0, dropped: 0, failedInserts: 0 };
  private loggedFailure = false;

  constructor(options: BudgetEventSinkOptions) {
    this.options = {
      client: options.client,
      database: options.database ?? DEFAULT_DATABASE,
      serviceName: options.serviceName ?? '',
      flushIntervalMs: options.flushIntervalMs ?? 5_000,
      maxBatchSize: options.maxBatchSize ?? 1_000,
      maxPending: options.maxPending ?? 100_000,
    };
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  /** Queues one decision; never throws. */
  record(event: BudgetEventRecord): void {
    if (this.pending.length >= this.options.maxPending) {
      this.counts.dropped++;
      return;
    }
    this.pending.push(event);
    if (this.pending.length >= this.options.maxBatchSize) void this.flush();
  }

  /** Writes what is queued; resolves when done (failures are counted, not thrown). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Flushes and stops the timer. */
  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Events written, dropped for lack of room, and failed inserts so far. */
  getStats(): { written: number; dropped: number; failedInserts: number; pending: number } {
    return { ...this.counts, pending: this.pending.length };
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.options.maxBatchSize);
      try {
        await context.with(suppressTracing(context.active()), () =>
          this.options.client.insert({
            table: qualified(this.options.database, TABLES.budgetEvents),
            values: batch.map((e) => ({
              [B.Timestamp]: (e.timeMs / 1000).toFixed(3),
              [B.ServiceName]: this.options.serviceName,
              [B.UserId]: e.userId,
              [B.Tier]: e.tier,
              [B.SessionId]: e.sessionId ?? '',
              [B.State]: e.state,
              [B.Action]: e.action,
              [B.Scope]: e.scope,
              [B.SpentUsd]: e.spentUsd,
              [B.LimitUsd]: Number.isFinite(e.limitUsd) ? e.limitUsd : 0,
              [B.Feature]: e.feature ?? '',
              [B.TenantId]: e.tenantId ?? '',
              [B.ToolName]: e.toolName ?? '',
              [B.ToolCalls]: e.toolCalls ?? 0,
            })),
            format: 'JSONEachRow',
          }),
        );
        this.counts.written += batch.length;
      } catch (err) {
        this.counts.failedInserts++;
        this.pending = batch.concat(this.pending).slice(0, this.options.maxPending);
        if (!this.loggedFailure) {
          this.loggedFailure = true;
          diag.error('genai-cost: writing budget events to ClickHouse failed; they are kept for the next flush. Further failures are only counted.', err);
        }
        return;
      }
    }
  }
}
