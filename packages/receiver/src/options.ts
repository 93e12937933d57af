import { z } from 'zod';
import { ATTRIBUTION_FIELDS, DEFAULT_ATTRIBUTE_KEYS, DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES, DEFAULT_MAX_TOKENS_PER_SPAN } from '@genai-cost/otel';
import type { AttributionField } from '@genai-cost/otel';
import { jsonLogger } from './logger.js';
import type { OtlpReceiverOptions, RecentModelCallsOptions } from './types.js';

/** Thrown at construction for an invalid option; the message names the option and the expected form. */
export class ReceiverConfigError extends Error {
  override readonly name = 'ReceiverConfigError';
}

/** The OTLP/HTTP port. */
export const DEFAULT_PORT = 4318;
/** Listening on loopback unless told otherwise: exposing the receiver is a decision. */
export const DEFAULT_HOST = '127.0.0.1';
/** The body limit the OTLP specification recommends. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/** How many model-call spans, and for how long, are remembered for duplicates across requests. */
export const DEFAULT_RECENT_MODEL_CALLS: Readonly<Required<RecentModelCallsOptions>> = { maxSpans: 100_000, maxAgeMs: 600_000 };
/** Headers a gateway Collector can set (`headers` of its otlp_http exporter, or the headers_setter extension). */
export const DEFAULT_HEADER_KEYS: Readonly<Partial<Record<AttributionField, string>>> = {
  tenantId: 'x-genai-cost-tenant-id',
  tier: 'x-genai-cost-tier',
};

const key = z.string().min(1, 'expected a non-empty attribute key');
const perField = <T extends z.ZodType>(value: T) =>
  z.strictObject(Object.fromEntries(ATTRIBUTION_FIELDS.map((f) => [f, value.optional()])) as Record<AttributionField, z.ZodOptional<T>>);
const pem = z.union([z.string().min(1), z.instanceof(Buffer)], { error: 'expected PEM text or a Buffer' });

const schema = z.strictObject({
  queue: z.custom((v) => typeof (v as { enqueue?: unknown } | null)?.enqueue === 'function', 'expected a SpanQueue'),
  acceptWhileUnavailable: z.boolean().optional(),
  ping: z.custom((v) => typeof v === 'function', 'expected a function').optional(),
  recentModelCalls: z
    .strictObject({
      maxSpans: z.number().int().nonnegative('expected 0 (off) or more spans').optional(),
      maxAgeMs: z.number().int().positive('expected a positive number of milliseconds').optional(),
    })
    .optional(),
  host: z.string().min(1, 'expected a host name or address').optional(),
  port: z.number().int().min(0).max(65_535, 'expected a port from 0 to 65535').optional(),
  maxBodyBytes: z.number().int().positive('expected a positive number of bytes').optional(),
  bearerToken: z.string().min(16, 'expected a token of at least 16 characters').optional(),
  tls: z.strictObject({ cert: pem, key: pem }).optional(),
  keepAllSpans: z.boolean().optional(),
  attributeKeys: perField(key).optional(),
  extraAttributeKeys: perField(z.array(key)).optional(),
  headerKeys: perField(z.string().regex(/^[A-Za-z0-9-]+$/, 'expected an HTTP header name')).optional(),
  pricing: z.record(z.string(), z.unknown()).optional(),
  retryAfterSeconds: z.number().int().positive('expected a positive number of seconds').optional(),
  drainTimeoutMs: z.number().int().nonnegative('expected 0 or more milliseconds').optional(),
  logger: z.custom((v) => typeof (v as { log?: unknown } | null)?.log === 'function', 'expected a logger with log()').optional(),
  meterProvider: z.custom((v) => typeof (v as { getMeter?: unknown } | null)?.getMeter === 'function', 'expected a MeterProvider').optional(),
  metricsHandler: z.custom((v) => typeof v === 'function', 'expected a function').optional(),
});

type Defaulted = 'host' | 'port' | 'maxBodyBytes' | 'keepAllSpans' | 'acceptWhileUnavailable' | 'retryAfterSeconds' | 'drainTimeoutMs' | 'logger';

/** Options with every default applied. */
export type ResolvedReceiverOptions = Required<Pick<OtlpReceiverOptions, Defaulted>> &
  Omit<OtlpReceiverOptions, Defaulted | 'attributeKeys' | 'headerKeys' | 'recentModelCalls'> & {
    attributeKeys: Record<AttributionField, string>;
    recentModelCalls: Required<RecentModelCallsOptions>;
    headerKeys: Partial<Record<AttributionField, string>>;
    inputExcludesCacheScopes: readonly string[];
    maxTokensPerSpan: number;
  };

/** Validates the options (errors name the option) and applies the defaults, in one place. */
export function resolveReceiverOptions(options: OtlpReceiverOptions): ResolvedReceiverOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(options)';
    throw new ReceiverConfigError(`OtlpReceiver option "${field}": ${issue.message}`);
  }
  const attributeKeys = { ...DEFAULT_ATTRIBUTE_KEYS };
  for (const f of ATTRIBUTION_FIELDS) if (options.attributeKeys?.[f] !== undefined) attributeKeys[f] = options.attributeKeys[f];
  const headerKeys: Partial<Record<AttributionField, string>> = {};
  for (const [f, h] of Object.entries({ ...DEFAULT_HEADER_KEYS, ...options.headerKeys })) if (h !== undefined) headerKeys[f as AttributionField] = h.toLowerCase();
  return {
    ...options,
    host: options.host ?? DEFAULT_HOST,
    port: options.port ?? DEFAULT_PORT,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    keepAllSpans: options.keepAllSpans ?? false,
    acceptWhileUnavailable: options.acceptWhileUnavailable ?? false,
    recentModelCalls: {
      maxSpans: options.recentModelCalls?.maxSpans ?? DEFAULT_RECENT_MODEL_CALLS.maxSpans,
      maxAgeMs: options.recentModelCalls?.maxAgeMs ?? DEFAULT_RECENT_MODEL_CALLS.maxAgeMs,
    },
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    drainTimeoutMs: options.drainTimeoutMs ?? 10_000,
    logger: options.logger ?? jsonLogger((line) => process.stderr.write(line)),
    attributeKeys,
    headerKeys,
    inputExcludesCacheScopes: options.pricing?.inputExcludesCacheScopes ?? DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES,
    maxTokensPerSpan: options.pricing?.maxTokensPerSpan ?? DEFAULT_MAX_TOKENS_PER_SPAN,
  };
}
