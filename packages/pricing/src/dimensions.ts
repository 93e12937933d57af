import { z } from 'zod';

/**
 * Schemas of the billing dimensions a price period may carry beyond its base text rates: service
 * tiers, regions, time-of-day windows, audio / image / video token rates and per-request charges.
 * Each is optional; a period without them prices every call at its base rates.
 */

/** A price in USD per one million tokens (or per 1,000 requests where named so). */
export const usdRate = z.number().finite().nonnegative();

/** Rates of one token modality (audio, image, video); a missing rate falls back to the text rate. */
export const modalityRatesSchema = z.strictObject({
  input: usdRate.optional(),
  output: usdRate.optional(),
  cacheRead: usdRate.optional(),
});

const multiplier = z.number().finite().positive();

/** Rates that replace the base rates when a request's input exceeds a context-length threshold. */
export const priceTierSchema = z.strictObject({
  /** The tier applies when the request's whole input (cache reads and writes included) is above this. */
  aboveInputTokens: z.number().int().nonnegative(),
  input: usdRate,
  output: usdRate,
  cacheRead: usdRate.optional(),
  cacheWrite: usdRate.optional(),
  cacheWrite1h: usdRate.optional(),
});

function tiersAscending(tiers: readonly { aboveInputTokens: number }[] | undefined, ctx: z.RefinementCtx, path: PropertyKey[]): void {
  const list = tiers ?? [];
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.aboveInputTokens <= list[i - 1]!.aboveInputTokens) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, i, 'aboveInputTokens'],
        message: 'expected tiers in ascending order of aboveInputTokens, without repeats',
      });
    }
  }
}

/** Own rates of a service tier, with their own context tiers. */
const serviceTierRates = z.strictObject({
  input: usdRate,
  output: usdRate,
  cacheRead: usdRate.optional(),
  cacheWrite: usdRate.optional(),
  cacheWrite1h: usdRate.optional(),
  tiers: z.array(priceTierSchema).optional(),
});

/** A service tier's price: a multiplier of every standard rate, or rates of its own. */
export const serviceTierPriceSchema = z.union([z.strictObject({ multiplier }), serviceTierRates], {
  error: 'expected { multiplier } or { input, output, ... }',
});

/** Service tiers a provider sells besides standard. */
export const SERVICE_TIERS = ['batch', 'flex', 'priority', 'fast', 'scale'] as const;
/** One of {@link SERVICE_TIERS}. */
export type ServiceTier = (typeof SERVICE_TIERS)[number];

export const serviceTiersSchema = z.partialRecord(z.enum(SERVICE_TIERS), serviceTierPriceSchema);

/**
 * Region classes and their multipliers of every rate, e.g. `{ "geo": 1.1, "us-gov": 1.2 }`. The
 * class of a call comes from its model id (Bedrock `us.` / `global.` / `us-gov.` prefixes and
 * ARNs) or from a region hint (Anthropic `inference_geo`, an Azure data-zone deployment).
 */
export const regionsSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a region class such as "geo", "us-gov" or "data-zone"'),
  multiplier,
);

/** Days of the week, in the order of `Date.getUTCDay()`. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'expected a UTC time as HH:MM');

/**
 * A time-of-day window (UTC) with its own price: a multiplier of the base rates. Windows may wrap
 * midnight (`start` after `end`); several windows may share a name (DeepSeek's two peak spans).
 */
export const timeWindowSchema = z
  .strictObject({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected a window name such as "peak"'),
    days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
    start: hhmm,
    end: hhmm,
    multiplier,
  })
  .refine((w) => w.start !== w.end, { message: 'expected start and end to differ', path: ['end'] });

/** Charges per 1,000 requests or tool calls, by kind (`request`, `web_search`, ...), in USD. */
export const requestChargesSchema = z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a charge name such as "web_search"'), usdRate);

/** The dimension fields shared by catalog and user price periods. */
export const dimensionFields = {
  tiers: z.array(priceTierSchema).optional(),
  audio: modalityRatesSchema.optional(),
  image: modalityRatesSchema.optional(),
  video: modalityRatesSchema.optional(),
  serviceTiers: serviceTiersSchema.optional(),
  regions: regionsSchema.optional(),
  /** Name of the window the base rates are (`off-peak`), for the price id. */
  baseWindow: z.string().regex(/^[a-z][a-z0-9-]*$/).optional(),
  timeWindows: z.array(timeWindowSchema).min(1).optional(),
  requests: requestChargesSchema.optional(),
};

/** Cross-field rules of a period's dimensions. */
export function checkDimensions(
  p: { tiers?: { aboveInputTokens: number }[] | undefined; serviceTiers?: Record<string, unknown> | undefined },
  ctx: z.RefinementCtx,
): void {
  tiersAscending(p.tiers, ctx, ['tiers']);
  for (const [name, tier] of Object.entries(p.serviceTiers ?? {})) {
    const t = tier as { tiers?: { aboveInputTokens: number }[] };
    tiersAscending(t.tiers, ctx, ['serviceTiers', name, 'tiers']);
  }
}

export type PriceTier = z.infer<typeof priceTierSchema>;
export type ModalityRates = z.infer<typeof modalityRatesSchema>;
export type ServiceTierPrice = z.infer<typeof serviceTierPriceSchema>;
export type TimeWindow = z.infer<typeof timeWindowSchema>;
