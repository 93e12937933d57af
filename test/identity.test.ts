import { createHmac } from 'node:crypto';
import { context, diag, DiagLogLevel, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetGuard } from '@genai-cost/budget';
import type { BudgetEvent, BudgetPlan } from '@genai-cost/budget';
import { ClickHouseSpendSource, genaiCost } from '@genai-cost/clickhouse';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';
import { PriceCatalog } from '@genai-cost/pricing';
import { TestChdb } from '../packages/clickhouse/src/test-support/chdb.js';

/** $1 per million input tokens: a call with 100,000 input tokens costs $0.10. */
const CATALOG = PriceCatalog.empty().withPrices([{ provider: 'openai', model: 'flat-model', input: 1, output: 0 }]);
const KEY = 'the-app-user-id-hmac-key-32-byte';
/** alice has her own $0.25 limit, written with her raw id as the plan file has it. */
const PLAN: BudgetPlan = { tiers: { free: { monthlyBudgetUsd: 1, action: 'block' } }, users: { alice: { monthlyBudgetUsd: 0.25, action: 'block' } } };
const hmac = (id: string) => createHmac('sha256', KEY).update(id).digest('hex');

let ch: TestChdb;
const errors: string[] = [];
beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  diag.setLogger({ error: (m) => errors.push(m), warn: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.ERROR);
  ch = new TestChdb();
});
afterAll(async () => {
  diag.disable();
  await ch.close();
});

/** `n` LLM calls of $0.10 by `userId` on the free tier, flushed to ClickHouse. */
async function calls(provider: BasicTracerProvider, userId: string, n: number): Promise<void> {
  const tracer = provider.getTracer('app');
  for (let i = 0; i < n; i++) {
    withAttribution({ userId, tier: 'free' }, () =>
      tracer
        .startSpan('chat flat-model', {
          kind: SpanKind.CLIENT,
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'flat-model', 'gen_ai.usage.input_tokens': 100_000, 'gen_ai.usage.output_tokens': 0 },
        })
        .end(),
    );
  }
  await provider.forceFlush();
}

describe('one user identity with userIdHmacKey', () => {
  it('stores the pseudonym, and budgets on every instance count the same pseudonym, per-user plan entries included', async () => {
    const database = await ch.database();
    const events: BudgetEvent[] = [];
    const writer = new BudgetGuard({ plan: PLAN, userIdHmacKey: KEY, eventSink: { record: (e) => events.push(e) } });
    const cost = genaiCost({ client: ch.client, database, catalog: CATALOG, userIdHmacKey: KEY, budgetGuard: writer });
    const provider = new BasicTracerProvider({ spanProcessors: cost.spanProcessors });
    await calls(provider, 'alice', 3);
    await provider.shutdown();

    const stored = await ch.rows<{ UserId: string }>(`SELECT DISTINCT UserId FROM ${database}.genai_spans`);
    expect(stored).toEqual([{ UserId: hmac('alice') }]);
    // The instance that made the calls blocks alice by her raw id, and records her pseudonym.
    expect(writer.check({ userId: 'alice', tier: 'free' })).toMatchObject({ action: 'block', spentUsd: 0.3 });
    expect(events.map((e) => e.userId)).toEqual([hmac('alice')]);

    // Another instance learns her spend from ClickHouse, keyed by the same pseudonym.
    const other = new BudgetGuard({ plan: PLAN, userIdHmacKey: KEY, spendSource: new ClickHouseSpendSource({ client: ch.client, database }) });
    await other.refresh();
    expect(other.check({ userId: 'alice', tier: 'free' })).toMatchObject({ action: 'block', scope: 'user', spentUsd: 0.3, limitUsd: 0.25 });
    expect(other.check({ userId: 'bob', tier: 'free' })).toMatchObject({ action: 'allow', spentUsd: 0 });
    expect(errors).toEqual([]);
  });

  it('says once when a guard counts other ids than the processor stores, and counts each such spend', async () => {
    const database = await ch.database();
    const guard = new BudgetGuard({ plan: PLAN });
    const provider = new BasicTracerProvider({ spanProcessors: [new GenAICostSpanProcessor({ catalog: CATALOG, userIdHmacKey: KEY, onSpanCost: guard.spanCostListener() })] });
    await calls(provider, 'alice', 2);
    await provider.shutdown();
    expect(guard.getStats().identityMismatches).toBe(2);
    expect(errors).toEqual([
      'BudgetGuard: the span processor stores user ids other than the ones this guard counts (their userIdHmacKey differs); ' +
        'spend read back from ClickHouse cannot match. Give both the same userIdHmacKey, or neither.',
    ]);
    expect(() => genaiCost({ client: ch.client, database, userIdHmacKey: KEY, budgetGuard: guard })).toThrow('genaiCost option "budgetGuard": it pseudonymizes user ids differently');
  });

  it('refuses a short key, naming the option', () => {
    expect(() => new BudgetGuard({ plan: PLAN, userIdHmacKey: 'short' })).toThrow('BudgetGuard option "userIdHmacKey": expected a string or Uint8Array of at least 16 bytes');
  });
});
