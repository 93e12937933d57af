// Prices one Anthropic call traced by the SDK under an OpenInference-style parent, through the real
// SDK, and prints the @opentelemetry/api version in use and what came out, as JSON.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new GenAICostSpanProcessor(), new SimpleSpanProcessor(memory)] });
trace.setGlobalTracerProvider(provider);
const usage = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-haiku-4-5', 'gen_ai.usage.input_tokens': 5100, 'gen_ai.usage.cache_read.input_tokens': 2000, 'gen_ai.usage.cache_write.input_tokens': 3000, 'anthropic.usage.cache_creation.ephemeral_1h_input_tokens': 2000, 'gen_ai.usage.output_tokens': 300 };
withAttribution({ userId: 'u-1' }, () => {
  const tracer = trace.getTracer('scenario');
  tracer.startActiveSpan('outer', { kind: SpanKind.INTERNAL, attributes: usage }, (outer) => {
    tracer.startSpan('inner', { kind: SpanKind.CLIENT, attributes: usage }).end();
    outer.end();
  });
});
const registry = (globalThis as Record<symbol, { version?: string } | undefined>)[Symbol.for('opentelemetry.js.api.1')];
const spans = memory.getFinishedSpans().map((s) => ({ name: s.name, cost: s.attributes['gen_ai.usage.cost'], role: s.attributes['genai_cost.span.role'], user: s.attributes['user.id'] }));
console.log(JSON.stringify({ api: registry?.version, spans }));
