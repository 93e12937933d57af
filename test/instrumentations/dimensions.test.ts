import { createRequire } from 'node:module';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import Anthropic from '@anthropic-ai/sdk';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { SpanKind, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateText } from 'ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type OpenAIModule from 'openai';
import { reprice } from '@genai-cost/clickhouse';
import { GenAICostPricer, withPricing } from '@genai-cost/otel';
import type { PricingSpan } from '@genai-cost/otel';
import { PriceCatalog } from '@genai-cost/pricing';
import { InstrumentationPipeline, expectOneCall, usd } from './support/pipeline.js';
import type { ExpectedCall } from './support/pipeline.js';

/*
 * Every billing dimension on real SDK spans, through the real processor into chDB: each cost is
 * worked out by hand from the provider's page cited beside it. The calls are kept, so the same
 * spans are then priced again as a receiver prices them (`priceEndedSpans`), and their stored
 * rows repriced.
 */

// https://developers.openai.com/api/docs/pricing (Flex): GPT-5 mini $0.25 in, $0.025 cached, $2 out; Flex half of that.
const GPT_5_MINI_FLEX = { input: 0.125, cachedInput: 0.0125, output: 1 };
// https://developers.openai.com/api/docs/pricing (Batch): GPT-4.1 mini $0.40/$1.60, Batch $0.20/$0.80.
const GPT_41_MINI_BATCH = { input: 0.2, output: 0.8 };
// https://aws.amazon.com/bedrock/pricing/ and https://platform.claude.com/docs/en/build-with-claude/claude-in-amazon-bedrock:
// Claude Sonnet 4.5 $3 in, $0.30 cache read, $15 out; regional endpoints and cross-region (us., eu., …) profiles +10%.
const SONNET_45_BEDROCK_US = { input: 3.3, cacheRead: 0.33, output: 16.5 };
// https://api-docs.deepseek.com/quick_start/pricing: V4 Pro from 2026-08-16 16:00 UTC off-peak $0.66 in, $0.022 cache hit,
// $1.98 out; peak hours (01:00-04:00 and 06:00-10:00 UTC, Monday to Friday) twice that.
const DEEPSEEK_V4_PRO_OFF_PEAK = { input: 0.66, cacheHit: 0.022, output: 1.98 };
// https://ai.google.dev/gemini-api/docs/pricing: Gemini 2.5 Flash input $0.30 (text, image, video), $1.00 (audio); output $2.50.
const GEMINI_25_FLASH = { input: 0.3, audioInput: 1, output: 2.5 };
// https://developers.openai.com/api/docs/pricing (audio tokens): gpt-4o-audio-preview text $2.50/$10, audio $40/$80.
const GPT_4O_AUDIO = { input: 2.5, output: 10, audioInput: 40, audioOutput: 80 };
// https://platform.claude.com/docs/en/about-claude/pricing: Sonnet 4.5 $3 in, 5-minute cache write $3.75, 1-hour $6, $15 out.
const SONNET_45 = { input: 3, cacheWrite5m: 3.75, cacheWrite1h: 6, output: 15 };
// https://platform.claude.com/docs/en/about-claude/pricing: Opus 4.6 $5/$25; US-only inference (inference_geo "us") 1.1x;
// web search $10 per 1,000 searches.
const OPUS_46_US = { input: 5.5, output: 27.5, webSearchPer1000: 10 };

const PEAK = new Date('2026-11-25T02:30:00Z'); // a Wednesday, in the 01:00-04:00 UTC peak
const OFF_PEAK = new Date('2026-11-25T12:00:00Z');
const telemetry = { experimental_telemetry: { isEnabled: true, functionId: 'summarise' } };

/** The spans of each call made here and its priced span, with what it must cost. */
const calls: { name: string; spans: ReadableSpan[]; spanId: string; costUsd: number; priceId: string }[] = [];

const p = new InstrumentationPipeline();
let aiOpenai: ReturnType<typeof createOpenAI>;
let aiAnthropic: ReturnType<typeof createAnthropic>;
let OpenAI: typeof OpenAIModule;

