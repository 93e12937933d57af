import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SessionEmitter } from './emit.js';
import type { DemoSession } from './sessions.js';

/** The service name of the sessions sent over OTLP, so they can be told apart from the in-process ones. */
export const OTLP_SERVICE_NAME = 'genai-cost-demo-otlp';

/** What became of the spans handed to the OTLP exporter. */
export interface OtlpSendStats {
  /** Spans the endpoint answered with success. */
  exportedSpans: number;
  /** Spans whose export failed after the exporter's own retries. */
  failedSpans: number;
}

/** Counts what the wrapped exporter reports, so the demo can say what reached the endpoint. */
class CountingExporter implements SpanExporter {
  readonly stats: OtlpSendStats = { exportedSpans: 0, failedSpans: 0 };
  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.stats.exportedSpans += spans.length;
      else this.stats.failedSpans += spans.length;
      done(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/**
 * Demo sessions sent the way an app in another language sends them: a tracer provider with no
 * genai-cost processor, the attribution on the spans as attributes, and the real OTLP/HTTP
 * protobuf exporter to `endpoint` (an OpenTelemetry Collector, or `genai-cost serve` itself),
 * where the receiver prices and stores them.
 */
export class OtlpSessions {
  private readonly provider: BasicTracerProvider;
  private readonly exporter: CountingExporter;
  private readonly emitter: SessionEmitter;
  private emitted = 0;

  constructor(endpoint: string) {
    const compression = 'gzip' as NonNullable<ConstructorParameters<typeof OTLPTraceExporter>[0]>['compression'];
    this.exporter = new CountingExporter(new OTLPTraceExporter({ url: `${endpoint}/v1/traces`, compression }));
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': OTLP_SERVICE_NAME }),
      spanProcessors: [new BatchSpanProcessor(this.exporter, { maxQueueSize: 10_000, scheduledDelayMillis: 1_000 })],
    });
    this.emitter = new SessionEmitter(this.provider, 'attributes');
  }

  /** Emits a session's spans; returns how many. */
  emit(session: DemoSession): number {
    const n = this.emitter.emit(session);
    this.emitted += n;
    return n;
  }

  /** Spans emitted so far. */
  get emittedSpans(): number {
    return this.emitted;
  }

  /** What the endpoint took and refused so far. */
  stats(): OtlpSendStats {
    return { ...this.exporter.stats };
  }

  /** Sends what is buffered, then stops. */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
