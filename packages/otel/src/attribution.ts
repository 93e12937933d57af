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
  /**
   * Free-form dimensions (`{ region: 'eu', plan_variant: 'b' }`), written on GenAI spans as
   * `saas.tag.<key>` and stored in the `Tags` column. Nested scopes merge them key by key. A key is
   * 1 to 64 letters, digits, `_`, `.` or `-` (see {@link isTagKey}); a value a non-empty string of
   * at most 256 characters; at most 32 tags. Others are dropped with one warning, never thrown.
   */
  tags?: Readonly<Record<string, string>> | undefined;
}

/** The single-valued fields of {@link Attribution}, in a fixed order (`tags` is a map of its own). */
export const ATTRIBUTION_FIELDS = ['userId', 'tier', 'feature', 'sessionId', 'tenantId'] as const;
/** One field of {@link Attribution}. */
export type AttributionField = (typeof ATTRIBUTION_FIELDS)[number];

/** The span attribute of tag `key` is this prefix followed by the key: `saas.tag.region`. */
export const TAG_ATTRIBUTE_PREFIX = 'saas.tag.';
/** Tags one attribution holds at most; each is an attribute on every GenAI span. */
export const MAX_TAGS = 32;
/** Longest tag value kept, in UTF-16 code units. */
export const MAX_TAG_VALUE_LENGTH = 256;

const TAG_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

/**
 * Whether `key` can name a tag: 1 to 64 letters, digits, `_`, `.` or `-`, starting with a letter,
 * digit or `_`. The same rule holds wherever a tag key arrives (spans of other languages, the
 * CLI's `--by tag:KEY`, dashboards), so a key is one text everywhere and safe in any of them.
 */
export function isTagKey(key: unknown): key is string {
  return typeof key === 'string' && TAG_KEY.test(key);
}

/** Whether `value` can be a tag's value: a non-empty string of at most {@link MAX_TAG_VALUE_LENGTH} code units. */
export function isTagValue(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TAG_VALUE_LENGTH;
}

/**
 * Private context key: attribution stays in this process. Baggage would carry user ids out in
 * every outgoing HTTP request's headers, LLM providers' included.
 */
const ATTRIBUTION_KEY = createContextKey('@genai-cost/otel attribution');

/** The attribution carried by `ctx`, if any. */
export function getAttribution(ctx: Context = context.active()): Readonly<Attribution> | undefined {
  return ctx.getValue(ATTRIBUTION_KEY) as Attribution | undefined;
}

const warnedTags = new Set<string>();

/** Logs once per kind of problem: this runs in the caller's request path, so it never throws. */
function dropTag(kind: 'key' | 'value' | 'count', key: string): void {
  if (warnedTags.has(kind)) return;
  warnedTags.add(kind);
  const why =
    kind === 'key'
      ? 'its key is not 1 to 64 letters, digits, "_", "." or "-"'
      : kind === 'value'
        ? `its value is not a non-empty string of at most ${MAX_TAG_VALUE_LENGTH} characters`
        : `an attribution holds at most ${MAX_TAGS} tags`;
  diag.warn(`genai-cost: dropped tag ${JSON.stringify(key.slice(0, 80))} (from withAttribution or a saas.tag.* attribute): ${why}. Further dropped tags are not logged.`);
}

/** `base` with the valid tags of `add` laid over it, or `base` itself when `add` brings none. */
export function mergeTags(base: Readonly<Record<string, string>> | undefined, add: unknown): Readonly<Record<string, string>> | undefined {
  if (typeof add !== 'object' || add === null) return base;
  let out: Record<string, string> | undefined;
  let count = base === undefined ? 0 : Object.keys(base).length;
  for (const key of Object.keys(add)) {
    const value = (add as Record<string, unknown>)[key];
    if (!isTagKey(key)) dropTag('key', key);
    else if (!isTagValue(value)) dropTag('value', key);
    else if (base?.[key] === undefined && out?.[key] === undefined && count >= MAX_TAGS) dropTag('count', key);
    else {
      if (base?.[key] === undefined && out?.[key] === undefined) count++;
      (out ??= { ...base })[key] = value;
    }
  }
  return out === undefined ? base : Object.freeze(out);
}

function merged(base: Readonly<Attribution> | undefined, add: Attribution): Attribution {
  const out: Attribution = { ...base };
  for (const f of ATTRIBUTION_FIELDS) {
    const v = add[f];
    // Non-string values are dropped rather than thrown: this runs in the caller's request path.
    if (typeof v === 'string' && v.length > 0) out[f] = v;
  }
  if (add.tags !== undefined) {
    const tags = mergeTags(base?.tags, add.tags);
    if (tags !== undefined) out.tags = tags;
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
