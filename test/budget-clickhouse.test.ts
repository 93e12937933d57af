import { context, SpanKind } from '@opentelemetry/api';
import type { Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetGuard } from '@genai-cost/budget';
import type { BudgetPlan } from '@genai-cost/budget';
import {
  ClickHouseBudgetEventSink,
  ClickHousePlanSource,
  ClickHouseSpanExporter,
  ClickHouseSpendSource,
  planRow,
  replacePlans,
} from '@genai-cost/clickhouse';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';
import { PriceCatalog } from '@genai-cost/pricing';
import { TestChdb } from '../packages/clickhouse/src/test-support/chdb.js';

/** $1 per million input tokens: a call with 100,000 input tokens costs exactly $0.10. */
const CATALOG = PriceCatalog.empty().withPrices([{ provider: 'openai', model: 'flat-model', input: 1, output: 0 }]);
const CALL_USD = 0.1;
const LIMIT_USD = 1;
const FREE: BudgetPlan = { tiers: { free: { monthlyBudgetUsd: LIMIT_USD, action: 'block' } } };

let ch: TestChdb;
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  ch = new TestChdb();
});
afterAll(async () => ch.close());

/** One LLM call of $0.10 (100,000 input tokens of flat-model), as an instrumentation would record it. */
function llmCall(tracer: Tracer): void {
  tracer
    .startSpan('chat flat-model', {
      kind: SpanKind.CLIENT,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'flat-model', 'gen_ai.usage.input_tokens': 100_000, 'gen_ai.usage.output_tokens': 0 },
    })
    .end();
}

/** One app instance: its own guard, fed by its own processor, exporting to the shared ClickHouse. */
function instance(database: string, spendSource?: ClickHouseSpendSource, plan: BudgetPlan = FREE) {
  const guard = new BudgetGuard({ plan, spendSource });
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new GenAICostSpanProcessor({ catalog: CATALOG, onSpanCost: guard.spanCostListener() }),
      new SimpleSpanProcessor(new ClickHouseSpanExporter({ client: ch.client, database })),
    ],
  });
  const tracer = provider.getTracer('app');
  return {
    guard,
    /** Checks the budget and, if allowed, makes one LLM call; answers whether it was allowed. */
    async call(userId: string): Promise<boolean> {
      if (guard.check({ userId, tier: 'free' }).action === 'block') return false;
      withAttribution({ userId, tier: 'free' }, () => llmCall(tracer));
      await provider.forceFlush();
      return true;
    },
    /** `n` LLM calls by `userId` of `tenantId` in `feature`, unchecked. */
    async calls(n: number, userId: string, tenantId: string, feature: string): Promise<void> {
      for (let i = 0; i < n; i++) withAttribution({ userId, tier: 'team', tenantId, feature }, () => llmCall(tracer));
      await provider.forceFlush();
    },
  };
}

/** Two instances serve one user in turn, refreshing from ClickHouse every `refreshEvery` rounds, until both block. */
async function spendUntilBlocked(database: string, withSource: boolean, refreshEvery: number): Promise<number> {
  const source = withSource ? new ClickHouseSpendSource({ client: ch.client, database }) : undefined;
  const instances = [instance(database, source), instance(database, source)];
  let allowed = 0;
  for (let round = 1; round <= 100; round++) {
    const results = await Promise.all(instances.map((i) => i.call('u1')));
    allowed += results.filter(Boolean).length;
    if (!results.some(Boolean)) break;
    if (round % refreshEvery === 0) await Promise.all(instances.map((i) => i.guard.refresh()));
  }
  return allowed * CALL_USD;
}

describe('two BudgetGuards over one ClickHouse', () => {
  it('stop a user within the documented overshoot', async () => {
    const database = await ch.database();
    const refreshEvery = 3;
    const started = Date.now();
    const spent = await spendUntilBlocked(database, true, refreshEvery);
    console.log(`two guards: $${spent.toFixed(2)} spent against a $${LIMIT_USD} limit in ${Date.now() - started} ms`);
    // Documented bound: what the other instance admits in one refresh interval, plus one call
    // admitted per instance before the spend that crosses the limit is known.
    const bound = 1 * refreshEvery * CALL_USD + 2 * CALL_USD;
    expect(spent).toBeGreaterThanOrEqual(LIMIT_USD);
    expect(spent).toBeLessThanOrEqual(LIMIT_USD + bound + 1e-9);
    const stored = await ch.rows<{ cost: number }>(`SELECT toFloat64(sum(CostUsd)) AS cost FROM ${database}.genai_spans`);
    expect(stored[0]!.cost).toBeCloseTo(spent, 9);
  });

  it('would each let the user spend a whole budget without the shared spend source', async () => {
    const spent = await spendUntilBlocked(await ch.database(), false, 3);
    expect(spent).toBeCloseTo(2 * LIMIT_USD, 9);
  });
});