/** A fetch that sends what the SDK addresses to a provider's host to the fake API, so the instrumentation sees the real host. */
const toFake = (fetchImpl: typeof fetch, base: () => string): typeof fetch => (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const fake = new URL(base());
  return fetchImpl(`${fake.origin}${url.pathname}${url.search}`, init);
};
const realFetch = globalThis.fetch;

/** An OpenInference-traced OpenAI client for a provider's OpenAI-compatible API at `baseURL`. */
const openaiCompatible = (baseURL: string) => new OpenAI({ apiKey: 'test-key', baseURL, maxRetries: 0, fetch: toFake(realFetch, () => p.fake.openaiBaseUrl) });

/**
 * `@anthropic-ai/bedrock-sdk`'s client: the Anthropic SDK's own client whose spans name the
 * platform `aws.bedrock` (bedrock-sdk 1.1.2 sets `_genAIProviderName` so; its tracing is
 * `@anthropic-ai/sdk`'s). Only its AWS signing and URL rewriting are left out: they do not touch spans.
 */
class BedrockClient extends Anthropic {
  constructor(options: ConstructorParameters<typeof Anthropic>[0]) {
    super(options);
    (this as unknown as { _genAIProviderName: string })._genAIProviderName = 'aws.bedrock';
  }
}

beforeAll(async () => {
  await p.start();
  const instrumentation = new OpenAIInstrumentation({ tracerProvider: p.provider });
  const module = createRequire(import.meta.url)('openai') as { OpenAI: typeof OpenAIModule };
  instrumentation.manuallyInstrument(module as never);
  OpenAI = module.OpenAI;
  aiOpenai = createOpenAI({ apiKey: 'test-key', baseURL: p.fake.openaiBaseUrl });
  aiAnthropic = createAnthropic({ apiKey: 'test-key', baseURL: `${p.fake.anthropicBaseUrl}/v1` });
});
afterAll(() => p.close());

/** Asserts one priced call as `expectOneCall` does, plus its price id and billing columns, and keeps it for the receiver check. */
async function call(
  name: string,
  make: () => Promise<unknown>,
  expected: ExpectedCall & { priceId: string; columns?: Record<string, unknown> },
): Promise<ReadableSpan> {
  const traced = await p.traced(make);
  const span = expectOneCall(traced, expected);
  expect(span.attributes['genai_cost.price.id']).toBe(expected.priceId);
  const row = traced.rows.find((r) => r.SpanRole === 'inference') as unknown as Record<string, unknown>;
  expect(row.PriceId).toBe(expected.priceId);
  if (expected.columns !== undefined) expect(row).toMatchObject(expected.columns);
  calls.push({ name, spans: traced.spans, spanId: span.spanContext().spanId, costUsd: expected.costUsd, priceId: expected.priceId });
  return span;
}

