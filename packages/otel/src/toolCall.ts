import type { Attributes } from '@opentelemetry/api';
import { AI_OPERATION_ID, GEN_AI_OPERATION_NAME, OPENINFERENCE_SPAN_KIND } from './semconv.js';

// Tool-execution attribute names, per convention (OTel GenAI 1.41, OpenInference 1.x, AI SDK 4–6).
/** OTel GenAI: the tool an `execute_tool` span ran. */
export const GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
/** OTel GenAI (opt-in, may hold sensitive data): the call's arguments, JSON. */
export const GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
/** OpenInference: the tool a `TOOL` span ran. */
export const TOOL_NAME = 'tool.name';
/**
 * OpenInference: a span's input; on `TOOL` spans the call's arguments. (`tool.parameters` is not
 * read: instrumentations fill it with the tool's parameter definition, the same on every call.)
 */
export const INPUT_VALUE = 'input.value';
/** AI SDK: the tool an `ai.toolCall` span ran, and its arguments as JSON. */
export const AI_TOOL_CALL_NAME = 'ai.toolCall.name';
export const AI_TOOL_CALL_ARGS = 'ai.toolCall.args';

/** A tool call read from a span. */
export interface ToolCallReading {
  toolName: string;
  /** The arguments as the span carries them (usually JSON); undefined when it does not. */
  arguments: string | undefined;
}

/**
 * The tool call a span records, in any of the supported conventions: an OTel GenAI
 * `execute_tool` span, an OpenInference `TOOL` span or an AI SDK `ai.toolCall` span. Undefined
 * for other spans and for tool spans without a tool name.
 */
export function readToolCall(attrs: Attributes): ToolCallReading | undefined {
  let name: unknown;
  let args: unknown;
  if (attrs[GEN_AI_OPERATION_NAME] === 'execute_tool') {
    name = attrs[GEN_AI_TOOL_NAME];
    args = attrs[GEN_AI_TOOL_CALL_ARGUMENTS];
  } else if (attrs[AI_OPERATION_ID] === 'ai.toolCall') {
    name = attrs[AI_TOOL_CALL_NAME];
    args = attrs[AI_TOOL_CALL_ARGS];
  } else if (typeof attrs[OPENINFERENCE_SPAN_KIND] === 'string' && (attrs[OPENINFERENCE_SPAN_KIND] as string).toUpperCase() === 'TOOL') {
    name = attrs[TOOL_NAME];
    args = attrs[INPUT_VALUE];
  }
  if (typeof name !== 'string' || name === '') return undefined;
  return { toolName: name, arguments: typeof args === 'string' ? args : undefined };
}
