import { context, createContextKey } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { canonicalServiceTier } from './callDetails.js';

/**
 * How the model calls made in a scope are billed, where their spans do not say it: a batch job's
 * calls, a tier the instrumentation does not report, an Azure data-zone deployment. What a span
 * itself reports or carries (`genai_cost.service_tier`, `genai_cost.region`) wins over these.
 */
export interface PricingHints {
  /** The service tier the calls run in: `batch`, `flex`, `priority`, `fast`, `scale` (`default` and `standard` are standard). */
  serviceTier?: string | undefined;
  /**
   * Where the calls run, when the model id does not say it: `us` (Anthropic US-only inference),
   * `DataZone-Standard` or `data-zone` (an Azure data-zone deployment), an AWS or Azure region.
   */
  region?: string | undefined;
}

const PRICING_KEY = createContextKey('@genai-cost/otel pricing hints');
/** Longer values are not a tier or region name. */
const MAX_NAME = 32;

/** The pricing hints carried by `ctx`, if any. */
export function getPricing(ctx: Context = context.active()): Readonly<PricingHints> | undefined {
  return ctx.getValue(PRICING_KEY) as PricingHints | undefined;
}

function merged(base: Readonly<PricingHints> | undefined, add: PricingHints): Readonly<PricingHints> {
  const out: PricingHints = { ...base };
  // Values that are not a name are dropped rather than thrown: this runs in the caller's request path.
  const tier = canonicalServiceTier(add.serviceTier);
  if (tier !== undefined) out.serviceTier = tier;
  const region = typeof add.region === 'string' ? add.region.trim() : '';
  if (region !== '' && region.length <= MAX_NAME) out.region = region;
  return Object.freeze(out);
}

/** A context like `ctx` whose pricing hints are its current ones with `hints` laid over them. */
export function setPricing(ctx: Context, hints: PricingHints): Context {
  return ctx.setValue(PRICING_KEY, merged(getPricing(ctx), hints));
}

/**
 * Runs `fn` with `hints` in the active context, so the model calls it makes are priced in that
 * service tier or region: `withPricing({ serviceTier: 'batch' }, () => runNightlyJob())`. Returns
 * what `fn` returns.
 */
export function withPricing<A extends unknown[], R>(hints: PricingHints, fn: (...args: A) => R, ...args: A): R {
  return context.with(setPricing(context.active(), hints), fn, undefined, ...args);
}