/** Runs `fn` with the clock at `at`, so the spans it starts start then. */
async function at<T>(when: Date, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'], now: when });
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

describe('billing dimensions on real SDK spans, through the processor into chDB', () => {
  it('prices an OpenAI flex call at 50% (the AI SDK reports the tier that served it)', async () => {
    p.fake.script.openai = { input: 10_000, output: 2_000, cached: 4_000 };
    p.fake.script.openaiServiceTier = 'flex';
    try {
      await call(
        'openai flex',
        () => generateText({ model: aiOpenai('gpt-5-mini'), prompt: 'hi', providerOptions: { openai: { serviceTier: 'flex' } }, ...telemetry }),
        {
          costUsd: usd(6_000, GPT_5_MINI_FLEX.input) + usd(4_000, GPT_5_MINI_FLEX.cachedInput) + usd(2_000, GPT_5_MINI_FLEX.output),
          tokens: { input: 10_000, output: 2_000, cacheRead: 4_000 },
          provider: 'openai',
          model: 'gpt-5-mini-2025-04-14',
          serviceTier: 'flex',
          priceId: 'openai/gpt-5-mini@2025-08-07+flex',
        },
      );
    } finally {
      p.fake.script.openaiServiceTier = 'default';
    }
  });

  it('prices a flex call its instrumentation does not report the tier of, declared with withPricing', async () => {
    p.fake.script.openai = { input: 10_000, output: 2_000, cached: 4_000 };
    const client = openaiCompatible('https://api.openai.com/v1');
    await call(
      'openai flex declared',
      () => withPricing({ serviceTier: 'flex' }, () => client.chat.completions.create({ model: 'gpt-5-mini', service_tier: 'flex', messages: [{ role: 'user', content: 'hi' }] })),
      {
        costUsd: usd(6_000, GPT_5_MINI_FLEX.input) + usd(4_000, GPT_5_MINI_FLEX.cachedInput) + usd(2_000, GPT_5_MINI_FLEX.output),
        tokens: { input: 10_000, output: 2_000, cacheRead: 4_000 },
        provider: 'openai',
        model: 'gpt-5-mini-2025-04-14',
        serviceTier: 'flex',
        priceId: 'openai/gpt-5-mini@2025-08-07+flex',
      },
    );
  });

  it('prices a Bedrock us.anthropic… inference profile at +10%, by the id the call was made with', async () => {
    p.fake.script.anthropic = { input: 1_000, output: 500, cacheRead: 4_000 };
    const bedrock = new BedrockClient({ apiKey: 'test-key', baseURL: p.fake.anthropicBaseUrl, maxRetries: 0 });
    const span = await call(
      'bedrock us profile',
      () => bedrock.messages.create({ model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
      {
        costUsd: usd(1_000, SONNET_45_BEDROCK_US.input) + usd(4_000, SONNET_45_BEDROCK_US.cacheRead) + usd(500, SONNET_45_BEDROCK_US.output),
        tokens: { input: 5_000, output: 500, cacheRead: 4_000 },
        provider: 'bedrock',
        model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
        priceId: 'bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0@1970-01-01+geo',
      },
    );
    expect(span.attributes).toMatchObject({ 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.response.model': 'claude-sonnet-4-5-20250929' });
  });

  it.each([
    ['peak', PEAK, 2],
    ['off-peak', OFF_PEAK, 1],
  ] as const)('prices a DeepSeek call by its start time: %s', async (window, when, factor) => {
    p.fake.script.openai = { input: 10_000, output: 1_000, cached: 6_000 };
    const client = openaiCompatible('https://api.deepseek.com');
    const r = DEEPSEEK_V4_PRO_OFF_PEAK;
    await call(
      `deepseek ${window}`,
      () => at(when, () => client.chat.completions.create({ model: 'deepseek-v4-pro', messages: [{ role: 'user', content: 'hi' }] })),
      {
        costUsd: factor * (usd(4_000, r.input) + usd(6_000, r.cacheHit) + usd(1_000, r.output)),
        tokens: { input: 10_000, output: 1_000, cacheRead: 6_000 },
        provider: 'deepseek',
        model: 'deepseek-v4-pro',
        priceId: `deepseek/deepseek-v4-pro@2026-08-16T16:00:00Z+${window}`,
      },
    );
  });

  it('prices Gemini audio input at the audio rate (OpenInference, through the OpenAI-compatible API)', async () => {
    p.fake.script.openai = { input: 10_000, output: 500, audioInput: 8_000 };
    const client = openaiCompatible('https://generativelanguage.googleapis.com/v1beta/openai/');
    await call('gemini audio', () => client.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'transcribe' }] }), {
      costUsd: usd(2_000, GEMINI_25_FLASH.input) + usd(8_000, GEMINI_25_FLASH.audioInput) + usd(500, GEMINI_25_FLASH.output),
      tokens: { input: 10_000, output: 500 },
      provider: 'google',
      model: 'gemini-2.5-flash',
      priceId: 'google/gemini-2.5-flash@2025-06-17',
      columns: { AudioInputTokens: 8_000, AudioOutputTokens: 0 },
    });
  });

  it('prices OpenAI audio in and out at the audio rates (OpenInference)', async () => {
    p.fake.script.openai = { input: 1_000, output: 2_000, audioInput: 800, audioOutput: 1_500 };
    const client = openaiCompatible('https://api.openai.com/v1');
    await call('openai audio', () => client.chat.completions.create({ model: 'gpt-4o-audio-preview', messages: [{ role: 'user', content: 'say hi' }] }), {
      costUsd: usd(200, GPT_4O_AUDIO.input) + usd(800, GPT_4O_AUDIO.audioInput) + usd(500, GPT_4O_AUDIO.output) + usd(1_500, GPT_4O_AUDIO.audioOutput),
      tokens: { input: 1_000, output: 2_000 },
      provider: 'openai',
      model: 'gpt-4o-audio-preview-2025-04-14',
      priceId: 'openai/gpt-4o-audio-preview@1970-01-01',
      columns: { AudioInputTokens: 800, AudioOutputTokens: 1_500 },
    });
  });

  it('prices a batch result the app records on a span of its own, declared batch', async () => {
    const record = () =>
      trace
        .getTracer('batch-results')
        .startSpan('chat gpt-4.1-mini', {
          kind: SpanKind.CLIENT,
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4.1-mini',
            'gen_ai.response.model': 'gpt-4.1-mini-2025-04-14',
            'gen_ai.usage.input_tokens': 20_000,
            'gen_ai.usage.output_tokens': 3_000,
            'genai_cost.service_tier': 'batch',
          },
        })
        .end();
    await call('openai batch', async () => record(), {
      costUsd: usd(20_000, GPT_41_MINI_BATCH.input) + usd(3_000, GPT_41_MINI_BATCH.output),
      tokens: { input: 20_000, output: 3_000 },
      provider: 'openai',
      model: 'gpt-4.1-mini-2025-04-14',
      serviceTier: 'batch',
      priceId: 'openai/gpt-4.1-mini@2025-04-14+batch',
    });
  });

  it("prices an Anthropic 1-hour cache write at the 1-hour rate (the SDK's own span)", async () => {
    p.fake.script.anthropic = { input: 100, output: 200, cacheWrite5m: 2_000, cacheWrite1h: 10_000 };
    const client = new Anthropic({ apiKey: 'test-key', baseURL: p.fake.anthropicBaseUrl, maxRetries: 0 });
    await call('anthropic 1h write', () => client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }), {
      costUsd: usd(100, SONNET_45.input) + usd(2_000, SONNET_45.cacheWrite5m) + usd(10_000, SONNET_45.cacheWrite1h) + usd(200, SONNET_45.output),
      tokens: { input: 12_100, output: 200, cacheWrite: 12_000, cacheWrite1h: 10_000 },
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      serviceTier: 'standard',
      priceId: 'anthropic/claude-sonnet-4-5@2025-09-29',
    });
  });

  it("prices Anthropic US-only inference at 1.1x and its web searches, from the AI SDK's provider metadata", async () => {
    p.fake.script.anthropic = { input: 1_000, output: 1_000, webSearches: 3, inferenceGeo: 'us' };
    await call('anthropic us web search', () => generateText({ model: aiAnthropic('claude-opus-4-6'), prompt: 'search', ...telemetry }), {
      costUsd: usd(1_000, OPUS_46_US.input) + usd(1_000, OPUS_46_US.output) + (3 * OPUS_46_US.webSearchPer1000) / 1_000,
      tokens: { input: 1_000, output: 1_000 },
      provider: 'anthropic',
      model: 'claude-opus-4-6-20250929',
      serviceTier: 'standard',
      priceId: 'anthropic/claude-opus-4-6@2026-02-05+us',
      columns: { Region: 'us', WebSearchRequests: 3 },
    });
  });
});

