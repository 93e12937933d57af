import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MeterProvider } from '@opentelemetry/api';
import type { AttributionField, GenAICostSpanProcessorOptions } from '@genai-cost/otel';
import type { SpanBatchPricer } from './BatchPricer.js';
import type { ReceiverLogger } from './logger.js';
import type { RowStore } from './RowStore.js';

/** Pricing options, as for `GenAICostSpanProcessor` (attribution keys are the receiver's `attributeKeys`). */
export type ReceiverPricingOptions = Omit<GenAICostSpanProcessorOptions, 'attributeKeys' | 'attributeAllSpans' | 'baggageKeys' | 'onSpanCost'>;

/** Options of `OtlpReceiver`; only `store` is required. */
export interface OtlpReceiverOptions {
  /** Where priced rows go (`ClickHouseRowStore`). */
  store: RowStore;
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
  /** Replaces the pricing seam (tests, or another implementation). Default: `ProcessorBatchPricer`. */
  pricer?: SpanBatchPricer;
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
