import type { Attributes } from '@opentelemetry/api';
import { canonicalProvider } from '@genai-cost/pricing';
import type { GenAISpanRole } from './classify.js';
import * as sc from './semconv.js';

export { classify } from './classify.js';
export type { GenAISpanRole } from './classify.js';

/** Why a model-call span carries no cost. */
export type UnpricedReason = 'missing_model' | 'no_usage' | 'invalid_usage' | 'unknown_model';

/** Token counts read from a span, normalised to the semantic conventions' meaning. */
export interface NormalisedUsage {
  /** All input tokens, cache reads and writes included. */
  inputTokens: number;
  /** All output tokens, reasoning included. */
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The part of `cacheWriteTokens` written with a 1-hour TTL; undefined when the span does not say. */
  cacheWrite1hTokens: number | undefined;
  reasoningTokens: number;
  /** True when the span reported input without cached tokens and they were added back. */
  inputExcludedCache: boolean;
  /** True when the span carries a cache-read count (0 included). */
  cacheReadReported: boolean;
}

/** The GenAI reading of one span. */
export interface GenAICall {
  role: GenAISpanRole;
  model?: string | undefined;
  /** The provider name as the span carries it. */
  provider?: string | undefined;
  /** The service tier that served the call, canonical (see `canonicalServiceTier`). */
  serviceTier?: string | undefined;
  usage?: NormalisedUsage | undefined;
  /** Set when `role` is `inference` and the span cannot be priced from what it carries. */
  problem?: Exclude<UnpricedReason, 'unknown_model'> | undefined;
}

/** How the normaliser treats instrumentations that bend the conventions. */
export interface UsageReadOptions {
  /** Instrumentation scope names (prefixes) whose Anthropic spans report input without cached tokens. */
  inputExcludesCacheScopes: readonly string[];
  /** Token counts above this are treated as invalid. */
  maxTokens: number;
}

const MODEL_KEYS = [sc.GEN_AI_RESPONSE_MODEL, sc.GEN_AI_REQUEST_MODEL, sc.LLM_MODEL_NAME, sc.AI_RESPONSE_MODEL, sc.AI_MODEL_ID, sc.EMBEDDING_MODEL_NAME];
const PROVIDER_KEYS = [sc.GEN_AI_PROVIDER_NAME, sc.GEN_AI_SYSTEM, sc.LLM_PROVIDER, sc.LLM_SYSTEM, sc.AI_MODEL_PROVIDER];
const OPENAI_TIER_KEYS = [sc.OPENAI_RESPONSE_SERVICE_TIER, sc.GEN_AI_OPENAI_RESPONSE_SERVICE_TIER, sc.OPENAI_REQUEST_SERVICE_TIER, sc.GEN_AI_OPENAI_REQUEST_SERVICE_TIER];

/** Where one convention keeps each count, most current name first. */
interface UsageKeys {
  input: readonly string[];
  output: readonly string[];
  cacheRead: readonly string[];
  cacheWrite: readonly string[];
  reasoning: readonly string[];
}

/**
 * Usage keys per convention. A span is read with the keys of the convention its input or output
 * count is in: every absent key costs a hash miss (~40 ns on a span's attribute object), and
 * trying every convention's names on every span cost ~0.3 µs more than this.
 */