/** The span as a receiver gets it from an app without the processor: its own attributes and what the app declared. */
function asReceived(s: ReadableSpan): PricingSpan {
  const attributes: Attributes = {};
  for (const [k, v] of Object.entries(s.attributes)) {
    const written = k === 'gen_ai.usage.cost' || (k.startsWith('genai_cost.') && k !== 'genai_cost.service_tier' && k !== 'genai_cost.region' && k !== 'genai_cost.requests.web_search');
    if (!written) attributes[k] = v;
  }
  const ctx = s.spanContext();
  return {
    attributes,
    kind: s.kind,
    instrumentationScope: { name: s.instrumentationScope.name },
    startTime: s.startTime,
    endTime: s.endTime,
    spanContext: () => ctx,
    parentSpanContext: s.parentSpanContext,
    setAttribute(key, value) {
      attributes[key] = value;
    },
  };
}

describe('priceEndedSpans on the same spans', () => {
  it('gives each call the same cost and price id as the processor did', () => {
    const pricer = new GenAICostPricer();
    const got = calls.map((c) => {
      const priced = pricer.priceEndedSpans(c.spans.map(asReceived)).filter((r) => r.costUsd !== undefined);
      return { name: c.name, priced: priced.length, costUsd: priced[0]?.costUsd, priceId: priced[0]?.priceId };
    });
    expect(got).toEqual(calls.map((c) => ({ name: c.name, priced: 1, costUsd: expect.closeTo(c.costUsd, 10), priceId: c.priceId })));
    expect(pricer.getStats()).toMatchObject({ internalErrors: 0, unpricedSpans: { unknown_model: 0, no_usage: 0, invalid_usage: 0, missing_model: 0 } });
  });
});

