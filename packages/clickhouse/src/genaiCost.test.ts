import { createHmac } from 'node:crypto';
import { context, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';
import type { SpanCostEvent } from '@genai-cost/otel';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import { genaiCost } from './genaiCost.js';
import type { BudgetGuardLike } from './genaiCost.js';
import { FakeInsertClient } from './test-support/FakeInsertClient.js';
import { CHAT_ATTRS, TEST_PRICES } from './test-support/tracing.js';

const KEY = 'a-secret-key-of-32-bytes-length!';
const hmac = (key: string, id: string) => createHmac('sha256', key).update(id).digest('hex');

let provider: BasicTracerProvider | undefined;
beforeEach(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterEach(async () => {
  await provider?.shutdown();
  provider = undefined;
  context.disable();
});

/** One chat call of user u1 through a real provider with `processors`, flushed. */
async function chatThrough(processors: SpanProcessor[]): Promise<void> {
  provider = new BasicTracerProvider({ spanProcessors: processors });
  const tracer = provider.getTracer('test-instrumentation');
  withAttribution({ userId: 'u1', tier: 'pro', feature: 'chat' }, () => tracer.startSpan('chat', { kind: SpanKind.CLIENT, attributes: CHAT_ATTRS }).end());
  await provider.forceFlush();
}

/** A budget guard double that records what it is fed, keyed as `key` would pseudonymize. */
function fakeGuard(key?: string): BudgetGuardLike & { events: SpanCostEvent[] } {
  const events: SpanCostEvent[] = [];
  return {
    events,
    spanCostListener: () => (e) => events.push(e),
    toolCallListener: () => () => {},
    storedUserId: (id) => (key === undefined ? id : hmac(key, id)),
  };
}

describe('processor and exporter built apart', () => {
  it('agree on attribute keys in-process: a processor writing under its own keys still fills UserId', async () => {
    const client = new FakeInsertClient();
    const exporter = new ClickHouseSpanExporter({ client });
    await chatThrough([new GenAICostSpanProcessor({ prices: TEST_PRICES, attributeKeys: { userId: 'app.user.id' } }), new BatchSpanProcessor(exporter)]);
    await exporter.forceFlush();
    const [row] = client.rows();
    expect(row).toMatchObject({ UserId: 'u1', Tier: 'pro', Feature: 'chat' });
    expect(row!.SpanAttributes['app.user.id']).toBeUndefined();
  });
});

describe('genaiCost', () => {
  it('builds the processor and the exporter from one configuration, in the order NodeSDK needs', async () => {
    const client = new FakeInsertClient();
    const cost = genaiCost({ client, prices: TEST_PRICES, attributeKeys: { tier: 'app.plan' }, userIdHmacKey: KEY });
    expect(cost.spanProcessors[0]).toBe(cost.processor);
    expect(cost.spanProcessors[1]).toBeInstanceOf(BatchSpanProcessor);
    await chatThrough(cost.spanProcessors);
    await cost.exporter.forceFlush();
    expect(client.rows()[0]).toMatchObject({ UserId: hmac(KEY, 'u1'), Tier: 'pro', CostUsd: 0.0057, Priced: true });
  });

  it('feeds a budget guard the spend of the ids ClickHouse stores, after onSpanCost', async () => {
    const order: string[] = [];
    const guard = fakeGuard(KEY);
    const listener = guard.spanCostListener();
    guard.spanCostListener = () => (e) => (order.push('guard'), listener(e));
    const cost = genaiCost({ client: new FakeInsertClient(), prices: TEST_PRICES, userIdHmacKey: KEY, budgetGuard: guard, onSpanCost: () => order.push('app') });
    await chatThrough(cost.spanProcessors);
    expect(order).toEqual(['app', 'guard']);
    expect(guard.events).toMatchObject([{ attribution: { userId: 'u1' }, storedUserId: hmac(KEY, 'u1'), costUsd: 0.0057 }]);
  });

  it('refuses a budget guard that would count other ids than the stored ones', () => {
    const message =
      'genaiCost option "budgetGuard": it pseudonymizes user ids differently from "userIdHmacKey"; give both the same key (or neither), ' +
      'so that budgets count the ids ClickHouse stores';
    expect(() => genaiCost({ client: new FakeInsertClient(), userIdHmacKey: KEY, budgetGuard: fakeGuard() })).toThrow(message);
    expect(() => genaiCost({ client: new FakeInsertClient(), budgetGuard: fakeGuard(KEY) })).toThrow(message);
  });

  it('names an unknown option, and passes each component its own errors', () => {
    expect(() => genaiCost({ client: new FakeInsertClient(), userIDHmacKey: KEY } as never)).toThrow(
      'genaiCost: unknown option "userIDHmacKey" (expected an option of GenAICostSpanProcessor or ClickHouseSpanExporter, "batch" or "budgetGuard")',
    );
    expect(() => genaiCost({ client: new FakeInsertClient(), attributeKeys: { userId: '' } })).toThrow('GenAICostSpanProcessor option "attributeKeys.userId": expected a non-empty attribute key');
  });
});