const GEN_AI_KEYS: UsageKeys = {
  input: [sc.GEN_AI_USAGE_INPUT_TOKENS, sc.GEN_AI_USAGE_PROMPT_TOKENS],
  output: [sc.GEN_AI_USAGE_OUTPUT_TOKENS, sc.GEN_AI_USAGE_COMPLETION_TOKENS],
  cacheRead: [sc.GEN_AI_USAGE_CACHE_READ, sc.GEN_AI_USAGE_CACHE_READ_LEGACY],
  cacheWrite: [sc.GEN_AI_USAGE_CACHE_CREATION, sc.GEN_AI_USAGE_CACHE_WRITE, sc.GEN_AI_USAGE_CACHE_CREATION_LEGACY],
  reasoning: [sc.GEN_AI_USAGE_REASONING, sc.GEN_AI_USAGE_REASONING_LEGACY],
};
const OPENINFERENCE_KEYS: UsageKeys = {
  input: [sc.LLM_TOKEN_COUNT_PROMPT],
  output: [sc.LLM_TOKEN_COUNT_COMPLETION],
  cacheRead: [sc.LLM_TOKEN_COUNT_CACHE_READ],
  cacheWrite: [sc.LLM_TOKEN_COUNT_CACHE_WRITE],
  reasoning: [sc.LLM_TOKEN_COUNT_REASONING],
};
/** The AI SDK, known by `ai.operationId`; its doGenerate spans also carry gen_ai.* counts, without the details. */
const AI_SDK_KEYS: UsageKeys = {
  input: [sc.AI_USAGE_INPUT_TOKENS, sc.AI_USAGE_PROMPT_TOKENS, sc.AI_USAGE_TOKENS],
  output: [sc.AI_USAGE_OUTPUT_TOKENS, sc.AI_USAGE_COMPLETION_TOKENS],
  cacheRead: [sc.AI_USAGE_CACHE_READ_TOKENS, sc.AI_USAGE_CACHED_INPUT_TOKENS],
  cacheWrite: [sc.AI_USAGE_CACHE_WRITE_TOKENS],
  reasoning: [sc.AI_USAGE_OUTPUT_REASONING_TOKENS, sc.AI_USAGE_REASONING_TOKENS],
};
const OPENLLMETRY_KEYS: UsageKeys = {
  input: [sc.LLM_USAGE_PROMPT_TOKENS],
  output: [sc.LLM_USAGE_COMPLETION_TOKENS],
  cacheRead: GEN_AI_KEYS.cacheRead,
  cacheWrite: GEN_AI_KEYS.cacheWrite,
  reasoning: GEN_AI_KEYS.reasoning,
};
/** What this package writes where a span's own counts do not say what it was priced with. */
const WRITTEN_KEYS: UsageKeys = {
  input: [sc.ATTR_USAGE_INPUT],
  output: [sc.ATTR_USAGE_OUTPUT],
  cacheRead: [sc.ATTR_USAGE_CACHE_READ],
  cacheWrite: [sc.ATTR_USAGE_CACHE_WRITE],
  reasoning: [sc.ATTR_USAGE_REASONING],
};
const CONVENTIONS = [GEN_AI_KEYS, OPENINFERENCE_KEYS, OPENLLMETRY_KEYS];

function conventionOf(attrs: Attributes): UsageKeys | undefined {
  if (attrs[sc.ATTR_USAGE_INPUT] !== undefined) return WRITTEN_KEYS;
  if (attrs[sc.AI_OPERATION_ID] !== undefined) return AI_SDK_KEYS;
  for (const c of CONVENTIONS) {
    for (const k of c.input) if (attrs[k] !== undefined) return c;
    for (const k of c.output) if (attrs[k] !== undefined) return c;
  }
  return undefined;
}

function first(attrs: Attributes, keys: readonly string[]): unknown {
  for (const k of keys) {
    const v = attrs[k];
    if (v !== undefined) return v;
  }
  return undefined;
}

function firstString(attrs: Attributes, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = attrs[k];
    if (typeof v === 'string' && v.length > 0) return v;
  }
  return undefined;
}

/** Marker for a token attribute that is present but not a usable count. */
const INVALID = -1;

function tokens(attrs: Attributes, keys: readonly string[], max: number): number | undefined {
  return count(first(attrs, keys), max);
}

function count(v: unknown, max: number): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : INVALID;
}

function excludesCacheByScope(scope: string, scopes: readonly string[], provider: string | undefined, model: string | undefined): boolean {
  let listed = false;
  for (const s of scopes) if ((listed = scope.startsWith(s))) break;
  if (!listed) return false;
  const p = provider?.toLowerCase() ?? '';
  return p.startsWith('anthropic') || (model?.toLowerCase().includes('claude') ?? false);
}