describe('reprice of the stored rows', () => {
  const window = () => ({ database: p.database, from: new Date('2026-11-24T00:00:00Z'), to: new Date(Date.now() + 60_000) });
  const stored = async () =>
    new Map(
      (await p.chdb.rows<{ SpanId: string; cost: number; PriceId: string }>(`SELECT SpanId, toFloat64(CostUsd) AS cost, PriceId FROM ${p.database}.genai_spans WHERE Priced`)).map((r) => [
        r.SpanId,
        [r.cost, r.PriceId],
      ]),
    );
  const totals = async () =>
    p.chdb.rows<{ spans: string; rollup: string }>(
      `SELECT (SELECT toString(sumIf(CostUsd, Priced)) FROM ${p.database}.genai_spans WHERE SpanRole = 'inference') AS spans,
              (SELECT toString(sum(CostUsd)) FROM ${p.database}.genai_user_daily) AS rollup`,
    );

  it('changes nothing: every row is already priced with its dimensions', async () => {
    const result = await reprice(p.chdb.client, PriceCatalog.builtin(), window());
    expect(result).toMatchObject({ examined: calls.length, unchanged: calls.length, changed: 0, newlyPriced: 0 });
  });

  it('fixes rows priced without their dimensions, as before they were priced, and their rollup days', async () => {
    const byName = new Map(calls.map((c) => [c.name, c]));
    // What each row cost when its tier, region, time window or audio rate was not applied (same pages as above).
    const stale: [string, number, string][] = [
      ['openai flex', usd(6_000, 0.25) + usd(4_000, 0.025) + usd(2_000, 2), 'openai/gpt-5-mini@2025-08-07'],
      ['bedrock us profile', usd(1_000, 3) + usd(4_000, 0.3) + usd(500, 15), 'bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0@1970-01-01'],
      ['deepseek peak', usd(4_000, 0.66) + usd(6_000, 0.022) + usd(1_000, 1.98), 'deepseek/deepseek-v4-pro@2026-08-16T16:00:00Z'],
      ['gemini audio', usd(10_000, 0.3) + usd(500, 2.5), 'google/gemini-2.5-flash@2025-06-17'],
    ];
    for (const [name, costUsd, priceId] of stale) {
      await p.chdb.client.command({
        query: `ALTER TABLE ${p.database}.genai_spans UPDATE CostUsd = toDecimal64({cost:String}, 10), PriceId = {priceId:String} WHERE SpanId = {spanId:String}`,
        query_params: { cost: costUsd.toFixed(10), priceId, spanId: byName.get(name)!.spanId },
        clickhouse_settings: { mutations_sync: '2' },
      });
    }
    const result = await reprice(p.chdb.client, PriceCatalog.builtin(), window());
    expect(result).toMatchObject({ changed: stale.length, unchanged: calls.length - stale.length, newlyPriced: 0 });
    const rows = await stored();
    expect(calls.map((c) => [c.name, rows.get(c.spanId)])).toEqual(calls.map((c) => [c.name, [expect.closeTo(c.costUsd, 10), c.priceId]]));
    const [t] = await totals();
    expect(t!.rollup).toBe(t!.spans);
    expect((await reprice(p.chdb.client, PriceCatalog.builtin(), window())).changed).toBe(0);
  });
});