describe('BudgetGuard on the plans table and budget_events', () => {
  it('reloads limits from the plans table and records decisions per tier and action', async () => {
    const database = await ch.database();
    await replacePlans(ch.client, database, [
      planRow({ kind: 'tier', key: 'free', monthlyPriceUsd: 0, monthlyBudgetUsd: 5, action: 'block' }),
      planRow({ kind: 'tier', key: 'enterprise', monthlyPriceUsd: 199, monthlyBudgetUsd: 500, action: 'dry-run' }),
      planRow({ kind: 'tier', key: 'team', monthlyPriceUsd: 49, monthlyBudgetUsd: 20, action: 'degrade', degradeModel: 'gpt-4.1-mini' }),
      planRow({ kind: 'user', key: 'user_99', tier: 'free', monthlyBudgetUsd: 0.5, action: 'block' }),
    ]);
    const sink = new ClickHouseBudgetEventSink({ client: ch.client, database, serviceName: 'api' });
    const guard = new BudgetGuard({ planSource: new ClickHousePlanSource({ client: ch.client, database }), eventSink: sink });
    await guard.start();
    const now = Date.now();
    guard.record('user_99', 'free', 0.5, now);
    guard.record('e1', 'enterprise', 600, now);
    guard.record('t1', 'team', 21, now);
    guard.record('f1', 'free', 4.2, now);

    expect(guard.check({ userId: 'user_99', tier: 'free' }).action).toBe('block');
    expect(guard.check({ userId: 'e1', tier: 'enterprise' }).action).toBe('dry-run');
    expect(guard.check({ userId: 't1', tier: 'team' })).toMatchObject({ action: 'degrade', model: 'gpt-4.1-mini' });
    expect(guard.check({ userId: 'f1', tier: 'free' })).toMatchObject({ state: 'warning', action: 'allow' });
    await sink.shutdown();
    await guard.stop();

    const counts = await ch.rows<{ tier: string; action: string; state: string; n: string }>(
      `SELECT Tier AS tier, toString(Action) AS action, toString(State) AS state, count() AS n FROM ${database}.budget_events GROUP BY tier, action, state ORDER BY tier, action`,
    );
    expect(counts.map((c) => [c.tier, c.action, c.state, Number(c.n)])).toEqual([
      ['enterprise', 'dry-run', 'exceeded', 1],
      ['free', 'allow', 'warning', 1],
      ['free', 'block', 'exceeded', 1],
      ['team', 'degrade', 'exceeded', 1],
    ]);
    expect(sink.getStats()).toMatchObject({ written: 4, dropped: 0, failedInserts: 0 });
  });
});

/** Budgets on totals: the summarizer may cost $1.00 in all, account acme $0.80. */
const SHARED: BudgetPlan = {
  tiers: { team: { monthlyBudgetUsd: 100, action: 'warn' } },
  features: { summarizer: { monthlyBudgetUsd: 1, action: 'block' } },
  tenants: { acme: { monthlyBudgetUsd: 0.8, action: 'block' } },
};

describe('feature and tenant budgets over one ClickHouse', () => {
  it('share feature and tenant spend across two guards', async () => {
    const database = await ch.database();
    const source = new ClickHouseSpendSource({ client: ch.client, database });
    const a = instance(database, source, SHARED);
    const b = instance(database, source, SHARED);
    await a.calls(6, 'u1', 'acme', 'summarizer'); //   $0.60 on A: summarizer $0.60, acme $0.60
    await b.calls(4, 'u2', 'globex', 'summarizer'); // $0.40 on B: summarizer $0.40, globex $0.40
    await b.calls(2, 'u3', 'acme', 'chat'); //          $0.20 on B: chat $0.20, acme $0.20

    // Each instance alone sees less than either budget.
    expect(a.guard.check({ userId: 'u9', tier: 'team', feature: 'summarizer', tenantId: 'acme' })).toMatchObject({ action: 'allow', state: 'ok' });
    expect(b.guard.check({ userId: 'u9', tier: 'team', feature: 'summarizer', tenantId: 'acme' })).toMatchObject({ action: 'allow', state: 'ok' });

    await Promise.all([a.guard.refresh(), b.guard.refresh()]);
    // In all: summarizer $0.60 + $0.40 = $1.00 of $1.00; acme $0.60 + $0.20 = $0.80 of $0.80; globex $0.40.
    const resetAt = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1)).toISOString();
    for (const guard of [a.guard, b.guard]) {
      const feature = guard.check({ userId: 'new-user', tier: 'team', feature: 'summarizer', tenantId: 'globex' });
      expect(feature).toMatchObject({ scope: 'feature', action: 'block', spentUsd: 1, limitUsd: 1 });
      expect(feature.resetAt.toISOString()).toBe(resetAt);
      expect(guard.check({ userId: 'u3', tier: 'team', feature: 'chat', tenantId: 'acme' })).toMatchObject({ scope: 'tenant', action: 'block', spentUsd: 0.8 });
      expect(guard.check({ userId: 'u2', tier: 'team', feature: 'chat', tenantId: 'globex' })).toMatchObject({ action: 'allow', scope: 'user', spentUsd: 0.4 });
    }
  });
});

