import { context, createContextKey, diag } from '@opentelemetry/api';
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

/** Set once a context manager has been seen to carry a context into a callback; until then each call looks. */
let contextManagerSeen = false;
let warnedNoContextManager = false;

/**
 * Warns once when `context.with` does not carry its context into the callback: no context manager
 * is registered (the SDK is not started yet), so attribution would silently reach no span.
 */
function checkContextManager(ctx: Context): void {
  contextManagerSeen = context.with(ctx, () => context.active() === ctx);
  if (contextManagerSeen || warnedNoContextManager) return;
  warnedNoContextManager = true;
  diag.warn(
    'genai-cost: withAttribution found no OpenTelemetry context manager, so its attribution reaches no span. ' +
      'Start the OpenTelemetry SDK (NodeSDK.start(), or register a tracer provider) before the first request.',
  );
}

/**
 * Runs `fn` with `attribution` in the active context, merged over any attribution already there,
 * so a feature can be named inside a request that already names the user. Returns what `fn` returns.
 * Warns once (diag) when no context manager is registered.
 */
export function withAttribution<R>(attribution: Attribution, fn: () => R): R;
/** As above, passing `args` to `fn`. */
export function withAttribution<A extends unknown[], R>(attribution: Attribution, fn: (...args: A) => R, ...args: A): R;
export function withAttribution<A extends unknown[], R>(attribution: Attribution, fn: (...args: A) => R, ...args: A): R {
  const ctx = setAttribution(context.active(), attribution);
  if (!contextManagerSeen) checkContextManager(ctx);
  return context.with(ctx, fn, undefined, ...args);
}
