import { z } from 'zod';
import { PriceCatalog, readPriceFile } from '@genai-cost/pricing';
import type { CacheWriteTtl } from '@genai-cost/pricing';
import { ATTRIBUTION_FIELDS } from './attribution.js';
import type { AttributionField } from './attribution.js';
import { MIN_USER_ID_HMAC_KEY_BYTES, isUserIdHmacKey } from './pseudonymize.js';
import type { GenAICostSpanProcessorOptions, SpanCostEvent, ToolCallEvent } from './types.js';

/** Thrown at construction for an invalid option; the message names the option and the expected form. */
export class GenAICostConfigError extends Error {
  override readonly name = 'GenAICostConfigError';
}

/** Default span attribute key per attribution field (OTel's `user.id` and `session.id`, `saas.*` for the rest). */
export const DEFAULT_ATTRIBUTE_KEYS: Readonly<Record<AttributionField, string>> = {
  userId: 'user.id',
  tier: 'saas.tier',
  feature: 'saas.feature',
  sessionId: 'session.id',
  tenantId: 'saas.tenant.id',
};

/** Instrumentations whose Anthropic spans report input tokens without cached tokens. */
export const DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES: readonly string[] = ['@traceloop/instrumentation-anthropic', 'openlit'];

/** Token counts above this mark a span's usage invalid. */
export const DEFAULT_MAX_TOKENS_PER_SPAN = 50_000_000;

/** Ceiling in USD on one span's cost, preset or computed. */
export const DEFAULT_MAX_COST_PER_SPAN_USD = 1_000;

/** The largest ceiling accepted: the stored cost column holds 8 integer digits of USD. */
export const MAX_COST_CEILING_USD = 99_999_999;

/** Instrumentations known to drop cached-token counts (measured on `@opentelemetry/instrumentation-openai` 0.21, `@traceloop/instrumentation-openai` 0.27). */
export const DEFAULT_DROPS_CACHED_TOKENS_SCOPES: readonly string[] = ['@opentelemetry/instrumentation-openai', '@traceloop/instrumentation-openai'];

const attributeKey = z.string().min(1, 'expected a non-empty attribute key');
const keysPerField = z.strictObject(
  Object.fromEntries(ATTRIBUTION_FIELDS.map((f) => [f, attributeKey.optional()])) as Record<
    AttributionField,
    z.ZodOptional<typeof attributeKey>
  >,
);

const optionsSchema = z.strictObject({
  catalog: z.custom<PriceCatalog>((v) => v instanceof PriceCatalog, 'expected a PriceCatalog').optional(),
  prices: z.array(z.unknown(), { error: 'expected an array of price entries' }).optional(),
  priceFile: z.string().min(1, 'expected a path to a JSON or YAML file').optional(),
  attributeKeys: keysPerField.optional(),
  attributeAllSpans: z.boolean().optional(),
  baggageKeys: keysPerField.optional(),
  overrideExistingCost: z.boolean().optional(),
  userIdHmacKey: z
    .union([z.string(), z.instanceof(Uint8Array)], { error: 'expected a string or Uint8Array' })
    .refine(isUserIdHmacKey, `expected a key of at least ${MIN_USER_ID_HMAC_KEY_BYTES} bytes`)
    .optional(),
  cacheWriteTtl: z.enum(['5m', '1h']).optional(),
  inputExcludesCacheScopes: z.array(z.string().min(1)).optional(),
  maxTokensPerSpan: z.number().int().positive().optional(),
  maxCostPerSpanUsd: z
    .number({ error: 'expected a number of USD' })
    .positive('expected a positive number of USD')
    .max(MAX_COST_CEILING_USD, `expected at most ${MAX_COST_CEILING_USD} USD (the stored cost column's range)`)
    .optional(),
  dropsCachedTokensScopes: z.array(z.string().min(1, 'expected a non-empty scope prefix')).optional(),
  maxOpenModelSpans: z.number().int().positive('expected a positive number of spans').optional(),
  maxOpenModelSpanAgeMs: z.number().int().positive('expected a positive number of milliseconds').optional(),
  onSpanCost: z.custom<(event: SpanCostEvent) => void>((v) => typeof v === 'function', 'expected a function').optional(),
  onToolCall: z.custom<(event: ToolCallEvent) => void>((v) => typeof v === 'function', 'expected a function').optional(),
});

