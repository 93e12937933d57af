import { context, SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GenAICostSpanProcessor, setAttribution } from '@genai-cost/otel';
import { interleaved } from './stats.js';

/** Stands in for the exporting processor, identical in both pipelines. */
class CountingProcessor implements SpanProcessor {
  ended = 0;
  onStart(): void {}
  onEnd(_span: ReadableSpan): void {
    this.ended++;
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const GENAI_ATTRS: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 300,
  'gen_ai.usage.cache_read.input_tokens': 1024,
};
/** A call whose price has dimensions: the flex tier the response reports, and audio input tokens. */
const DIMENSION_ATTRS: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-5-mini',
  'gen_ai.response.model': 'gpt-5-mini-2025-08-07',
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 300,
  'gen_ai.usage.cache_read.input_tokens': 1024,
  'gen_ai.usage.audio.input_tokens': 100,
  'openai.response.service_tier': 'flex',
};
const HTTP_ATTRS: Attributes = { 'http.request.method': 'GET', 'url.path': '/api/items', 'http.response.status_code': 200 };

/** Prints the span processor's added cost per GenAI span (plain, and one priced with a service tier and audio tokens) and per non-GenAI span against the same pipeline without it. */
export function benchProcessor(): void {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const baseline = new BasicTracerProvider({ spanProcessors: [new CountingProcessor()] }).getTracer('bench');
  const withCost = new BasicTracerProvider({ spanProcessors: [new GenAICostSpanProcessor(), new CountingProcessor()] }).getTracer('bench');
  const attributed = setAttribution(context.active(), { userId: 'user-1', tier: 'solo', feature: 'chat', sessionId: 's-1' });

  const span = (tracer: typeof baseline, attrs: Attributes) => () => {
    tracer.startSpan('span', { kind: SpanKind.CLIENT, attributes: attrs }, attributed).end();
  };
  const variants = {
    'genai, baseline': span(baseline, GENAI_ATTRS),
    'genai, with processor': span(withCost, GENAI_ATTRS),
    'dimensions, baseline': span(baseline, DIMENSION_ATTRS),
    'dimensions, with processor': span(withCost, DIMENSION_ATTRS),
    'other, baseline': span(baseline, HTTP_ATTRS),
    'other, with processor': span(withCost, HTTP_ATTRS),
  };
  interleaved(3, 20_000, variants); // warm-up: JIT and the price memo
  const ns = interleaved(25, 20_000, variants);

  const row = (kind: string, target: number) => {
    const base = ns[`${kind}, baseline`]!;
    const withP = ns[`${kind}, with processor`]!;
    const added = (withP - base) / 1000;
    console.log(
      `processor  ${kind.padEnd(10)} span: baseline ${(base / 1000).toFixed(3)} µs, with processor ${(withP / 1000).toFixed(3)} µs, ` +
        `ratio ${(withP / base).toFixed(2)}×, added ${added.toFixed(3)} µs (target ≤ ${target} µs: ${added <= target ? 'met' : 'MISSED'})`,
    );
  };
  row('genai', 2);
  row('dimensions', 2);
  row('other', 0.3);
}
