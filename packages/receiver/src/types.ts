import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MeterProvider } from '@opentelemetry/api';
import type { SpanQueue } from '@genai-cost/clickhouse';
import type { AttributionField, GenAICostSpanProcessorOptions } from '@genai-cost/otel';
import type { ReceiverLogger } from './logger.js';

/** Pricing options, as for `GenAICostSpanProcessor` (attribution keys are the receiver's `attributeKeys`). */
export type ReceiverPricingOptions = Omit<GenAICostSpanProcessorOptions, 'attributeKeys' | 'attributeAllSpans' | 'baggageKeys' | 'onSpanCost' | 'maxOpenModelSpans' | 'maxOpenModelSpanAgeMs'>;

/** What the receiver uses of the durable queue in front of ClickHouse: `SpanQueue` of `@genai-cost/clickhouse`. */
export type ReceiverQueue = Pick<SpanQueue, 'enqueue' | 'readiness' | 'getStats' | 'shutdown'>;

/** The memory of recent model-call spans, for duplicates across requests. */
export interface RecentModelCallsOptions {
  /** Model-call spans remembered at most; 0 turns the memory off. Default: 100,000. */
  maxSpans?: number;
  /** How long a span is remembered, ms. Default: 600,000 (10 minutes). */
  maxAgeMs?: number;
}

/** Options of `OtlpReceiver`; only `queue` is required. */
export interface OtlpReceiverOptions {
  /** Where priced rows go: a `SpanQueue`, which the receiver shuts down with itself. */
  queue: ReceiverQueue;
  /**
   * Take exports while ClickHouse inserts fail, the queue holding them. Default: false: answer 503
   * with Retry-After, so clients keep the data (an in-memory queue would lose it in a crash); set it
   * when the queue has a spool directory.
   */
  acceptWhileUnavailable?: boolean;
  /** Checks ClickHouse for `GET /readyz` until the queue's first insert tells. Default: none (ready until an insert fails). */
  ping?: () => Promise<boolean>;
  /** Bounds of the memory of recent model-call spans (duplicates across requests). Default: 100,000 spans, 10 minutes. */
  recentModelCalls?: RecentModelCallsOptions;
  /** Interface to listen on. Default: `127.0.0.1`. */
  host?: string;
  /** Port; 0 picks a free one. Default: 4318, the OTLP/HTTP port. */
  port?: number;
  /** Largest request body after decompression, bytes; larger ones get 413. Default: 64 MiB. */
  maxBodyBytes?: number;
  /** When set, `POST /v1/traces` needs `Authorization: Bearer <token>`. Default: none (no auth). */
  bearerToken?: string;
  /** Serve HTTPS with this PEM certificate and key. Default: plain HTTP (put TLS on a proxy in front). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Store non-GenAI spans too. Default: false (they are dropped and counted). */
  keepAllSpans?: boolean;
  /** Our attribute key per attribution field, read first and written back. Default: `user.id`, `saas.tier`, `saas.feature`, `session.id`, `saas.tenant.id`. */
  attributeKeys?: Partial<Record<AttributionField, string>>;
  /** More attribute keys per field, read after ours and before the other SDKs' keys. Default: none. */
  extraAttributeKeys?: Partial<Record<AttributionField, string[]>>;
  /** Request header per field that a gateway may set, used where spans and resources say nothing. Default: tenantId `x-genai-cost-tenant-id`, tier `x-genai-cost-tier`. */
  headerKeys?: Partial<Record<AttributionField, string>>;
  /** Catalog, custom prices and the other pricing options. Default: the built-in catalog. */
  pricing?: ReceiverPricingOptions;
  /** Retry-After sent when shutting down or on an unexpected failure, seconds. Default: 5. */
  retryAfterSeconds?: number;
  /** How long `shutdown()` waits for requests in progress, ms. Default: 10,000. */
  drainTimeoutMs?: number;
  /** Structured log sink. Default: JSON lines on stderr. */
  logger?: ReceiverLogger;
  /** Meter provider for the receiver's metrics. Default: the global one. */
  meterProvider?: MeterProvider;
  /** Serves `GET /metrics` (e.g. a Prometheus exporter's handler). Default: none (404). */
  metricsHandler?: (req: IncomingMessage, res: ServerResponse) => void;
}
