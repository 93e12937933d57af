import type { Attributes } from '@opentelemetry/api';
import { regionOfModel } from '@genai-cost/pricing';
import * as sc from './semconv.js';

/**
 * The billing details of a call beyond its token counts, as its span reports them or as the app
 * declared them on it: the service tier, the region and the web searches. What the provider's
 * response reports wins over what the app declared (`genai_cost.service_tier`, `genai_cost.region`,
 * `genai_cost.requests.web_search`). Each reader looks only at the keys of the provider that
 * writes them: every absent key read costs time on every model call.
 */

const OPENAI_TIER_KEYS = [sc.OPENAI_RESPONSE_SERVICE_TIER, sc.GEN_AI_OPENAI_RESPONSE_SERVICE_TIER, sc.OPENAI_REQUEST_SERVICE_TIER, sc.GEN_AI_OPENAI_REQUEST_SERVICE_TIER];
const TIER_ALIASES: Readonly<Record<string, string>> = { default: 'standard', standard: 'standard', auto: '' };
/** Longer hint strings are not a region or tier name: ignored rather than stored. */
const MAX_NAME = 32;
/** More web searches than this on one call is not a count. */
const MAX_WEB_SEARCHES = 10_000;

/**
 * The canonical name of a service tier as a provider reports it: lowercase, OpenAI's `default`
 * and Anthropic's `standard` both `standard`; `auto` (a request, not a tier that served) is none.
 */
export function canonicalServiceTier(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const lower = raw.trim().toLowerCase();
  if (lower === '' || lower.length > MAX_NAME) return undefined;
  const alias = TIER_ALIASES[lower];
  return alias === undefined ? lower : alias || undefined;
}

/** A number after `"key":` in JSON text, without parsing the whole document. */
export function jsonNumber(text: string, key: string): number | undefined {
  const at = text.indexOf(`"${key}":`);
  if (at < 0) return undefined;
  const n = Number.parseInt(text.slice(at + key.length + 3, at + key.length + 16), 10);
  return Number.isFinite(n) ? n : undefined;
}

/** A string after `"key":"` in JSON text. */
function jsonString(text: string, key: string): string | undefined {
  const at = text.indexOf(`"${key}":"`);
  if (at < 0) return undefined;
  const from = at + key.length + 4;
  const to = text.indexOf('"', from);
  return to < 0 ? undefined : text.slice(from, to);
}

function first(attrs: Attributes, keys: readonly string[]): unknown {
  for (const k of keys) {
    const v = attrs[k];
    if (v !== undefined) return v;
  }
  return undefined;
}

/**
 * The service tier of a call. Reported: OpenAI's and Anthropic's response attributes, or the AI
 * SDK's provider metadata (`meta`, its JSON), where Anthropic's fast mode is `speed: "fast"`
 * beside a standard tier. Else the tier the app declared on the span.
 */
export function serviceTierOf(attrs: Attributes, providerId: string | undefined, meta: string | undefined): string | undefined {
  let reported: string | undefined;
  if (meta !== undefined) {
    reported = canonicalServiceTier(jsonString(meta, 'serviceTier') ?? jsonString(meta, 'service_tier'));
    if ((reported === undefined || reported === 'standard') && providerId === 'anthropic' && jsonString(meta, 'speed') === 'fast') reported = 'fast';
  } else if (providerId === 'anthropic') {
    reported = canonicalServiceTier(attrs[sc.ANTHROPIC_RESPONSE_SERVICE_TIER]);
  } else if (providerId === 'openai') {
    reported = canonicalServiceTier(first(attrs, OPENAI_TIER_KEYS));
  }
  return reported ?? canonicalServiceTier(attrs[sc.ATTR_SERVICE_TIER]);
}

/**
 * Where the call ran, when the model id does not say it. Reported: Anthropic's `inference_geo` in
 * the AI SDK's provider metadata. Else the region the app declared on the span.
 */
export function regionOf(attrs: Attributes, providerId: string | undefined, meta: string | undefined): string | undefined {
  if (meta !== undefined && providerId === 'anthropic') {
    const geo = jsonString(meta, 'inference_geo');
    if (geo !== undefined && geo !== '' && geo.length <= MAX_NAME) return geo;
  }
  const declared = attrs[sc.ATTR_REGION];
  return typeof declared === 'string' && declared.trim() !== '' && declared.length <= MAX_NAME ? declared.trim() : undefined;
}

/**
 * Web searches the call made. Reported: Anthropic's `server_tool_use.web_search_requests` in the
 * AI SDK's provider metadata. Else the count the app declared on the span; a value that is not a
 * whole number in range is ignored (0).
 */
export function webSearchesOf(attrs: Attributes, providerId: string | undefined, meta: string | undefined): number {
  if (meta !== undefined && providerId === 'anthropic') {
    const n = jsonNumber(meta, 'web_search_requests');
    if (n !== undefined && n >= 0 && n <= MAX_WEB_SEARCHES) return n;
  }
  const declared = attrs[sc.ATTR_REQUESTS_WEB_SEARCH];
  return typeof declared === 'number' && Number.isInteger(declared) && declared >= 0 && declared <= MAX_WEB_SEARCHES ? declared : 0;
}

/**
 * The model name to price a Bedrock call by. Bedrock bills by the id the call was made with (an
 * inference profile `us.anthropic.…`, a plain regional id, an ARN), while the response names the
 * vendor's model (`claude-sonnet-4-5-20250929`) and loses where it ran: the request's id wins
 * when it carries a region and the response's does not.
 */
export function bedrockModel(attrs: Attributes, model: string): string {
  const requested = attrs[sc.GEN_AI_REQUEST_MODEL] ?? attrs[sc.AI_MODEL_ID];
  if (typeof requested !== 'string' || requested === model || requested === '') return model;
  return regionOfModel(requested) !== undefined && regionOfModel(model) === undefined ? requested : model;
}
