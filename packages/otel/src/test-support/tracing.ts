import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { PriceCatalog } from '@genai-cost/pricing';
import { GenAICostSpanProcessor } from '../GenAICostSpanProcessor.js';
import type { GenAICostSpanProcessorOptions } from '../types.js';

/** A small catalog with round prices, so expected costs can be worked out by hand in tests. */
export const TEST_CATALOG = PriceCatalog.empty().withPrices([
  { provider: 'openai', model: 'gpt-test', input: 2, output: 8, cacheRead: 0.5 },
  { provider: 'anthropic', model: 'claude-test', input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75, cacheWrite1h: 6 },
  {
    provider: 'openai',
    model: 'o-test',
    prices: [
      { effectiveFrom: '2025-01-01', input: 10, output: 40 },
      { effectiveFrom: '2025-06-10', input: 2, output: 8 },
    ],
  },
]);

/** A real NodeTracerProvider with the processor under test ahead of an in-memory exporter. */
export function createTestTracing(options: GenAICostSpanProcessorOptions = {}) {
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  const processor = new GenAICostSpanProcessor({ catalog: TEST_CATALOG, ...options });
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test-instrumentation');
  return {
    processor,
    exporter,
    provider,
    tracer,
    /** The finished span with this name. */
    span(name: string): ReadableSpan {
      const found = exporter.getFinishedSpans().find((s) => s.name === name);
      if (found === undefined) throw new Error(`no finished span named ${name}`);
      return found;
    },
    async close(): Promise<void> {
      await provider.shutdown();
      context.disable();
    },
  };
}
