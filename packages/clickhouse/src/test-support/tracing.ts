import { context, SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';
import type { Attribution } from '@genai-cost/otel';

/** Round prices (USD per million tokens), so expected costs can be worked out by hand. */
export const TEST_PRICES = [{ provider: 'openai', model: 'gpt-test', input: 2, output: 8, cacheRead: 0.5 }];

/**
 * A real tracer provider: the genai-cost processor with TEST_PRICES, then `processors` (e.g. a
 * BatchSpanProcessor with the exporter under test), then an in-memory copy of every span.
 */
export function createTestTracing(processors: SpanProcessor[] = []) {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test-app' }),
    spanProcessors: [new GenAICostSpanProcessor({ prices: TEST_PRICES }), ...processors, new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('test-instrumentation');
  return {
    provider,
    /** Every span ended so far. */
    spans: (): ReadableSpan[] => memory.getFinishedSpans(),
    /** Ends a span named `name` with `attrs`, inside `attribution` when given. */
    span(name: string, attrs: Attributes, attribution: Attribution = {}, kind = SpanKind.CLIENT): void {
      withAttribution(attribution, () => tracer.startSpan(name, { kind, attributes: attrs }).end());
    },
    /** Runs `fn` inside an active span named `name`, ended after `fn`. */
    within(name: string, attrs: Attributes, attribution: Attribution, fn: () => void): void {
      withAttribution(attribution, () =>
        tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes: attrs }, (parent) => {
          fn();
          parent.end();
        }),
      );
    },
    async close(): Promise<void> {
      await provider.shutdown();
      context.disable();
    },
  };
}

/** Attributes of an OpenAI chat call on gpt-test costing 1000 × $2 + 200 × ($0.5 − $2) + 500 × $8 per million = $0.0057. */
export const CHAT_ATTRS: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-test',
  'gen_ai.usage.input_tokens': 1000,
  'gen_ai.usage.cache_read.input_tokens': 200,
  'gen_ai.usage.output_tokens': 500,
};
