import { z } from 'zod';
import { checkDimensions, dimensionFields, serviceTiersSchema, usdRate } from './dimensions.js';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EFFECTIVE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2})?Z)?$/;

const isoDate = z
  .string()
  .regex(DATE, 'expected a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'expected a real calendar date');

/** A date (UTC midnight) or a UTC instant (`2026-08-16T16:00:00Z`) from which a price is in force. */
const effectiveFrom = z
  .string()
  .regex(EFFECTIVE, 'expected a date as YYYY-MM-DD or a UTC time as YYYY-MM-DDTHH:MM[:SS]Z')
  .refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), 'expected a real calendar date or time');

const rates = {
  input: usdRate,
  output: usdRate,
  cacheRead: usdRate.optional(),
  cacheWrite: usdRate.optional(),
  cacheWrite1h: usdRate.optional(),
  ...dimensionFields,
};

/** Why a price differs from a reference catalog, or which of two disagreeing references it follows. */
const note = z.string().min(1).optional();

/** One period of the built-in catalog: rates in force from `effectiveFrom`, with their source. */
export const catalogPriceSchema = z
  .strictObject({
    effectiveFrom,
    ...rates,
    source: z.url({ protocol: /^https$/, error: 'expected the https URL of the provider pricing page' }),
    checked: isoDate,
    /** Where the rates were taken from: `curated` (read from the provider page by us) or reference catalogs. */
    basis: z.string().min(1).optional(),
    note,
  })
  .superRefine(checkDimensions);

/** One price period of a user-supplied price; a source is optional (negotiated prices have none). */
export const userPriceSchema = z
  .strictObject({
    effectiveFrom: effectiveFrom.default('1970-01-01'),
    ...rates,
    source: z.string().min(1).optional(),
    checked: isoDate.optional(),
    note,
  })
  .superRefine(checkDimensions);

const modelName = z
  .string()
  .min(1, 'expected a non-empty model name')
  .refine((s) => s === s.trim(), 'expected no leading or trailing spaces');

function periodsAscending(entry: { prices: { effectiveFrom: string }[] }, ctx: z.RefinementCtx): void {
  const ms = (s: string) => Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s);
  for (let i = 1; i < entry.prices.length; i++) {
    if (ms(entry.prices[i]!.effectiveFrom) <= ms(entry.prices[i - 1]!.effectiveFrom)) {
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

const KINDS = ['chat', 'embedding'] as const;

/** A model of the built-in catalog. */
export const catalogModelSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9._-]+\/[a-z0-9._:@/+~-]+$/, 'expected "<provider>/<model>" in lowercase'),
    provider: providerId,
    model: modelName.refine((s) => s === s.toLowerCase(), 'expected a lowercase model id'),
    aliases: z.array(modelName).optional(),
    kind: z.enum(KINDS),
    prices: z.array(catalogPriceSchema).min(1, 'expected at least one price'),
  })
  .superRefine((entry, ctx) => {
    if (entry.id !== `${entry.provider}/${entry.model}`) {
      ctx.addIssue({ code: 'custom', path: ['id'], message: `expected "${entry.provider}/${entry.model}"` });
    }
    periodsAscending(entry, ctx);
  });

/**
 * A provider, cloud or inference host of the catalog. `fallback` names providers whose prices apply
 * to a model this one serves at the vendor's list price but has no entry for (Azure OpenAI →
 * OpenAI); `serviceTiers` are defaults for every model of the provider whose period names none.
 */
export const catalogProviderSchema = z.strictObject({
  id: providerId,
  name: z.string().min(1),
  kind: z.enum(['vendor', 'cloud', 'host', 'router']),
  source: z.url({ protocol: /^https$/, error: 'expected the https URL of the provider pricing page' }),
  fallback: z.array(providerId).optional(),
  serviceTiers: serviceTiersSchema.optional(),
  note,
});

/** The catalog file: `data/prices.json`, or a newer catalog loaded at run time. */
export const catalogFileSchema = z.strictObject({
  version: z.literal(2),
  currency: z.literal('USD'),
  unit: z.literal('per 1M tokens'),
  /** The date the catalog's curated prices were last checked against the providers' pages. */
  checked: isoDate,
  providers: z.array(catalogProviderSchema),
  models: z.array(catalogModelSchema),
});

const flatUserRates = z.strictObject({
  provider: providerId.optional(),
  model: modelName,
  aliases: z.array(modelName).optional(),
  patterns: z.array(z.string().min(1)).optional(),
  kind: z.enum(KINDS).optional(),
  ...rates,
  effectiveFrom: effectiveFrom.optional(),
  source: z.string().min(1).optional(),
  note,
});

const periodUserEntry = z.strictObject({
  provider: providerId.optional(),
  model: modelName,
  aliases: z.array(modelName).optional(),
  patterns: z.array(z.string().min(1)).optional(),
  kind: z.enum(KINDS).optional(),
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

export type CatalogPrice = z.infer<typeof catalogPriceSchema>;
export type CatalogModel = z.infer<typeof catalogModelSchema>;
export type CatalogProvider = z.infer<typeof catalogProviderSchema>;
export type CatalogFile = z.infer<typeof catalogFileSchema>;
/** A user price entry as written in code or in a price file. */
export type UserModelPriceInput = z.input<typeof flatUserRates> | z.input<typeof periodUserEntry>;
/** A user price entry after validation. */
export type UserModelPrice = z.output<typeof userModelSchema>;
