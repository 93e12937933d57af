import { SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import * as sc from './semconv.js';

/** What a GenAI span is: a model call to price, a wrapper repeating its children's usage, or other GenAI work. */
export type GenAISpanRole = 'inference' | 'wrapper' | 'other';

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
  reasoningTokens: number;
  /** True when the span reported input without cached tokens and they were added back. */
  inputExcludedCache: boolean;
}

/** The GenAI reading of one span. */
export interface GenAICall {
  role: GenAISpanRole;
  model?: string | undefined;
  provider?: string | undefined;
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

const INFERENCE_OPERATIONS = new Set(['chat', 'text_completion', 'generate_content', 'embeddings', 'completion']);
const WRAPPER_OPERATIONS = new Set(['invoke_agent', 'invoke_workflow']);
const OPENINFERENCE_INFERENCE = new Set(['LLM', 'EMBEDDING']);
const OPENINFERENCE_WRAPPER = new Set(['AGENT', 'CHAIN']);
const AI_SDK_ROOTS = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
  'ai.embed',
  'ai.embedMany',
]);

const MODEL_KEYS = [sc.GEN_AI_RESPONSE_MODEL, sc.GEN_AI_REQUEST_MODEL, sc.LLM_MODEL_NAME, sc.AI_RESPONSE_MODEL, sc.AI_MODEL_ID];
const PROVIDER_KEYS = [sc.GEN_AI_PROVIDER_NAME, sc.GEN_AI_SYSTEM, sc.LLM_PROVIDER, sc.LLM_SYSTEM, sc.AI_MODEL_PROVIDER];
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
  // The AI SDK reports cache reads only under its own name, next to gen_ai.usage.* counts.
  cacheRead: [sc.GEN_AI_USAGE_CACHE_READ, sc.GEN_AI_USAGE_CACHE_READ_LEGACY, sc.AI_USAGE_CACHED_INPUT_TOKENS],
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
const AI_SDK_KEYS: UsageKeys = {
  input: [sc.AI_USAGE_INPUT_TOKENS, sc.AI_USAGE_PROMPT_TOKENS],
  output: [sc.AI_USAGE_OUTPUT_TOKENS, sc.AI_USAGE_COMPLETION_TOKENS],
  cacheRead: [sc.AI_USAGE_CACHED_INPUT_TOKENS],
  cacheWrite: [],
  reasoning: [sc.AI_USAGE_REASONING_TOKENS],
};
const OPENLLMETRY_KEYS: UsageKeys = {
  input: [sc.LLM_USAGE_PROMPT_TOKENS],
  output: [sc.LLM_USAGE_COMPLETION_TOKENS],
  cacheRead: GEN_AI_KEYS.cacheRead,
  cacheWrite: GEN_AI_KEYS.cacheWrite,
  reasoning: GEN_AI_KEYS.reasoning,
};
const CONVENTIONS = [GEN_AI_KEYS, OPENINFERENCE_KEYS, AI_SDK_KEYS, OPENLLMETRY_KEYS];

function conventionOf(attrs: Attributes): UsageKeys | undefined {
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

/** The role of a span, or undefined when it is not a GenAI span at all. Cheap: a few key lookups. */
export function classify(attrs: Attributes, kind: SpanKind): GenAISpanRole | undefined {
  const op = attrs[sc.GEN_AI_OPERATION_NAME];
  if (typeof op === 'string') {
    if (INFERENCE_OPERATIONS.has(op)) return 'inference';
    // An in-process agent repeats the usage of its model calls; a remote one (CLIENT) has no
    // children here and its usage is billed once, on it.
    if (WRAPPER_OPERATIONS.has(op)) return kind === SpanKind.CLIENT ? 'inference' : 'wrapper';
    return 'other';
  }
  const oiKind = attrs[sc.OPENINFERENCE_SPAN_KIND];
  if (typeof oiKind === 'string') {
    const upper = oiKind.toUpperCase();
    if (OPENINFERENCE_INFERENCE.has(upper)) return 'inference';
    return OPENINFERENCE_WRAPPER.has(upper) ? 'wrapper' : 'other';
  }
  const aiOp = attrs[sc.AI_OPERATION_ID];
  if (typeof aiOp === 'string') {
    if (aiOp.endsWith('.doGenerate') || aiOp.endsWith('.doStream') || aiOp.endsWith('.doEmbed')) return 'inference';
    return AI_SDK_ROOTS.has(aiOp) ? 'wrapper' : 'other';
  }
  if (
    attrs[sc.LLM_REQUEST_TYPE] !== undefined ||
    attrs[sc.GEN_AI_REQUEST_MODEL] !== undefined ||
    attrs[sc.GEN_AI_SYSTEM] !== undefined ||
    attrs[sc.GEN_AI_PROVIDER_NAME] !== undefined ||
    attrs[sc.LLM_MODEL_NAME] !== undefined
  ) {
    return 'inference';
  }
  return undefined;
}

/** Marker for a token attribute that is present but not a usable count. */
const INVALID = -1;

function tokens(attrs: Attributes, keys: readonly string[], max: number): number | undefined {
  const v = first(attrs, keys);
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
 * Reads model, provider and usage from a span's attributes in any of the supported conventions and
 * normalises them: input includes cached tokens (added back where an instrumentation reports
 * Anthropic's raw input, known by its scope or because cache tokens exceed input), output includes
 * reasoning (added where reasoning exceeds output, as Gemini's thoughts do).
 */
export function readCall(
  attrs: Attributes,
  role: GenAISpanRole,
  scopeName: string,
  options: UsageReadOptions,
): GenAICall {
  const model = firstString(attrs, MODEL_KEYS);
  const provider = firstString(attrs, PROVIDER_KEYS);
  if (role !== 'inference') return { role, model, provider };

  const keys = conventionOf(attrs);
  if (keys === undefined) return { role, model, provider, problem: 'no_usage' };
  const max = options.maxTokens;
  const input = tokens(attrs, keys.input, max);
  const output = tokens(attrs, keys.output, max);
  const cacheRead = tokens(attrs, keys.cacheRead, max) ?? 0;
  const cacheWrite = tokens(attrs, keys.cacheWrite, max) ?? 0;
  const reasoning = tokens(attrs, keys.reasoning, max) ?? 0;

  if (input === INVALID || output === INVALID || cacheRead === INVALID || cacheWrite === INVALID || reasoning === INVALID) {
    return { role, model, provider, problem: 'invalid_usage' };
  }
  const rawInput = input ?? 0;
  const cached = cacheRead + cacheWrite;
  // Without cache tokens the question is moot; skipping it keeps string work off most spans.
  const inputExcludedCache =
    cached > 0 && (cached > rawInput || excludesCacheByScope(scopeName, options.inputExcludesCacheScopes, provider, model));
  const rawOutput = output ?? 0;
  const usage: NormalisedUsage = {
    inputTokens: inputExcludedCache ? rawInput + cacheRead + cacheWrite : rawInput,
    outputTokens: reasoning > rawOutput ? rawOutput + reasoning : rawOutput,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: reasoning,
    inputExcludedCache,
  };
  if (usage.inputTokens > max || usage.outputTokens > max) return { role, model, provider, problem: 'invalid_usage' };
  if (model === undefined) return { role, model, provider, usage, problem: 'missing_model' };
  return { role, model, provider, usage };
}
