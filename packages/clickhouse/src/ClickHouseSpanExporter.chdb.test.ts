import { SpanKind } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter } from './ClickHouseSpanExporter.js';
import { networkError } from './test-support/FakeInsertClient.js';
import { TestChdb } from './test-support/chdb.js';
import { until } from './test-support/rows.js';
import { migrate } from './migrations.js';
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
    await exporter.forceFlush();

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
    expect(exporter.getStats()).toMatchObject({ storedSpans: 3, skippedSpans: 1, receivedSpans: 4 });
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
    await exporter.forceFlush();
    expect(await counts(db)).toEqual({ spans: 5, userCalls: 5, sessionCalls: 5 });
    expect((await exportOnce(exporter, spans.slice(0, 2))).code).toBe(ExportResultCode.SUCCESS);
    await exporter.forceFlush();
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
    const exporter = new ClickHouseSpanExporter({ client: flaky, database: db, retryInitialMs: 1 });
    expect((await exportOnce(exporter, t.spans())).code).toBe(ExportResultCode.SUCCESS);
    await exporter.forceFlush();
    expect(exporter.getStats().retries).toBe(1);
    expect(await counts(db)).toEqual({ spans: 4, userCalls: 4, sessionCalls: 4 });
    await t.close();
  });

  it('keeps a batch whose table is missing and stores it once `migrate` has created the table', async () => {
    const db = `t${process.pid}_later`;
    const exporter = new ClickHouseSpanExporter({ client: ch.client, database: db, retryInitialMs: 5, retryMaxMs: 50 });
    const t = createTestTracing();
    t.span('chat', CHAT_ATTRS, { userId: 'u1' });
    expect((await exportOnce(exporter, t.spans())).code).toBe(ExportResultCode.SUCCESS);
    await until('schema failures', () => exporter.getStats().failures.schema >= 2);
    await migrate(ch.client, { database: db });
    await exporter.forceFlush();
    expect(exporter.getStats()).toMatchObject({ storedSpans: 1, queuedSpans: 0 });
    expect((await counts(db)).spans).toBe(1);
    await exporter.shutdown();
    await t.close();
  });

  it('splits a batch ClickHouse refuses, stores the rest and dead-letters the refused rows with the error', async () => {
    const db = await ch.database();
    await ch.client.command({ query: `ALTER TABLE ${db}.genai_spans ADD CONSTRAINT no_blocked_users CHECK UserId != 'blocked'` });
    const exporter = new ClickHouseSpanExporter({ client: ch.client, database: db });
    const t = createTestTracing();
    for (let i = 0; i < 100; i++) t.span(`chat ${i}`, CHAT_ATTRS, { userId: i % 33 === 5 ? 'blocked' : `u${i}`, tier: 'team' });
    await exportOnce(exporter, t.spans());
    await exporter.forceFlush();
    expect(await counts(db)).toEqual({ spans: 97, userCalls: 97, sessionCalls: 0 });
    const dead = await ch.rows<{ SpanId: string; Reason: string; user: string }>(
      `SELECT SpanId, Reason, JSONExtractString(Row, 'UserId') AS user FROM ${db}.genai_spans_rejected ORDER BY SpanId`,
    );
    expect(dead).toHaveLength(3);
    for (const d of dead) {
      expect(d.user).toBe('blocked');
      expect(d.Reason).toMatch(/^VIOLATED_CONSTRAINT: Constraint `no_blocked_users`/);
    }
    expect(exporter.getStats()).toMatchObject({ storedSpans: 97, deadLetteredSpans: 3, queuedSpans: 0 });
    await exporter.shutdown();
    await t.close();
  });
});
