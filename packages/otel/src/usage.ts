import type { Attributes } from '@opentelemetry/api';
import { canonicalProvider } from '@genai-cost/pricing';
import { bedrockModel, jsonNumber, regionOf, serviceTierOf, webSearchesOf } from './callDetails.js';
import type { GenAISpanRole } from './classify.js';
import * as sc from './semconv.js';

export { canonicalServiceTier } from './callDetails.js';
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
  /** Uncached input tokens that were audio (priced at the model's audio rate where it has one). */
  audioInputTokens: number;
  /** Output tokens that were audio. */
  audioOutputTokens: number;
  /** Uncached input tokens that were images. */
  imageInputTokens: number;
  /** Output tokens that were images. */
  imageOutputTokens: number;
  /** Web searches the call made (a per-request charge). */
  webSearchRequests: number;
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
  /** The service tier that served the call, canonical (see `canonicalServiceTier`), or the one the app declared. */
  serviceTier?: string | undefined;
  /** Where the call ran, when its price depends on it and the model id does not say it (`us`, `DataZone-Standard`). */
  region?: string | undefined;
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

/** Sets the audio and image parts of `u` from a convention's attributes; false when one is not a valid count. */
type ModalityReader = (attrs: Attributes, u: NormalisedUsage, max: number) => boolean;

