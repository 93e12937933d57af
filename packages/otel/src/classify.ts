import { SpanKind } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import * as sc from './semconv.js';

/** What a GenAI span is: a model call to price, a wrapper repeating its children's usage, or other GenAI work. */
export type GenAISpanRole = 'inference' | 'wrapper' | 'other';

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
    attrs[sc.LLM_MODEL_NAME] !== undefined ||
    attrs[sc.EMBEDDING_MODEL_NAME] !== undefined
  ) {
    return 'inference';
  }
  return undefined;
}

/**
 * True when some attribute key could make `classify` answer (every key it reads starts with
 * `gen_ai.`, `llm.`, `ai.`, `openinference.` or `embedding.`). Scanning the few keys of a plain
 * span by their first character is cheaper than `classify`'s misses, which keeps the registry of
 * live model calls off the path of non-GenAI spans.
 */
export function mayBeGenAI(attrs: Attributes): boolean {
  for (const key in attrs) {
    const c = key.charCodeAt(0);
    // g(en_ai.) l(lm.) a(i.) o(peninference.) e(mbedding.)
    if (c === 103 || c === 108 || c === 97 || c === 111 || c === 101) return true;
  }
  return false;
}
