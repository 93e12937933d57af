import { context, createContextKey } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';

/** Who caused an LLM call and for what. Every field is optional so nested scopes can add to it. */
export interface Attribution {
  /** The end user (your product's user id). */
  userId?: string | undefined;
  /** The pricing tier the user is on (`free`, `solo`, `team`, …). */
  tier?: string | undefined;
  /** The product feature that made the call (`chat`, `summarise`, …). */
  feature?: string | undefined;
  /** A session or conversation id, for session cost. */
  sessionId?: string | undefined;
  /** The customer account; on its own it marks account-level (not per-user) work. */
  tenantId?: string | undefined;
}

/** The fields of {@link Attribution}, in a fixed order. */
export const ATTRIBUTION_FIELDS = ['userId', 'tier', 'feature', 'sessionId', 'tenantId'] as const;
/** One field of {@link Attribution}. */
export type AttributionField = (typeof ATTRIBUTION_FIELDS)[number];

/**
 * Private context key: attribution stays in this process. Baggage would carry user ids out in
 * every outgoing HTTP request's headers, LLM providers' included.
 */
const ATTRIBUTION_KEY = createContextKey('@genai-cost/otel attribution');

/** The attribution carried by `ctx`, if any. */
export function getAttribution(ctx: Context = context.active()): Readonly<Attribution> | undefined {
  return ctx.getValue(ATTRIBUTION_KEY) as Attribution | undefined;
}

function merged(base: Readonly<Attribution> | undefined, add: Attribution): Attribution {
  const out: Attribution = { ...base };
  for (const f of ATTRIBUTION_FIELDS) {
    const v = add[f];
    // Non-string values are dropped rather than thrown: this runs in the caller's request path.
    if (typeof v === 'string' && v.length > 0) out[f] = v;
  }
  return Object.freeze(out);
}

/** A context like `ctx` whose attribution is its current one with `attribution`'s fields laid over it. */
export function setAttribution(ctx: Context, attribution: Attribution): Context {
  return ctx.setValue(ATTRIBUTION_KEY, merged(getAttribution(ctx), attribution));
}

/**
 * Runs `fn` with `attribution` in the active context, merged over any attribution already there,
 * so a feature can be named inside a request that already names the user. Returns what `fn` returns.
 */
export function withAttribution<A extends unknown[], R>(
  attribution: Attribution,
  fn: (...args: A) => R,
  ...args: A
): R {
  return context.with(setAttribution(context.active(), attribution), fn, undefined, ...args);
}