describe('budget scopes in the plans table and budget_events', () => {
  it('loads feature and tenant budgets, caps and session ceilings, and records loops and scopes', async () => {
    const database = await ch.database();
    await replacePlans(ch.client, database, [
      planRow({ kind: 'tier', key: 'pro', monthlyPriceUsd: 49, monthlyBudgetUsd: 20, action: 'block', warnAtPct: 75, blockAtPct: 150, sessionBudgetUsd: 2 }),
      planRow({ kind: 'feature', key: 'summarizer', featureRevenuePerUserUsd: 4, monthlyBudgetUsd: 500, action: 'block' }),
      planRow({ kind: 'feature', key: 'chat', featureRevenuePerUserUsd: 8 }),
      planRow({ kind: 'tenant', key: 'acme', monthlyBudgetUsd: 200, action: 'degrade', degradeModel: 'gpt-4.1-mini' }),
    ]);
    const source = new ClickHousePlanSource({ client: ch.client, database });
    expect(await source.load()).toEqual({
      tiers: { pro: { monthlyBudgetUsd: 20, action: 'block', warnAtPct: 75, blockAtPct: 150, sessionBudgetUsd: 2 } },
      users: {},
      features: { summarizer: { monthlyBudgetUsd: 500, action: 'block' } },
      tenants: { acme: { monthlyBudgetUsd: 200, action: 'degrade', degradeModel: 'gpt-4.1-mini' } },
    });

    const sink = new ClickHouseBudgetEventSink({ client: ch.client, database, serviceName: 'api' });
    const guard = new BudgetGuard({ planSource: source, eventSink: sink });
    await guard.start();
    const now = Date.now();
    guard.recordSpend({ attribution: { userId: 'p1', tier: 'pro' }, costUsd: 25, startTimeMs: now });
    guard.recordSpend({ attribution: { userId: 'p2', tier: 'pro', feature: 'summarizer' }, costUsd: 500, startTimeMs: now });
    guard.recordSpend({ attribution: { tier: 'pro', tenantId: 'acme' }, costUsd: 200, startTimeMs: now });
    for (let i = 0; i < 3; i++) guard.recordToolCall({ sessionId: 's1', userId: 'p3', tier: 'pro', toolName: 'search', arguments: { q: 'same' } });

    expect(guard.check({ userId: 'p1', tier: 'pro' })).toMatchObject({ state: 'warning', action: 'allow', limitUsd: 30, budgetUsd: 20 });
    expect(guard.check({ userId: 'p3', tier: 'pro', feature: 'summarizer' })).toMatchObject({ scope: 'feature', action: 'block' });
    expect(guard.check({ userId: 'p3', tier: 'pro', tenantId: 'acme' })).toMatchObject({ scope: 'tenant', action: 'degrade', model: 'gpt-4.1-mini' });
    expect(guard.check({ userId: 'p3', tier: 'pro', sessionId: 's1' })).toMatchObject({ state: 'loop', action: 'block', loop: { toolName: 'search', count: 3 } });
    await sink.shutdown();
    await guard.stop();

    const rows = await ch.rows<Record<string, string | number>>(
      `SELECT toString(Scope) AS scope, toString(State) AS state, toString(Action) AS action, UserId AS userId, Feature AS feature,
         TenantId AS tenantId, SessionId AS sessionId, ToolName AS toolName, ToolCalls AS toolCalls, LimitUsd AS limitUsd
       FROM ${database}.budget_events ORDER BY scope`,
    );
    expect(rows).toEqual([
      { scope: 'feature', state: 'exceeded', action: 'block', userId: 'p3', feature: 'summarizer', tenantId: '', sessionId: '', toolName: '', toolCalls: 0, limitUsd: 500 },
      { scope: 'session', state: 'loop', action: 'block', userId: 'p3', feature: '', tenantId: '', sessionId: 's1', toolName: 'search', toolCalls: 3, limitUsd: 0 },
      { scope: 'tenant', state: 'exceeded', action: 'degrade', userId: 'p3', feature: '', tenantId: 'acme', sessionId: '', toolName: '', toolCalls: 0, limitUsd: 200 },
      { scope: 'user', state: 'warning', action: 'allow', userId: 'p1', feature: '', tenantId: '', sessionId: '', toolName: '', toolCalls: 0, limitUsd: 30 },
    ]);
  });
});