/** The names of the processor's options, for an entry point that splits one configuration between components. */
export const PROCESSOR_OPTION_KEYS: readonly (keyof GenAICostSpanProcessorOptions)[] = Object.keys(optionsSchema.shape) as (keyof GenAICostSpanProcessorOptions)[];

/** Options with every default applied. */
export interface ResolvedProcessorOptions {
  catalog: PriceCatalog;
  attributeKeys: Record<AttributionField, string>;
  attributeAllSpans: boolean;
  baggageKeys: Partial<Record<AttributionField, string>> | undefined;
  overrideExistingCost: boolean;
  userIdHmacKey: string | Uint8Array | undefined;
  cacheWriteTtl: CacheWriteTtl;
  inputExcludesCacheScopes: readonly string[];
  maxTokensPerSpan: number;
  maxCostPerSpanUsd: number;
  dropsCachedTokensScopes: readonly string[];
  maxOpenModelSpans: number;
  maxOpenModelSpanAgeMs: number;
  onSpanCost: ((event: SpanCostEvent) => void) | undefined;
  onToolCall: ((event: ToolCallEvent) => void) | undefined;
}

function definedOnly(keys: Partial<Record<AttributionField, string | undefined>> | undefined): Partial<Record<AttributionField, string>> {
  const out: Partial<Record<AttributionField, string>> = {};
  for (const f of ATTRIBUTION_FIELDS) if (keys?.[f] !== undefined) out[f] = keys[f];
  return out;
}

/** Validates the options (errors name the option) and applies defaults in one place. */
export function resolveProcessorOptions(options: GenAICostSpanProcessorOptions = {}): ResolvedProcessorOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new GenAICostConfigError(`GenAICostSpanProcessor option "${[...issue.path, issue.keys[0]].join('.')}": not an option (a typo?)`);
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : '(options)';
    throw new GenAICostConfigError(`GenAICostSpanProcessor option "${field}": ${issue.message}`);
  }
  const o = parsed.data;
  let catalog = options.catalog ?? PriceCatalog.builtin();
  if (options.prices !== undefined) catalog = catalog.withPrices(options.prices, 'option "prices"');
  if (o.priceFile !== undefined) catalog = catalog.withPrices(readPriceFile(o.priceFile), o.priceFile);
  const baggageKeys = o.baggageKeys !== undefined && Object.keys(o.baggageKeys).length > 0 ? o.baggageKeys : undefined;
  return {
    catalog,
    attributeKeys: { ...DEFAULT_ATTRIBUTE_KEYS, ...definedOnly(o.attributeKeys) },
    attributeAllSpans: o.attributeAllSpans ?? false,
    baggageKeys: baggageKeys === undefined ? undefined : definedOnly(baggageKeys),
    overrideExistingCost: o.overrideExistingCost ?? false,
    userIdHmacKey: o.userIdHmacKey,
    cacheWriteTtl: o.cacheWriteTtl ?? '5m',
    inputExcludesCacheScopes: o.inputExcludesCacheScopes ?? DEFAULT_INPUT_EXCLUDES_CACHE_SCOPES,
    maxTokensPerSpan: o.maxTokensPerSpan ?? DEFAULT_MAX_TOKENS_PER_SPAN,
    maxCostPerSpanUsd: o.maxCostPerSpanUsd ?? DEFAULT_MAX_COST_PER_SPAN_USD,
    dropsCachedTokensScopes: o.dropsCachedTokensScopes ?? DEFAULT_DROPS_CACHED_TOKENS_SCOPES,
    maxOpenModelSpans: o.maxOpenModelSpans ?? 10_000,
    maxOpenModelSpanAgeMs: o.maxOpenModelSpanAgeMs ?? 600_000,
    onSpanCost: o.onSpanCost,
    onToolCall: o.onToolCall,
  };
}
