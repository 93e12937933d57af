import { SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { canonicalServiceTier, classify, mergeUsage, readCall } from './usage.js';

const OPTIONS = { inputExcludesCacheScopes: ['@traceloop/instrumentation-anthropic', 'openlit'], maxTokens: 50_000_000 };
const read = (attrs: Attributes, scope = 'some-instrumentation') => readCall(attrs, 'inference', scope, OPTIONS);

describe('classify', () => {
  it.each([
    [{ 'gen_ai.operation.name': 'chat' }, SpanKind.CLIENT, 'inference'],
    [{ 'gen_ai.operation.name': 'embeddings' }, SpanKind.CLIENT, 'inference'],
    [{ 'gen_ai.operation.name': 'generate_content' }, SpanKind.CLIENT, 'inference'],
    [{ 'gen_ai.operation.name': 'invoke_agent' }, SpanKind.INTERNAL, 'wrapper'],
    [{ 'gen_ai.operation.name': 'invoke_workflow' }, SpanKind.INTERNAL, 'wrapper'],
    [{ 'gen_ai.operation.name': 'invoke_agent' }, SpanKind.CLIENT, 'inference'],
    [{ 'gen_ai.operation.name': 'execute_tool' }, SpanKind.INTERNAL, 'other'],
    [{ 'openinference.span.kind': 'LLM' }, SpanKind.INTERNAL, 'inference'],
    [{ 'openinference.span.kind': 'EMBEDDING' }, SpanKind.INTERNAL, 'inference'],
    [{ 'openinference.span.kind': 'AGENT' }, SpanKind.INTERNAL, 'wrapper'],
    [{ 'openinference.span.kind': 'TOOL' }, SpanKind.INTERNAL, 'other'],
    [{ 'ai.operationId': 'ai.streamText' }, SpanKind.INTERNAL, 'wrapper'],
    [{ 'ai.operationId': 'ai.streamText.doStream' }, SpanKind.INTERNAL, 'inference'],
    [{ 'ai.operationId': 'ai.embedMany.doEmbed' }, SpanKind.INTERNAL, 'inference'],
    [{ 'ai.operationId': 'ai.toolCall' }, SpanKind.INTERNAL, 'other'],
    [{ 'llm.request.type': 'chat' }, SpanKind.CLIENT, 'inference'],
    [{ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o' }, SpanKind.CLIENT, 'inference'],
    [{ 'http.request.method': 'POST' }, SpanKind.CLIENT, undefined],
    [{}, SpanKind.INTERNAL, undefined],
  ])('%j (%s) → %s', (attrs, kind, role) => {
    expect(classify(attrs as Attributes, kind)).toBe(role);
  });
});

describe('readCall conventions', () => {
  it('reads the current OTel GenAI conventions, response model first', () => {
    expect(
      read({
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.cache_read.input_tokens': 400,
        'gen_ai.usage.cache_creation.input_tokens': 100,
        'gen_ai.usage.reasoning.output_tokens': 200,
      }),
    ).toEqual({
      role: 'inference',
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      usage: {
        inputTokens: 1000,
        outputTokens: 300,
        cacheReadTokens: 400,
        cacheWriteTokens: 100,
        reasoningTokens: 200,
        audioInputTokens: 0,
        audioOutputTokens: 0,
        imageInputTokens: 0,
        imageOutputTokens: 0,
        webSearchRequests: 0,
        inputExcludedCache: false,
        cacheReadReported: true,
      },
    });
  });

  it('accepts the announced cache_write rename', () => {
    const call = read({ 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1, 'gen_ai.usage.cache_write.input_tokens': 4 });
    expect(call.usage?.cacheWriteTokens).toBe(4);
  });

  it('reads the deprecated prompt/completion names and gen_ai.system', () => {
    const call = read({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.prompt_tokens': 50, 'gen_ai.usage.completion_tokens': 7 });
    expect(call).toMatchObject({ provider: 'openai', usage: { inputTokens: 50, outputTokens: 7 } });
  });

  it('reads OpenInference', () => {
    const call = read({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini-2024-07-18',
      'llm.provider': 'openai',
      'llm.token_count.prompt': 900,
      'llm.token_count.completion': 120,
      'llm.token_count.prompt_details.cache_read': 512,
      'llm.token_count.completion_details.reasoning': 64,
    });
    expect(call).toMatchObject({
      model: 'gpt-4o-mini-2024-07-18',
      provider: 'openai',
      usage: { inputTokens: 900, outputTokens: 120, cacheReadTokens: 512, reasoningTokens: 64, inputExcludedCache: false },
    });
  });

  it('reads the Vercel AI SDK v5+ and v4 names', () => {
    const v5 = read({
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gpt-4.1',
      'ai.model.provider': 'openai.chat',
      'ai.response.model': 'gpt-4.1-2025-04-14',
      'ai.usage.inputTokens': 300,
      'ai.usage.outputTokens': 40,
      'ai.usage.cachedInputTokens': 100,
      'ai.usage.reasoningTokens': 10,
    });
    expect(v5).toMatchObject({ model: 'gpt-4.1-2025-04-14', provider: 'openai.chat', usage: { inputTokens: 300, outputTokens: 40, cacheReadTokens: 100, reasoningTokens: 10 } });
    const v4 = read({ 'ai.operationId': 'ai.generateText.doGenerate', 'ai.model.id': 'gpt-4.1', 'ai.usage.promptTokens': 30, 'ai.usage.completionTokens': 4 });
    expect(v4.usage).toMatchObject({ inputTokens: 30, outputTokens: 4 });
  });

  it("reads OpenLLMetry's older llm.usage.* names", () => {
    const call = read({ 'llm.request.type': 'chat', 'gen_ai.system': 'OpenAI', 'gen_ai.request.model': 'gpt-3.5-turbo', 'llm.usage.prompt_tokens': 12, 'llm.usage.completion_tokens': 3 });
    expect(call).toMatchObject({ provider: 'OpenAI', usage: { inputTokens: 12, outputTokens: 3 } });
  });
});

describe('readCall Anthropic cache accounting', () => {
  const raw = {
    'gen_ai.system': 'anthropic',
    'gen_ai.request.model': 'claude-sonnet-4-5',
    'gen_ai.usage.input_tokens': 50,
    'gen_ai.usage.cache_read_input_tokens': 30,
    'gen_ai.usage.cache_creation_input_tokens': 10,
    'gen_ai.usage.output_tokens': 5,
  };

  it('adds cache back to input for instrumentations known to leave it out', () => {
    const call = read(raw, '@traceloop/instrumentation-anthropic');
    expect(call.usage).toMatchObject({ inputTokens: 90, cacheReadTokens: 30, cacheWriteTokens: 10, inputExcludedCache: true });
  });

  it('trusts input to include cache for other instrumentations when the numbers allow it', () => {
    expect(read(raw, '@opentelemetry/instrumentation-anthropic').usage).toMatchObject({ inputTokens: 50, inputExcludedCache: false });
  });

  it('adds cache back when cache tokens exceed input, whatever the scope', () => {
    const call = read({ ...raw, 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.cache_read_input_tokens': 2000 }, 'ai');
    expect(call.usage).toMatchObject({ inputTokens: 2013, inputExcludedCache: true });
  });

  it('reads OpenInference Anthropic prompt counts as including cache', () => {
    const call = read({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'claude-3-5-sonnet-20241022',
      'llm.provider': 'anthropic',
      'llm.token_count.prompt': 1100,
      'llm.token_count.prompt_details.cache_read': 1000,
      'llm.token_count.prompt_details.cache_write': 50,
      'llm.token_count.completion': 20,
    });
    expect(call.usage).toMatchObject({ inputTokens: 1100, cacheReadTokens: 1000, cacheWriteTokens: 50, inputExcludedCache: false });
  });

  it('does not apply the scope rule to other providers of a multi-provider instrumentation', () => {
    const call = read({ 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 100, 'gen_ai.usage.cache_read_input_tokens': 40, 'gen_ai.usage.output_tokens': 1 }, 'openlit');
    expect(call.usage).toMatchObject({ inputTokens: 100, inputExcludedCache: false });
  });
});

describe('readCall reasoning and bad input', () => {
  it('adds reasoning to output when output evidently excludes it', () => {
    const call = read({ 'gen_ai.request.model': 'gemini-2.5-pro', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 20, 'gen_ai.usage.reasoning.output_tokens': 500 });
    expect(call.usage).toMatchObject({ outputTokens: 520, reasoningTokens: 500 });
  });

  it('flags missing model, missing usage and invalid counts', () => {
    expect(read({ 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 }).problem).toBe('missing_model');
    expect(read({ 'gen_ai.request.model': 'm' }).problem).toBe('no_usage');
    expect(read({ 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 60_000_000, 'gen_ai.usage.output_tokens': 1 }).problem).toBe('invalid_usage');
    expect(read({ 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.cache_read.input_tokens': 'x' }).problem).toBe('invalid_usage');
  });

  it('accepts an embeddings span with input only', () => {
    expect(read({ 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 8 }).usage).toMatchObject({ inputTokens: 8, outputTokens: 0 });
  });
});

describe('readCall details', () => {
  it('reads the AI SDK 6 token details and the 1-hour split and tier from its provider metadata', () => {
    const call = read({
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.provider': 'anthropic.messages',
      'ai.model.id': 'claude-haiku-4-5',
      'gen_ai.usage.input_tokens': 5100,
      'ai.usage.inputTokens': 5100,
      'ai.usage.inputTokenDetails.cacheReadTokens': 2000,
      'ai.usage.inputTokenDetails.cacheWriteTokens': 3000,
      'ai.usage.outputTokens': 300,
      'ai.usage.outputTokenDetails.reasoningTokens': 50,
      'ai.response.providerMetadata': JSON.stringify({
        anthropic: { usage: { input_tokens: 100, cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 }, service_tier: 'standard' } },
      }),
    });
    expect(call).toMatchObject({
      serviceTier: 'standard',
      usage: { inputTokens: 5100, outputTokens: 300, cacheReadTokens: 2000, cacheWriteTokens: 3000, cacheWrite1hTokens: 2000, reasoningTokens: 50 },
    });
  });

  it('reads an AI SDK embedding from ai.usage.tokens', () => {
    const call = read({ 'ai.operationId': 'ai.embed.doEmbed', 'ai.model.id': 'text-embedding-3-small', 'ai.usage.tokens': 500 });
    expect(call).toMatchObject({ model: 'text-embedding-3-small', usage: { inputTokens: 500, outputTokens: 0 } });
    expect(call.problem).toBeUndefined();
  });

  it('reads the model of an OpenInference EMBEDDING span', () => {
    expect(read({ 'openinference.span.kind': 'EMBEDDING', 'embedding.model_name': 'text-embedding-3-small', 'llm.token_count.prompt': 5 }).model).toBe('text-embedding-3-small');
  });

  it("reads the Anthropic SDK's 5-minute / 1-hour split and service tier", () => {
    const base = { 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-haiku-4-5', 'gen_ai.usage.input_tokens': 5100, 'gen_ai.usage.output_tokens': 1, 'gen_ai.usage.cache_write.input_tokens': 3000 };
    expect(read({ ...base, 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 2000, 'anthropic.response.service_tier': 'priority' })).toMatchObject({
      serviceTier: 'priority',
      usage: { cacheWrite1hTokens: 2000 },
    });
    expect(read({ ...base, 'anthropic.usage.cache_creation.ephemeral_5m_input_tokens': 1000 }).usage?.cacheWrite1hTokens).toBe(2000);
    expect(read(base).usage?.cacheWrite1hTokens).toBeUndefined();
  });

  it('reads the OpenAI service tier, the response one first', () => {
    const base = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-5', 'gen_ai.usage.input_tokens': 1 };
    expect(read({ ...base, 'openai.request.service_tier': 'flex', 'openai.response.service_tier': 'default' }).serviceTier).toBe('standard');
    expect(read({ ...base, 'openai.request.service_tier': 'flex' }).serviceTier).toBe('flex');
    expect(read({ ...base, 'openai.request.service_tier': 'auto' }).serviceTier).toBeUndefined();
  });

  it.each([
    ['default', 'standard'],
    ['Standard', 'standard'],
    ['priority', 'priority'],
    ['flex', 'flex'],
    ['auto', undefined],
    [42, undefined],
    ['', undefined],
  ])('canonicalServiceTier(%j) is %j', (raw, expected) => {
    expect(canonicalServiceTier(raw)).toBe(expected);
  });

  it('prefers the usage genai-cost wrote over the span\'s own counts', () => {
    const call = read({
      'gen_ai.request.model': 'm',
      'gen_ai.usage.input_tokens': 100,
      'genai_cost.usage.input_tokens': 5100,
      'genai_cost.usage.output_tokens': 300,
      'genai_cost.usage.cache_read.input_tokens': 2000,
      'genai_cost.usage.cache_write.input_tokens': 3000,
      'genai_cost.usage.cache_write_1h.input_tokens': 2000,
      'genai_cost.usage.reasoning.output_tokens': 0,
    });
    expect(call.usage).toMatchObject({ inputTokens: 5100, cacheReadTokens: 2000, cacheWriteTokens: 3000, cacheWrite1hTokens: 2000, inputExcludedCache: false });
  });
});

const NO_DETAILS = { audioInputTokens: 0, audioOutputTokens: 0, imageInputTokens: 0, imageOutputTokens: 0, webSearchRequests: 0 };

describe('mergeUsage', () => {
  it('takes each count from the reading that has more of it, and the 1-hour split from the one that has it', () => {
    const a = {
      ...NO_DETAILS,
      inputTokens: 5100,
      outputTokens: 300,
      cacheReadTokens: 2000,
      cacheWriteTokens: 3000,
      cacheWrite1hTokens: undefined,
      reasoningTokens: 0,
      inputExcludedCache: true,
      cacheReadReported: true,
    };
    const b = { ...a, cacheReadTokens: 0, cacheWrite1hTokens: 2000, reasoningTokens: 20, inputExcludedCache: false, cacheReadReported: false };
    expect(mergeUsage(a, b)).toEqual({ ...a, cacheWrite1hTokens: 2000, reasoningTokens: 20 });
  });

  it('carries the audio and image parts and web searches of either reading, each within its total', () => {
    const plain = { ...NO_DETAILS, inputTokens: 1000, outputTokens: 200, cacheReadTokens: 400, cacheWriteTokens: 0, cacheWrite1hTokens: undefined, reasoningTokens: 0, inputExcludedCache: false, cacheReadReported: true };
    const detailed = { ...plain, cacheReadTokens: 0, audioInputTokens: 700, audioOutputTokens: 50, webSearchRequests: 2 };
    // 1,000 input of which 400 cached: at most 600 uncached audio tokens.
    expect(mergeUsage(plain, detailed)).toMatchObject({ cacheReadTokens: 400, audioInputTokens: 600, audioOutputTokens: 50, webSearchRequests: 2 });
  });
});