/**
 * The provider id stored and written for a raw provider name (`openai.responses`, `Anthropic`,
 * `gcp.vertex_ai`): the catalog's id (`canonicalProvider`), else the raw name lowercased.
 */
export function providerId(raw: string): string {
  let id = PROVIDER_IDS.get(raw);
  if (id === undefined) {
    id = canonicalProvider(raw) ?? raw.toLowerCase();
    // Spans name a handful of providers; the bound only guards against garbage.
    if (PROVIDER_IDS.size >= 1_000) PROVIDER_IDS.clear();
    PROVIDER_IDS.set(raw, id);
  }
  return id;
}

/** Memo of `providerId`: lowercasing and alias lookups ran on every model call. */
const PROVIDER_IDS = new Map<string, string>();

const TIER_ALIASES: Readonly<Record<string, string>> = { default: 'standard', standard: 'standard', auto: '' };

/**
 * The canonical name of a service tier as a provider reports it: lowercase, OpenAI's `default`
 * and Anthropic's `standard` both `standard`; `auto` (a request, not a tier that served) is none.
 */
export function canonicalServiceTier(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const lower = raw.trim().toLowerCase();
  if (lower === '' || lower.length > 32) return undefined;
  const alias = TIER_ALIASES[lower];
  return alias === undefined ? lower : alias || undefined;
}

