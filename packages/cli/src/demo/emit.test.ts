import { afterAll, describe, expect, it } from 'vitest';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { GenAICostSpanProcessor, readCall } from '@genai-cost/otel';
import { PriceCatalog, computeCost, ratesFor } from '@genai-cost/pricing';
import { SessionEmitter } from './emit.js';
import { generateHistory } from './history.js';
import { DEMO_MODELS } from './saas.js';
import type { DemoCall } from './sessions.js';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const history = generateHistory({ users: 150, days: 4, seed: 3, nowMs: NOW });
/** As the exporter reads usage: the processor's normaliser, with its default scopes. */
const USAGE_OPTIONS = { inputExcludesCacheScopes: ['@traceloop/instrumentation-anthropic'], maxTokens: 50_000_000 };

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new InMemorySpanExporter();
const processor = new GenAICostSpanProcessor();
const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
const emitter = new SessionEmitter(provider);
const emitted = history.sessions.reduce((n, s) => n + emitter.emit(s), 0);
const spans = exporter.getFinishedSpans();
const startMs = (s: ReadableSpan) => s.startTime[0] * 1000 + s.startTime[1] / 1e6;

afterAll(async () => {
  await provider.shutdown();
  context.disable();
});

/** The span of a call, found by its start time and model (unique in practice). */
function spanOf(call: DemoCall): ReadableSpan {
  const found = spans.filter((s) => startMs(s) === call.startMs && s.attributes['gen_ai.request.model'] === call.model.requestModel && s.kind !== 0);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('SessionEmitter through the real SDK and GenAICostSpanProcessor', () => {
  it('emits one span per call plus one per agent run', () => {
    expect(emitted).toBe(history.spanCount);
    expect(spans).toHaveLength(history.spanCount);
  });

  it('reports usage the way each instrumentation does, which the normaliser reads back exactly, and prices it', () => {
    const catalog = PriceCatalog.builtin();
    let checked = 0;
    for (const session of history.sessions) {
      for (const call of session.calls) {
        if (call.model === DEMO_MODELS.fineTuned) continue;
        const span = spanOf(call);
        const usage = readCall(span.attributes, 'inference', span.instrumentationScope.name, USAGE_OPTIONS).usage!;
        expect(usage).toMatchObject({
          inputTokens: call.inputTokens,
          outputTokens: call.outputTokens,
          cacheReadTokens: call.cacheReadTokens,
          cacheWriteTokens: call.cacheWriteTokens,
          reasoningTokens: call.reasoningTokens,
        });
        const resolved = catalog.resolve(call.model.responseModel, { provider: call.model.provider, at: call.startMs })!;
        expect(span.attributes['gen_ai.usage.cost']).toBe(computeCost(call, ratesFor(resolved.period, call.inputTokens)).totalUsd);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(500);
    // Anthropic spans carry input without the cache, in the legacy attribute names.
    const anthropic = spans.find((s) => s.instrumentationScope.name === '@traceloop/instrumentation-anthropic' && Number(s.attributes['gen_ai.usage.cache_read_input_tokens']) > 0)!;
    const normalised = readCall(anthropic.attributes, 'inference', anthropic.instrumentationScope.name, USAGE_OPTIONS).usage!;
    expect(normalised.inputExcludedCache).toBe(true);
  });

  it('puts agent calls under an invoke_agent wrapper that repeats their usage and is not priced', () => {
    const agent = history.sessions.find((s) => s.agent)!;
    const wrapper = spans.find((s) => s.name === 'invoke_agent research-agent' && s.attributes['session.id'] === agent.attribution.sessionId)!;
    expect(wrapper.attributes['genai_cost.span.role']).toBe('wrapper');
    expect(wrapper.attributes['gen_ai.usage.cost']).toBeUndefined();
    expect(wrapper.attributes['gen_ai.usage.input_tokens']).toBe(agent.calls.reduce((n, c) => n + c.inputTokens, 0));
    for (const call of agent.calls) {
      const span = spanOf(call);
      expect(span.parentSpanContext?.spanId).toBe(wrapper.spanContext().spanId);
      expect(span.attributes['gen_ai.usage.cost']).toBeGreaterThan(0);
    }
    expect(processor.getStats().wrapperSpans).toBe(history.sessions.filter((s) => s.agent).length);
  });

  it('attributes every span through withAttribution: user sessions and account-level jobs', () => {
    const session = history.sessions.find((s) => s.attribution.userId !== undefined && s.attribution.tenantId !== undefined)!;
    expect(spanOf(session.calls[0]!).attributes).toMatchObject({
      'user.id': session.attribution.userId,
      'saas.tier': session.attribution.tier,
      'saas.feature': session.attribution.feature,
      'session.id': session.attribution.sessionId,
      'saas.tenant.id': session.attribution.tenantId,
    });
    const job = history.sessions.find((s) => s.attribution.userId === undefined)!;
    const a = spanOf(job.calls[0]!).attributes;
    expect(a['user.id']).toBeUndefined();
    expect(a).toMatchObject({ 'saas.tenant.id': job.attribution.tenantId, 'saas.tier': job.attribution.tier });
  });

  it('flags the fine-tuned model as unpriced rather than costing it $0', () => {
    const ft = spans.filter((s) => s.attributes['gen_ai.request.model'] === DEMO_MODELS.fineTuned.requestModel);
    expect(ft.length).toBeGreaterThan(0);
    for (const s of ft) {
      expect(s.attributes['genai_cost.unpriced']).toBe(true);
      expect(s.attributes['gen_ai.usage.cost']).toBeUndefined();
    }
  });
});
