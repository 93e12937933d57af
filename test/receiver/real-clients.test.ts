import { afterAll, describe, expect, it } from 'vitest';
import type { SpanRow } from '@genai-cost/clickhouse';
import { ReceiverChdb, SpanKind, otlpApp, startReceiver } from './support.js';
import type { AppSpan } from './support.js';

/*
 * Spans shaped like those the Python instrumentations emit (names, kinds, scopes, attribute keys
 * and types), sent by the real OTel JS OTLP exporters:
 * - OpenInference (`openinference-instrumentation-openai`, Arize-ai/openinference
 *   `python/instrumentation/openinference-instrumentation-openai/.../_response_attributes_extractor.py`
 *   and `openinference-semconv`): INTERNAL span, `openinference.span.kind` LLM, `llm.*` counts with
 *   cached tokens in `llm.token_count.prompt_details.cache_read`, `user.id` / `session.id` /
 *   `metadata` (JSON) from `using_attributes`.
 * - OpenLLMetry (`opentelemetry-instrumentation-openai`, traceloop/openllmetry semconv-ai
 *   `TRACELOOP_ASSOCIATION_PROPERTIES`): CLIENT span `openai.chat`, `llm.request.type`, `gen_ai.system`,
 *   `gen_ai.usage.*` and `llm.usage.total_tokens`, `traceloop.association.properties.*`.
 * - OTel GenAI conventions (`opentelemetry-instrumentation-openai-v2`; conventions up to 1.41 as in
 *   ../shared notes): CLIENT span `chat gpt-test`, `gen_ai.operation.name`, `gen_ai.usage.*`.
 * - OpenLLMetry for Anthropic (`opentelemetry-instrumentation-anthropic`): CLIENT span
 *   `anthropic.chat`, `gen_ai.system` spelled `Anthropic`, which the row stores canonically.
 */
const openInference: AppSpan = {
  name: 'ChatCompletion',
  kind: SpanKind.INTERNAL,
  scope: 'openinference.instrumentation.openai',
  attributes: {
    'openinference.span.kind': 'LLM',
    'llm.system': 'openai',
    'llm.provider': 'openai',
    'llm.model_name': 'gpt-test',
    'llm.invocation_parameters': '{"model": "gpt-test", "temperature": 0}',
    'llm.token_count.prompt': 1000,
    'llm.token_count.completion': 200,
    'llm.token_count.total': 1200,
    'llm.token_count.prompt_details.cache_read': 400,
    'input.value': '{"messages": [{"role": "user", "content": "hi"}]}',
    'input.mime_type': 'application/json',
    'user.id': 'u-openinference',
    'session.id': 's-openinference',
    metadata: '{"tier": "pro", "feature": "chat"}',
  },
};
const openLlmetry: AppSpan = {
  name: 'openai.chat',
  kind: SpanKind.CLIENT,
  scope: 'opentelemetry.instrumentation.openai.v1',
  attributes: {
    'llm.request.type': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-test',
    'gen_ai.response.model': 'gpt-test',
    'gen_ai.usage.input_tokens': 500,
    'gen_ai.usage.output_tokens': 100,
    'llm.usage.total_tokens': 600,
    'traceloop.workflow.name': 'summarise_doc',
    'traceloop.association.properties.user_id': 'u-openllmetry',
    'traceloop.association.properties.feature': 'summarise',
  },
};
const genAiConventions: AppSpan = {
  name: 'chat gpt-test',
  kind: SpanKind.CLIENT,
  scope: 'opentelemetry.instrumentation.openai_v2',
  attributes: {
    'gen_ai.operation.name': 'chat',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': 'gpt-test',
    'gen_ai.response.model': 'gpt-test',
    'gen_ai.response.id': 'chatcmpl-1',
    'gen_ai.response.finish_reasons': ['stop'],
    'gen_ai.usage.input_tokens': 2000,
    'gen_ai.usage.output_tokens': 50,
    'server.address': 'api.openai.com',
    'user.id': 'u-genai',
    'saas.tier': 'team',
    'saas.feature': 'search',
  },
};
const openLlmetryAnthropic: AppSpan = {
  name: 'anthropic.chat',
  kind: SpanKind.CLIENT,
  scope: 'opentelemetry.instrumentation.anthropic',
  attributes: {
    'llm.request.type': 'chat',
    'gen_ai.system': 'Anthropic',
    'gen_ai.request.model': 'claude-test',
    'gen_ai.response.model': 'claude-test',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 100,
    'traceloop.association.properties.user_id': 'u-anthropic',
  },
};
const httpServer: AppSpan = {
  name: 'GET /api/items',
  kind: SpanKind.SERVER,
  scope: 'opentelemetry.instrumentation.flask',
  attributes: { 'http.request.method': 'GET', 'http.route': '/api/items', 'http.response.status_code': 200 },
};

type Row = Pick<SpanRow, 'SpanName' | 'ServiceName' | 'UserId' | 'SessionId' | 'TenantId' | 'Tier' | 'Feature' | 'Provider' | 'Model' | 'InputTokens' | 'OutputTokens' | 'CacheReadTokens' | 'Priced' | 'PriceId'> & {
  /** CostUsd as ClickHouse prints the Decimal. */
  Cost: string;
  /** The provider as the span named it, kept among the attributes. */
  RawProvider: string;
};

const ch = new ReceiverChdb();
afterAll(() => ch.close());

