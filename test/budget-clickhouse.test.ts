import { context, SpanKind } from '@opentelemetry/api';
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

/** One app instance: its own guard, fed by its own processor, exporting to the shared ClickHouse. */
function instance(database: string, spendSource?: ClickHouseSpendSource) {
  const guard = new BudgetGuard({ plan: FREE, spendSource });
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
      withAttribution({ userId, tier: 'free' }, () =>
        tracer
          .startSpan('chat flat-model', {
            kind: SpanKind.CLIENT,
            attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'flat-model', 'gen_ai.usage.input_tokens': 100_000, 'gen_ai.usage.output_tokens': 0 },
          })
          .end(),
      );
      await provider.forceFlush();
      return true;
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
