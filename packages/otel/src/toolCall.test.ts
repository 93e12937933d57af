import { afterEach, describe, expect, it } from 'vitest';
import { withAttribution } from './attribution.js';
import { GenAICostSpanProcessor } from './GenAICostSpanProcessor.js';
import { createTestTracing } from './test-support/tracing.js';
import { readToolCall } from './toolCall.js';
import type { ToolCallEvent } from './types.js';

let tracing: ReturnType<typeof createTestTracing> | undefined;
afterEach(async () => {
  await tracing?.close();
  tracing = undefined;
});

describe('readToolCall', () => {
  it('reads the tool and its arguments in each convention', () => {
    // Attribute names as the OTel GenAI conventions (1.41), OpenInference 1.x and the AI SDK 6 name them.
    expect(readToolCall({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.arguments': '{"q":"x"}' })).toEqual({
      toolName: 'search',
      arguments: '{"q":"x"}',
    });
    expect(readToolCall({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' })).toEqual({ toolName: 'search', arguments: undefined });
    expect(readToolCall({ 'openinference.span.kind': 'TOOL', 'tool.name': 'search', 'input.value': '{"q":"x"}', 'tool.parameters': '{"type":"object"}' })).toEqual({
      toolName: 'search',
      arguments: '{"q":"x"}',
    });
    expect(readToolCall({ 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'search', 'ai.toolCall.args': '{"q":"x"}' })).toEqual({ toolName: 'search', arguments: '{"q":"x"}' });
  });

  it('ignores other spans and tool spans without a name', () => {
    expect(readToolCall({ 'gen_ai.operation.name': 'chat', 'gen_ai.tool.name': 'search' })).toBeUndefined();
    expect(readToolCall({ 'gen_ai.operation.name': 'execute_tool' })).toBeUndefined();
    expect(readToolCall({ 'openinference.span.kind': 'CHAIN', 'tool.name': 'search' })).toBeUndefined();
  });
});

describe('GenAICostSpanProcessor onToolCall', () => {
  it('passes each tool call with its attribution, and only tool calls', () => {
    const calls: ToolCallEvent[] = [];
    tracing = createTestTracing({ onToolCall: (e) => calls.push(e) });
    withAttribution({ userId: 'u1', tier: 'pro', sessionId: 's1' }, () => {
      tracing!.tracer.startSpan('execute_tool search', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.tool.call.arguments': '{"q":"x"}' } }).end();
      tracing!.tracer.startSpan('chat gpt-test', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 1, 'gen_ai.usage.output_tokens': 1 } }).end();
    });
    expect(calls).toEqual([
      {
        spanContext: tracing.span('execute_tool search').spanContext(),
        attribution: { userId: 'u1', tier: 'pro', sessionId: 's1' },
        storedUserId: 'u1',
        toolName: 'search',
        arguments: '{"q":"x"}',
        startTimeMs: expect.any(Number),
      },
    ]);
  });

  it('counts a listener that throws and leaves the span alone', async () => {
    tracing = createTestTracing({
      onToolCall: () => {
        throw new Error('bug');
      },
    });
    tracing.tracer.startSpan('execute_tool search', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search' } }).end();
    expect(tracing.processor.getStats().internalErrors).toBe(1);
    expect(tracing.span('execute_tool search').attributes['gen_ai.usage.cost']).toBeUndefined();
  });

  it('rejects an onToolCall that is not a function, naming it', () => {
    expect(() => new GenAICostSpanProcessor({ onToolCall: 'guard' as never })).toThrow(/option "onToolCall": expected a function/);
  });
});