describe.each([
  { encoding: 'protobuf', gzip: true },
  { encoding: 'protobuf', gzip: false },
  { encoding: 'json', gzip: true },
  { encoding: 'json', gzip: false },
] as const)('genai-cost serve with the OTLP $encoding exporter, gzip $gzip', ({ encoding, gzip }) => {
  it('stores each instrumentation\'s model call once with the hand-computed cost, attribution and provider, and drops the HTTP span', async () => {
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database);
    // Tier for the OpenLLMetry app comes from its resource; the tenant from a gateway's header.
    const app = otlpApp({ url, encoding, gzip, resource: { 'saas.tier': 'solo' }, headers: { 'x-genai-cost-tenant-id': 'acme' } });
    try {
      await app.send([openInference, openLlmetry, genAiConventions, openLlmetryAnthropic, httpServer]);
    } finally {
      await app.shutdown();
      await receiver.shutdown();
    }
    const rows = await ch.rows<Row>(
      `SELECT SpanName, ServiceName, UserId, SessionId, TenantId, Tier, Feature, Provider, Model, InputTokens, OutputTokens,
              CacheReadTokens, toString(CostUsd) AS Cost, Priced, PriceId, SpanAttributes['gen_ai.system'] AS RawProvider
       FROM ${database}.genai_spans ORDER BY SpanName`,
    );
    const common = { ServiceName: 'python-app', TenantId: 'acme', Model: 'gpt-test', Priced: true, RawProvider: 'openai' };
    expect(rows).toEqual([
      // (600 uncached × $2 + 400 cached × $0.5 + 200 × $8) / 1e6
      { ...common, RawProvider: '', SpanName: 'ChatCompletion', UserId: 'u-openinference', SessionId: 's-openinference', Tier: 'pro', Feature: 'chat', Provider: 'openai', InputTokens: 1000, OutputTokens: 200, CacheReadTokens: 400, Cost: '0.003', PriceId: expect.stringMatching(/^openai\/gpt-test@/) },
      // (1000 × $3 + 100 × $15) / 1e6; the provider canonical, the raw name kept in the attributes
      { ...common, SpanName: 'anthropic.chat', UserId: 'u-anthropic', SessionId: '', Tier: 'solo', Feature: '', Provider: 'anthropic', Model: 'claude-test', InputTokens: 1000, OutputTokens: 100, CacheReadTokens: 0, Cost: '0.0045', PriceId: expect.stringMatching(/^anthropic\/claude-test@/), RawProvider: 'Anthropic' },
      // (2000 × $2 + 50 × $8) / 1e6
      { ...common, SpanName: 'chat gpt-test', UserId: 'u-genai', SessionId: '', Tier: 'team', Feature: 'search', Provider: 'openai', InputTokens: 2000, OutputTokens: 50, CacheReadTokens: 0, Cost: '0.0044', PriceId: expect.stringMatching(/^openai\/gpt-test@/) },
      // (500 × $2 + 100 × $8) / 1e6; tier from the resource
      { ...common, SpanName: 'openai.chat', UserId: 'u-openllmetry', SessionId: '', Tier: 'solo', Feature: 'summarise', Provider: 'openai', InputTokens: 500, OutputTokens: 100, CacheReadTokens: 0, Cost: '0.0018', PriceId: expect.stringMatching(/^openai\/gpt-test@/) },
    ]);
    const [rollup] = await ch.rows<{ cost: string; calls: string }>(`SELECT toString(sum(CostUsd)) AS cost, toString(sum(Calls)) AS calls FROM ${database}.genai_user_daily`);
    expect(rollup).toEqual({ cost: '0.0137', calls: '4' });
    const stats = receiver.getStats();
    expect(stats).toMatchObject({ receivedSpans: 5, droppedSpans: 1, pricedSpans: 4, unpricedSpans: 0, rejectedSpans: 0, acceptedSpans: 4 });
  });
});

describe('genai-cost serve writes what the pricing decides into the rows', () => {
  it('keeps a sane preset cost, prices an insane one from its tokens and flags it, and flags a model without a price', async () => {
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database);
    const app = otlpApp({ url, encoding: 'protobuf', gzip: true });
    const call = (name: string, extra: Record<string, string | number>): AppSpan => ({
      name,
      kind: SpanKind.CLIENT,
      scope: 'opentelemetry.instrumentation.openai_v2',
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100, ...extra },
    });
    try {
      await app.send([call('preset', { 'gen_ai.usage.cost': 0.5 }), call('insane', { 'gen_ai.usage.cost': 5_000 }), call('unknown', { 'gen_ai.request.model': 'no-such-model' })]);
    } finally {
      await app.shutdown();
      await receiver.shutdown();
    }
    const rows = await ch.rows<{ SpanName: string; Cost: string; Priced: boolean; PriceId: string; UnpricedReason: string; invalid: string }>(
      `SELECT SpanName, toString(CostUsd) AS Cost, Priced, PriceId, UnpricedReason, SpanAttributes['genai_cost.invalid_cost'] AS invalid
       FROM ${database}.genai_spans ORDER BY SpanName`,
    );
    expect(rows).toEqual([
      { SpanName: 'insane', Cost: '0.0028', Priced: true, PriceId: expect.stringMatching(/^openai\/gpt-test@/), UnpricedReason: '', invalid: 'true' },
      { SpanName: 'preset', Cost: '0.5', Priced: true, PriceId: 'span', UnpricedReason: '', invalid: '' },
      { SpanName: 'unknown', Cost: '0', Priced: false, PriceId: '', UnpricedReason: 'unknown_model', invalid: '' },
    ]);
    expect(receiver.getStats()).toMatchObject({ pricedSpans: 2, unpricedSpans: 1 });
  });
});