/** Where one convention keeps each count, most current name first. */
interface UsageKeys {
  input: readonly string[];
  output: readonly string[];
  cacheRead: readonly string[];
  cacheWrite: readonly string[];
  reasoning: readonly string[];
  /** Each reader reads its own fixed keys: a key chosen per convention at one read site would make every read slow. */
  modalities?: ModalityReader;
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
  modalities: genAiModalities,
};
const OPENINFERENCE_KEYS: UsageKeys = {
  input: [sc.LLM_TOKEN_COUNT_PROMPT],
  output: [sc.LLM_TOKEN_COUNT_COMPLETION],
  cacheRead: [sc.LLM_TOKEN_COUNT_CACHE_READ],
  cacheWrite: [sc.LLM_TOKEN_COUNT_CACHE_WRITE],
  reasoning: [sc.LLM_TOKEN_COUNT_REASONING],
  modalities: openInferenceModalities,
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
  modalities: writtenModalities,
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

/** The 1-hour part of the cache writes, where the span reports the 5-minute / 1-hour split. */
function oneHourWrites(attrs: Attributes, cacheWrite: number, meta: string | undefined, aiSdk: boolean, max: number): number | undefined {
  let h1: number | undefined;
  let m5: number | undefined;
  if (aiSdk) {
    if (meta === undefined) return undefined;
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
 * Sets the modality parts of `u`, each within its total: audio and image input within the
 * uncached input (a part counted twice would be billed twice), audio and image output within output.
 */
function setModalities(u: NormalisedUsage, audioIn: number, audioOut: number, imageIn: number, imageOut: number): void {
  const uncached = Math.max(0, u.inputTokens - u.cacheReadTokens - u.cacheWriteTokens);
  u.audioInputTokens = Math.min(Math.max(0, audioIn), uncached);
  u.imageInputTokens = Math.min(Math.max(0, imageIn), uncached - u.audioInputTokens);
  u.audioOutputTokens = Math.min(audioOut, u.outputTokens);
  u.imageOutputTokens = Math.min(imageOut, u.outputTokens - u.audioOutputTokens);
}

/**
 * OTel GenAI usage by modality. Its audio and image input counts include their cached parts, which
 * are also in the cache-read count and billed at the cache-read rate: they are taken out.
 */
function genAiModalities(attrs: Attributes, u: NormalisedUsage, max: number): boolean {
  const audioIn = count(attrs[sc.GEN_AI_USAGE_AUDIO_INPUT], max);
  const audioOut = count(attrs[sc.GEN_AI_USAGE_AUDIO_OUTPUT], max);
  const imageIn = count(attrs[sc.GEN_AI_USAGE_IMAGE_INPUT], max);
  const imageOut = count(attrs[sc.GEN_AI_USAGE_IMAGE_OUTPUT], max);
  if (audioIn === undefined && audioOut === undefined && imageIn === undefined && imageOut === undefined) return true;
  const audioCached = audioIn !== undefined && audioIn > 0 && u.cacheReadTokens > 0 ? count(attrs[sc.GEN_AI_USAGE_AUDIO_CACHE_READ], max) : undefined;
  const imageCached = imageIn !== undefined && imageIn > 0 && u.cacheReadTokens > 0 ? count(attrs[sc.GEN_AI_USAGE_IMAGE_CACHE_READ], max) : undefined;
  if (audioIn === INVALID || audioOut === INVALID || imageIn === INVALID || imageOut === INVALID || audioCached === INVALID || imageCached === INVALID) return false;
  setModalities(u, (audioIn ?? 0) - (audioCached ?? 0), audioOut ?? 0, (imageIn ?? 0) - (imageCached ?? 0), imageOut ?? 0);
  return true;
}

/** OpenInference audio details (OpenAI's `audio_tokens` of prompt and completion). */
function openInferenceModalities(attrs: Attributes, u: NormalisedUsage, max: number): boolean {
  const audioIn = count(attrs[sc.LLM_TOKEN_COUNT_PROMPT_AUDIO], max);
  const audioOut = count(attrs[sc.LLM_TOKEN_COUNT_COMPLETION_AUDIO], max);
  if (audioIn === undefined && audioOut === undefined) return true;
  if (audioIn === INVALID || audioOut === INVALID) return false;
  setModalities(u, audioIn ?? 0, audioOut ?? 0, 0, 0);
  return true;
}

/** The modality parts this package wrote with the usage a span was priced with (already uncached). */
function writtenModalities(attrs: Attributes, u: NormalisedUsage, max: number): boolean {
  const audioIn = count(attrs[sc.ATTR_USAGE_AUDIO_INPUT], max);
  const audioOut = count(attrs[sc.ATTR_USAGE_AUDIO_OUTPUT], max);
  const imageIn = count(attrs[sc.ATTR_USAGE_IMAGE_INPUT], max);
  const imageOut = count(attrs[sc.ATTR_USAGE_IMAGE_OUTPUT], max);
  if (audioIn === INVALID || audioOut === INVALID || imageIn === INVALID || imageOut === INVALID) return false;
  setModalities(u, audioIn ?? 0, audioOut ?? 0, imageIn ?? 0, imageOut ?? 0);
  return true;
}

/**
 * Reads model, provider, billing details (service tier, region, web searches) and usage from a
 * span's attributes in any of the supported conventions and normalises them: input includes cached
 * tokens (added back where an instrumentation reports Anthropic's raw input, known by its scope or
 * because cache tokens exceed input), output includes reasoning (added where reasoning exceeds
 * output, as Gemini's thoughts do), audio and image parts are uncached parts of input and parts of
 * output. Usage this package wrote (`genai_cost.usage.*`) beats the span's own counts.
 */
export function readCall(attrs: Attributes, role: GenAISpanRole, scopeName: string, options: UsageReadOptions): GenAICall {
  let model = firstString(attrs, MODEL_KEYS);
  const provider = firstString(attrs, PROVIDER_KEYS);
  if (role !== 'inference') return { role, model, provider };

  const keys = conventionOf(attrs);
  const aiSdk = keys === AI_SDK_KEYS;
  const id = provider === undefined ? undefined : providerId(provider);
  const rawMeta = aiSdk ? attrs[sc.AI_RESPONSE_PROVIDER_METADATA] : undefined;
  const meta = typeof rawMeta === 'string' ? rawMeta : undefined;
  if (id === 'bedrock' && model !== undefined) model = bedrockModel(attrs, model);
  const serviceTier = serviceTierOf(attrs, id, meta);
  const region = regionOf(attrs, id, meta);
  if (keys === undefined) return { role, model, provider, serviceTier, region, problem: 'no_usage' };
  const max = options.maxTokens;
  const input = tokens(attrs, keys.input, max);
  const output = tokens(attrs, keys.output, max);
  if (input === undefined && output === undefined) return { role, model, provider, serviceTier, region, problem: 'no_usage' };
  const cacheReadRaw = tokens(attrs, keys.cacheRead, max);
  const cacheRead = cacheReadRaw ?? 0;
  const cacheWrite = tokens(attrs, keys.cacheWrite, max) ?? 0;
  const reasoning = tokens(attrs, keys.reasoning, max) ?? 0;
  if (input === INVALID || output === INVALID || cacheRead === INVALID || cacheWrite === INVALID || reasoning === INVALID) {
    return { role, model, provider, serviceTier, region, problem: 'invalid_usage' };
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
    cacheWrite1hTokens: cacheWrite > 0 ? oneHourWrites(attrs, cacheWrite, meta, aiSdk, max) : undefined,
    reasoningTokens: reasoning,
    audioInputTokens: 0,
    audioOutputTokens: 0,
    imageInputTokens: 0,
    imageOutputTokens: 0,
    webSearchRequests: webSearchesOf(attrs, id, meta),
    inputExcludedCache,
    cacheReadReported: cacheReadRaw !== undefined,
  };
  if (usage.inputTokens > max || usage.outputTokens > max || (keys.modalities !== undefined && !keys.modalities(attrs, usage, max))) {
    return { role, model, provider, serviceTier, region, problem: 'invalid_usage' };
  }
  if (model === undefined) return { role, model, provider, serviceTier, region, usage, problem: 'missing_model' };
  return { role, model, provider, serviceTier, region, usage };
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
  const merged: NormalisedUsage = {
    inputTokens: Math.max(a.inputTokens, b.inputTokens, cacheReadTokens + cacheWriteTokens),
    outputTokens: Math.max(a.outputTokens, b.outputTokens, reasoningTokens),
    cacheReadTokens,
    cacheWriteTokens,
    cacheWrite1hTokens: h1 === undefined ? undefined : Math.min(h1, cacheWriteTokens),
    reasoningTokens,
    audioInputTokens: 0,
    audioOutputTokens: 0,
    imageInputTokens: 0,
    imageOutputTokens: 0,
    webSearchRequests: Math.max(a.webSearchRequests, b.webSearchRequests),
    inputExcludedCache: a.inputExcludedCache || b.inputExcludedCache,
    cacheReadReported: a.cacheReadReported || b.cacheReadReported,
  };
  setModalities(
    merged,
    Math.max(a.audioInputTokens, b.audioInputTokens),
    Math.max(a.audioOutputTokens, b.audioOutputTokens),
    Math.max(a.imageInputTokens, b.imageInputTokens),
    Math.max(a.imageOutputTokens, b.imageOutputTokens),
  );
  return merged;
}

/** Whether two usages would be stored and priced alike. */
export function sameUsage(a: NormalisedUsage, b: NormalisedUsage): boolean {
  return (
    a.inputTokens === b.inputTokens &&
    a.outputTokens === b.outputTokens &&
    a.cacheReadTokens === b.cacheReadTokens &&
    a.cacheWriteTokens === b.cacheWriteTokens &&
    a.cacheWrite1hTokens === b.cacheWrite1hTokens &&
    a.reasoningTokens === b.reasoningTokens &&
    a.audioInputTokens === b.audioInputTokens &&
    a.audioOutputTokens === b.audioOutputTokens &&
    a.imageInputTokens === b.imageInputTokens &&
    a.imageOutputTokens === b.imageOutputTokens &&
    a.webSearchRequests === b.webSearchRequests
  );
}
