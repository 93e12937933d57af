import { setTimeout as sleep } from 'node:timers/promises';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClickHouseClient } from '@clickhouse/client';
import { ClickHouseSpanExporter } from '@genai-cost/clickhouse';
import type { ExporterStats } from '@genai-cost/clickhouse';
import { GenAICostSpanProcessor } from '@genai-cost/otel';
import type { ProcessorStats } from '@genai-cost/otel';
import type { PriceCatalog } from '@genai-cost/pricing';
import { SessionEmitter } from './emit.js';
import type { DemoSession } from './sessions.js';

/** Options of {@link DemoPipeline}. */
export interface DemoPipelineOptions {
  client: ClickHouseClient;
  database: string;
  catalog: PriceCatalog;
  /** Spans the batch processor may hold: at least all the spans the demo makes, so none is dropped. */
  maxQueueSize: number;
}

/** The largest batch of one insert: big inserts are what ClickHouse likes. */
const MAX_EXPORT_BATCH = 5_000;
/** Spans emitted but not yet stored above which emitting pauses, to bound memory. */
const HIGH_WATER = 40_000;
/** Emitting yields to the event loop after this many spans, so exports run alongside. */
const YIELD_EVERY = 2_000;

/**
 * The OpenTelemetry pipeline of an instrumented application: a tracer provider whose spans go
 * through GenAICostSpanProcessor (attribution and cost) and a BatchSpanProcessor into
 * ClickHouseSpanExporter, with an async-hooks context manager so `withAttribution` reaches the spans.
 */
export class DemoPipeline {
  private readonly provider: BasicTracerProvider;
  private readonly processor: GenAICostSpanProcessor;
  private readonly exporter: ClickHouseSpanExporter;
  private readonly emitter: SessionEmitter;
  private readonly ownsContextManager: boolean;
  private emitted = 0;
  private sinceYield = 0;

  constructor(options: DemoPipelineOptions) {
    this.ownsContextManager = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    this.processor = new GenAICostSpanProcessor({ catalog: options.catalog });
    this.exporter = new ClickHouseSpanExporter({ client: options.client, database: options.database });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'genai-cost-demo' }),
      spanProcessors: [
        this.processor,
        new BatchSpanProcessor(this.exporter, {
          maxExportBatchSize: MAX_EXPORT_BATCH,
          maxQueueSize: Math.max(options.maxQueueSize, MAX_EXPORT_BATCH),
          scheduledDelayMillis: 1_000,
        }),
      ],
    });
    this.emitter = new SessionEmitter(this.provider);
  }

  /** Emits a session's spans; now and then yields, and waits while too many spans are unexported. */
  async emit(session: DemoSession): Promise<number> {
    const n = this.emitter.emit(session);
    this.emitted += n;
    this.sinceYield += n;
    if (this.sinceYield >= YIELD_EVERY) {
      this.sinceYield = 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.emitted - this.settled() > HIGH_WATER) await sleep(5);
    }
    return n;
  }

  /** Spans emitted so far. */
  get emittedSpans(): number {
    return this.emitted;
  }

  /** Exports everything emitted so far and waits until the exporter has stored it. */
  async flush(): Promise<void> {
    await this.provider.forceFlush();
    await this.exporter.forceFlush();
  }

  /** Flushes and shuts the provider down; restores the global context manager. */
  async shutdown(): Promise<void> {
    try {
      await this.provider.shutdown();
    } finally {
      if (this.ownsContextManager) context.disable();
    }
  }

  /** The exporter's counters. */
  exporterStats(): ExporterStats {
    return this.exporter.getStats();
  }

  /** The processor's counters. */
  processorStats(): ProcessorStats {
    return this.processor.getStats();
  }

  /** Spans the exporter is done with: stored, skipped, dead-lettered, refused or dropped. */
  private settled(): number {
    const s = this.exporter.getStats();
    const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    return s.storedSpans + s.skippedSpans + s.deadLetteredSpans + s.unmappableSpans + sum(s.refusedSpans) + sum(s.droppedSpans);
  }
}