/** A number after `"key":` in JSON text, without parsing the whole document. */
function jsonNumber(text: string, key: string): number | undefined {
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

function serviceTierOf(attrs: Attributes, provider: string | undefined, aiSdk: boolean): string | undefined {
  if (aiSdk) {
    const meta = attrs[sc.AI_RESPONSE_PROVIDER_METADATA];
    if (typeof meta !== 'string') return undefined;
    return canonicalServiceTier(jsonString(meta, 'serviceTier') ?? jsonString(meta, 'service_tier'));
  }
  if (provider === undefined) return undefined;
  // Only the provider's own keys: every absent key read costs time on every model call.
  const id = providerId(provider);
  if (id === 'anthropic') return canonicalServiceTier(attrs[sc.ANTHROPIC_RESPONSE_SERVICE_TIER]);
  if (id === 'openai') return canonicalServiceTier(first(attrs, OPENAI_TIER_KEYS));
  return undefined;
}

/** The 1-hour part of the cache writes, where the span reports the 5-minute / 1-hour split. */
function oneHourWrites(attrs: Attributes, cacheWrite: number, aiSdk: boolean, max: number): number | undefined {
  let h1: number | undefined;
  let m5: number | undefined;
  if (aiSdk) {
    const meta = attrs[sc.AI_RESPONSE_PROVIDER_METADATA];
    if (typeof meta !== 'string') return undefined;
    h1 = jsonNumber(meta, 'ephemeral_1h_input_tokens');
    m5 = jsonNumber(meta, 'ephemeral_5m_input_tokens');
  } else {
    h1 = count(attrs[sc.ATTR_USAGE_CACHE_WRITE_1H] ?? attrs[sc.ANTHROPIC_CACHE_WRITE_1H], max);
    m5 = count(attrs[sc.ANTHROPIC_CACHE_WRITE_5M], max);
  }
  if (h1 !== undefined && h1 >= 0) return Math.min(h1, cacheWrite);
  if (m5 !== undefined && m5 >= 0) return Math.max(0, cacheWrite - m5);
  return undefined;
}

/**
 * Reads model, provider, service tier and usage from a span's attributes in any of the supported
 * conventions and normalises them: input includes cached tokens (added back where an
 * instrumentation reports Anthropic's raw input, known by its scope or because cache tokens exceed
 * input), output includes reasoning (added where reasoning exceeds output, as Gemini's thoughts
 * do). Usage this package wrote (`genai_cost.usage.*`) beats the span's own counts.
 */
export function readCall(attrs: Attributes, role: GenAISpanRole, scopeName: string, options: UsageReadOptions): GenAICall {
  const model = firstString(attrs, MODEL_KEYS);
  const provider = firstString(attrs, PROVIDER_KEYS);
  if (role !== 'inference') return { role, model, provider };

  const keys = conventionOf(attrs);
  const aiSdk = keys === AI_SDK_KEYS;
  const serviceTier = serviceTierOf(attrs, provider, aiSdk);
  if (keys === undefined) return { role, model, provider, serviceTier, problem: 'no_usage' };
  const max = options.maxTokens;
  const input = tokens(attrs, keys.input, max);
  const output = tokens(attrs, keys.output, max);
  if (input === undefined && output === undefined) return { role, model, provider, serviceTier, problem: 'no_usage' };
  const cacheReadRaw = tokens(attrs, keys.cacheRead, max);
  const cacheRead = cacheReadRaw ?? 0;
  const cacheWrite = tokens(attrs, keys.cacheWrite, max) ?? 0;
  const reasoning = tokens(attrs, keys.reasoning, max) ?? 0;
  if (input === INVALID || output === INVALID || cacheRead === INVALID || cacheWrite === INVALID || reasoning === INVALID) {
    return { role, model, provider, serviceTier, problem: 'invalid_usage' };
  }
  const rawInput = input ?? 0;
  const cached = cacheRead + cacheWrite;
  // Without cache tokens the question is moot; skipping it keeps string work off most spans.
  const inputExcludedCache =
    keys !== WRITTEN_KEYS && cached > 0 && (cached > rawInput || excludesCacheByScope(scopeName, options.inputExcludesCacheScopes, provider, model));
  const rawOutput = output ?? 0;
  const usage: NormalisedUsage = {
    inputTokens: inputExcludedCache ? rawInput + cached : rawInput,
    outputTokens: reasoning > rawOutput ? rawOutput + reasoning : rawOutput,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    cacheWrite1hTokens: cacheWrite > 0 ? oneHourWrites(attrs, cacheWrite, aiSdk, max) : undefined,
    reasoningTokens: reasoning,
    inputExcludedCache,
    cacheReadReported: cacheReadRaw !== undefined,
  };
  if (usage.inputTokens > max || usage.outputTokens > max) return { role, model, provider, serviceTier, problem: 'invalid_usage' };
  if (model === undefined) return { role, model, provider, serviceTier, usage, problem: 'missing_model' };
  return { role, model, provider, serviceTier, usage };
}

/**
 * The most complete usage of two readings of the same call (a span and its duplicate): each count
 * from whichever reports more of it, the 1-hour split from whichever has it; input never below its
 * cached part.
 */
export function mergeUsage(a: NormalisedUsage, b: NormalisedUsage): NormalisedUsage {
  const cacheReadTokens = Math.max(a.cacheReadTokens, b.cacheReadTokens);
  const cacheWriteTokens = Math.max(a.cacheWriteTokens, b.cacheWriteTokens);
  const h1 = a.cacheWrite1hTokens ?? b.cacheWrite1hTokens;
  const reasoningTokens = Math.max(a.reasoningTokens, b.reasoningTokens);
  return {
    inputTokens: Math.max(a.inputTokens, b.inputTokens, cacheReadTokens + cacheWriteTokens),
    outputTokens: Math.max(a.outputTokens, b.outputTokens, reasoningTokens),
    cacheReadTokens,
    cacheWriteTokens,
    cacheWrite1hTokens: h1 === undefined ? undefined : Math.min(h1, cacheWriteTokens),
    reasoningTokens,
    inputExcludedCache: a.inputExcludedCache || b.inputExcludedCache,
    cacheReadReported: a.cacheReadReported || b.cacheReadReported,
  };
}

/** Whether two usages would be stored and priced alike. */
export function sameUsage(a: NormalisedUsage, b: NormalisedUsage): boolean {
  return (
    a.inputTokens === b.inputTokens &&
    a.outputTokens === b.outputTokens &&
    a.cacheReadTokens === b.cacheReadTokens &&
    a.cacheWriteTokens === b.cacheWriteTokens &&
    a.cacheWrite1hTokens === b.cacheWrite1hTokens &&
    a.reasoningTokens === b.reasoningTokens
  );
}
