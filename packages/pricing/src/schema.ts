import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A price in USD per one million tokens. */
const usdPerMillion = z.number().finite().nonnegative();

const isoDate = z
  .string()
  .regex(DATE, 'expected a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'expected a real calendar date');

/** Rates that replace the base rates when a request's input exceeds a context-length threshold. */
export const priceTierSchema = z.strictObject({
  aboveInputTokens: z.number().int().positive(),
  input: usdPerMillion,
  output: usdPerMillion,
  cacheRead: usdPerMillion.optional(),
  cacheWrite: usdPerMillion.optional(),
  cacheWrite1h: usdPerMillion.optional(),
});

const rates = {
  input: usdPerMillion,
  output: usdPerMillion,
  cacheRead: usdPerMillion.optional(),
  cacheWrite: usdPerMillion.optional(),
  cacheWrite1h: usdPerMillion.optional(),
  tiers: z.array(priceTierSchema).optional(),
};

function tiersAscending(
  period: { tiers?: { aboveInputTokens: number }[] | undefined },
  ctx: z.RefinementCtx,
): void {
  const tiers = period.tiers ?? [];
  for (let i = 1; i < tiers.length; i++) {
    if (tiers[i]!.aboveInputTokens <= tiers[i - 1]!.aboveInputTokens) {
      ctx.addIssue({
        code: 'custom',
        path: ['tiers', i, 'aboveInputTokens'],
        message: 'expected tiers in ascending order of aboveInputTokens, without repeats',
      });
    }
  }
}

/** One price period of the built-in catalog: rates in force from `effectiveFrom`, with their source. */
export const catalogPriceSchema = z
  .strictObject({
    effectiveFrom: isoDate,
    ...rates,
    source: z.url({ protocol: /^https$/, error: 'expected the https URL of the provider pricing page' }),
    checked: isoDate,
  })
  .superRefine(tiersAscending);

/** One price period of a user-supplied price; a source is optional (negotiated prices have none). */
export const userPriceSchema = z
  .strictObject({
    effectiveFrom: isoDate.default('1970-01-01'),
    ...rates,
    source: z.string().min(1).optional(),
    checked: isoDate.optional(),
  })
  .superRefine(tiersAscending);

const modelName = z
  .string()
  .min(1, 'expected a non-empty model name')
  .refine((s) => s === s.trim(), 'expected no leading or trailing spaces');

function periodsAscending(entry: { prices: { effectiveFrom: string }[] }, ctx: z.RefinementCtx): void {
  for (let i = 1; i < entry.prices.length; i++) {
    if (entry.prices[i]!.effectiveFrom <= entry.prices[i - 1]!.effectiveFrom) {
      ctx.addIssue({
        code: 'custom',
        path: ['prices', i, 'effectiveFrom'],
        message: 'expected prices in ascending order of effectiveFrom, without repeats',
      });
    }
  }
}

function patternsCompile(entry: { patterns?: string[] | undefined }, ctx: z.RefinementCtx): void {
  (entry.patterns ?? []).forEach((p, i) => {
    try {
      new RegExp(p, 'i');
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        path: ['patterns', i],
        message: `expected a JavaScript regular expression (${(e as Error).message})`,
      });
    }
  });
}

const providerId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected a lowercase provider id such as "openai"');

/** A model of the built-in catalog. */
export const catalogModelSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9._-]+\/[a-z0-9._:-]+$/, 'expected "<provider>/<model>" in lowercase'),
    provider: providerId,
    model: modelName.refine((s) => s === s.toLowerCase(), 'expected a lowercase model id'),
    aliases: z.array(modelName).optional(),
    kind: z.enum(['chat', 'embedding']),
    prices: z.array(catalogPriceSchema).min(1, 'expected at least one price'),
  })
  .superRefine((entry, ctx) => {
    if (entry.id !== `${entry.provider}/${entry.model}`) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `expected "${entry.provider}/${entry.model}"` });
    }
    periodsAscending(entry, ctx);
  });

/** The built-in catalog file (`data/prices.json`). */
export const catalogFileSchema = z.strictObject({
  version: z.literal(1),
  currency: z.literal('USD'),
  unit: z.literal('per 1M tokens'),
  models: z.array(catalogModelSchema),
});

const flatUserRates = z.strictObject({
  provider: providerId.optional(),
  model: modelName,
  aliases: z.array(modelName).optional(),
  patterns: z.array(z.string().min(1)).optional(),
  kind: z.enum(['chat', 'embedding']).optional(),
  ...rates,
  effectiveFrom: isoDate.optional(),
  source: z.string().min(1).optional(),
});

const periodUserEntry = z.strictObject({
  provider: providerId.optional(),
  model: modelName,
  aliases: z.array(modelName).optional(),
  patterns: z.array(z.string().min(1)).optional(),
  kind: z.enum(['chat', 'embedding']).optional(),
  prices: z.array(userPriceSchema).min(1, 'expected at least one price'),
});

function toPeriods(e: z.infer<typeof flatUserRates>): z.infer<typeof periodUserEntry> {
  const { provider, model, aliases, patterns, kind, effectiveFrom, source, ...r } = e;
  return { provider, model, aliases, patterns, kind, prices: [{ effectiveFrom: effectiveFrom ?? '1970-01-01', source, ...r }] };
}

/**
 * A user price: either flat rates (`{ model, input, output, ... }`) or dated periods
 * (`{ model, prices: [{ effectiveFrom, input, output }, ...] }`). The shape is chosen by the
 * presence of `prices`, so an error names the field of the shape the user meant.
 */
export const userModelSchema = z
  .unknown()
  .transform((v, ctx) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      ctx.addIssue({ code: 'custom', message: 'expected an object such as { model, input, output }' });
      return z.NEVER;
    }
    const parsed = 'prices' in v ? periodUserEntry.safeParse(v) : flatUserRates.safeParse(v);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return z.NEVER;
    }
    return 'prices' in parsed.data ? parsed.data : toPeriods(parsed.data);
  })
  .superRefine((entry, ctx) => {
    periodsAscending(entry, ctx);
    patternsCompile(entry, ctx);
  });

export type PriceTier = z.infer<typeof priceTierSchema>;
export type CatalogPrice = z.infer<typeof catalogPriceSchema>;
export type CatalogModel = z.infer<typeof catalogModelSchema>;
export type CatalogFile = z.infer<typeof catalogFileSchema>;
/** A user price entry as written in code or in a price file. */
export type UserModelPriceInput = z.input<typeof flatUserRates> | z.input<typeof periodUserEntry>;
/** A user price entry after validation. */
export type UserModelPrice = z.output<typeof userModelSchema>;
