import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import { networkError } from './test-support/FakeInsertClient.js';
import { TestChdb } from './test-support/chdb.js';
import { CHAT_ATTRS, createTestTracing } from './test-support/tracing.js';
import type { SpanInsertClient } from './types.js';

let ch: TestChdb;
beforeAll(() => {
  ch = new TestChdb();
});
afterAll(async () => {
  await ch.close();
});

function exportOnce(exporter: ClickHouseSpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Row counts of the spans table and the calls the rollups hold. */
async function counts(db: string) {
  const [c] = await ch.rows<{ spans: string; userCalls: string; sessionCalls: string }>(
    `SELECT (SELECT count() FROM ${db}.genai_spans) AS spans,
            (SELECT sum(Calls) FROM ${db}.genai_user_daily) AS userCalls,
            (SELECT sum(Calls) FROM ${db}.genai_session_daily) AS sessionCalls`,
  );
  return { spans: Number(c!.spans), userCalls: Number(c!.userCalls), sessionCalls: Number(c!.sessionCalls) };
}

describe('ClickHouseSpanExporter into chDB', () => {
  it('stores spans from the OTel SDK, through the genai-cost processor and a BatchSpanProcessor, with typed columns', async () => {
    const db = await ch.database();
    const exporter = new ClickHouseSpanExporter({ client: ch.client, database: db });
    const t = createTestTracing([new BatchSpanProcessor(exporter)]);
    const who = { userId: 'u1', tier: 'solo', feature: 'chat', sessionId: 's1', tenantId: 'acme' };
    t.within('invoke_agent planner', { 'gen_ai.operation.name': 'invoke_agent' }, who, () => t.span('chat gpt-test', CHAT_ATTRS));
    t.span('chat mystery', { ...CHAT_ATTRS, 'gen_ai.request.model': 'mystery-model' }, who);
    t.span('GET /items', { 'http.request.method': 'GET' }, who, SpanKind.SERVER);
    await t.provider.forceFlush();

    const rows = await ch.rows<Record<string, unknown>>(
      `SELECT SpanName, SpanRole, Operation, UserId, Tier, Feature, SessionId, TenantId, ServiceName, Provider, Model,
              InputTokens, OutputTokens, CacheReadTokens, toString(CostUsd) AS cost, Priced, UnpricedReason, PriceId,
              SpanAttributes['genai_cost.cost.input'] AS inputCost, toString(toUnixTimestamp64Nano(Timestamp)) AS ns, DurationNs
       FROM ${db}.genai_spans ORDER BY SpanName`,
    );
    expect(rows.map((r) => r.SpanName)).toEqual(['chat gpt-test', 'chat mystery', 'invoke_agent planner']);
    const [chat, mystery, agent] = rows;
    expect(chat).toMatchObject({
      SpanRole: 'inference',
      Operation: 'chat',
      UserId: 'u1',
      Tier: 'solo',
      Feature: 'chat',
      SessionId: 's1',
      TenantId: 'acme',
      ServiceName: 'test-app',
      Provider: 'openai',
      Model: 'gpt-test',
      InputTokens: 1000,
      OutputTokens: 500,
      CacheReadTokens: 200,
      cost: '0.0057',
      Priced: true,
      PriceId: 'openai/gpt-test@1970-01-01',
      inputCost: '0.0016',
    });
    const span = t.spans().find((s) => s.name === 'chat gpt-test')!;
    expect(BigInt(chat!.ns as string)).toBe(BigInt(span.startTime[0]) * 1_000_000_000n + BigInt(span.startTime[1]));
    expect(mystery).toMatchObject({ SpanRole: 'inference', Priced: false, cost: '0', UnpricedReason: 'unknown_model', Model: 'mystery-model' });
    expect(agent).toMatchObject({ SpanRole: 'wrapper', Operation: 'invoke_agent', Priced: false, cost: '0', InputTokens: 0 });
    expect(await counts(db)).toEqual({ spans: 3, userCalls: 2, sessionCalls: 2 });
    expect(exporter.getStats()).toMatchObject({ exportedSpans: 3, skippedSpans: 1 });
    await t.close();
  });

  it('stores a batch exported twice once, in the spans table and in the rollups', async () => {
    const db = await ch.database();
    const t = createTestTracing();
    for (let i = 0; i < 5; i++) t.span(`chat ${i}`, CHAT_ATTRS, { userId: `u${i}`, tier: 'team', sessionId: 's' });
    const exporter = new ClickHouseSpanExporter({ client: ch.client, database: db });
    const spans = t.spans();
    expect((await exportOnce(exporter, spans)).code).toBe(ExportResultCode.SUCCESS);
    expect((await exportOnce(exporter, [...spans].reverse())).code).toBe(ExportResultCode.SUCCESS);
    expect(await counts(db)).toEqual({ spans: 5, userCalls: 5, sessionCalls: 5 });
    expect((await exportOnce(exporter, spans.slice(0, 2))).code).toBe(ExportResultCode.SUCCESS);
    expect((await counts(db)).spans).toBe(7); // a different batch is a different insert
    // The token was a setting of the insert only: chDB's session did not keep it for later inserts.
    expect(await ch.rows(`SELECT getSetting('insert_deduplication_token') AS token`)).toEqual([{ token: '' }]);
    await t.close();
  });

  it('stores once when an insert succeeded but its response was lost and the exporter retried', async () => {
    const db = await ch.database();
    let lost = 1;
    const flaky: SpanInsertClient = {
      async command(params) {
        await ch.client.command(params);
        if (lost-- > 0) throw networkError();
        return {};
      },
    };
    const t = createTestTracing();
    for (let i = 0; i < 4; i++) t.span(`chat ${i}`, CHAT_ATTRS, { userId: `u${i}`, tier: 'team', sessionId: `s${i}` });
    const exporter = new ClickHouseSpanExporter({ client: flaky, database: db });
    expect((await exportOnce(exporter, t.spans())).code).toBe(ExportResultCode.SUCCESS);
    expect(exporter.getStats().retries).toBe(1);
    expect(await counts(db)).toEqual({ spans: 4, userCalls: 4, sessionCalls: 4 });
    await t.close();
  });

  it('fails with a schema error when the table is missing, without retrying', async () => {
    const exporter = new ClickHouseSpanExporter({ client: ch.client, database: 'no_such_database' });
    const t = createTestTracing();
    t.span('chat', CHAT_ATTRS, { userId: 'u1' });
    const result = await exportOnce(exporter, t.spans());
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(exporter.getStats()).toMatchObject({ retries: 0, failedSpans: 1 });
    expect(exporter.getStats().failures.schema).toBe(1);
    await t.close();
  });
});
