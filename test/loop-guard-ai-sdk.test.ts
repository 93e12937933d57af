import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, jsonSchema, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetGuard, LoopDetectedError } from '@genai-cost/budget';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';
import { PriceCatalog } from '@genai-cost/pricing';

/** $1 per million input tokens: each mock model call (10,000 input tokens) costs $0.01. */
const CATALOG = PriceCatalog.empty().withPrices([{ provider: 'mock-provider', model: 'mock-model-id', input: 1, output: 0 }]);

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

/** A model that asks for the tool call `plan(step)` names at every step, never answering. */
function agentModel(plan: (step: number) => { toolName: string; input: object }) {
  return new MockLanguageModelV3({
    provider: 'mock-provider',
    modelId: 'mock-model-id',
    doGenerate: async (options) => {
      const step = options.prompt.filter((m) => m.role === 'assistant').length;
      const call = plan(step);
      return {
        content: [{ type: 'tool-call', toolCallId: `call-${step}`, toolName: call.toolName, input: JSON.stringify(call.input) }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: {
          inputTokens: { total: 10_000, noCache: 10_000, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: 20, text: 20, reasoning: 0 },
        },
        warnings: [],
      };
    },
  });
}

const cityInput = jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
const TOOLS = {
  get_weather: tool({ description: 'Weather in a city', inputSchema: cityInput, execute: async ({ city }) => `sunny in ${city}` }),
  get_time: tool({ description: 'Local time in a city', inputSchema: cityInput, execute: async ({ city }) => `noon in ${city}` }),
};

/** Runs an AI SDK agent whose every step is checked first; the guard learns of calls only from spans. */
async function runAgent(sessionId: string, plan: (step: number) => { toolName: string; input: object }) {
  const loops: string[] = [];
  const guard = new BudgetGuard({ plan: { tiers: { pro: { monthlyBudgetUsd: 50, action: 'block' } } }, onLoop: (l) => loops.push(`${l.toolName}×${l.count}`) });
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new GenAICostSpanProcessor({ catalog: CATALOG, onSpanCost: guard.spanCostListener(), onToolCall: guard.toolCallListener() }),
      new SimpleSpanProcessor(exporter),
    ],
  });
  const model = agentModel(plan);
  const subject = { userId: 'u1', tier: 'pro', sessionId };
  let error: unknown;
  try {
    await withAttribution(subject, () =>
      generateText({
        model,
        tools: TOOLS,
        prompt: 'What should I wear in Paris today?',
        stopWhen: stepCountIs(8),
        experimental_telemetry: { isEnabled: true, tracer: provider.getTracer('app') },
        // Before every model call: throws LoopDetectedError once the session loops.
        prepareStep: () => {
          guard.enforce(subject);
          return undefined;
        },
      }),
    );
  } catch (err) {
    error = err;
  }
  return { guard, loops, error, modelCalls: model.doGenerateCalls.length, spans: exporter.getFinishedSpans(), subject };
}

describe('loop guard fed by AI SDK spans', () => {
  it('stops an agent calling get_weather(Paris) three times before its fourth model call', async () => {
    const run = await runAgent('looping', () => ({ toolName: 'get_weather', input: { city: 'Paris' } }));
    expect(run.modelCalls).toBe(3);
    expect(run.error).toBeInstanceOf(LoopDetectedError);
    expect(run.error).toMatchObject({ toolName: 'get_weather', count: 3, sessionId: 'looping' });
    expect(run.loops).toEqual(['get_weather×3']);
    // What the guard read: the AI SDK's ai.toolCall spans and its priced doGenerate spans ($0.01 each).
    const toolSpans = run.spans.filter((s) => s.attributes['ai.operationId'] === 'ai.toolCall');
    expect(toolSpans.map((s) => [s.attributes['ai.toolCall.name'], s.attributes['ai.toolCall.args']])).toEqual(
      Array.from({ length: 3 }, () => ['get_weather', '{"city":"Paris"}']),
    );
    expect(run.guard.check(run.subject)).toMatchObject({ state: 'loop', spentUsd: 0.03 });
  });

  it('lets an agent alternating get_weather and get_time run its eight steps', async () => {
    const run = await runAgent('alternating', (step) => ({ toolName: step % 2 === 0 ? 'get_weather' : 'get_time', input: { city: 'Paris' } }));
    expect(run.error).toBeUndefined();
    expect(run.modelCalls).toBe(8);
    expect(run.loops).toEqual([]);
    expect(run.guard.check(run.subject)).toMatchObject({ state: 'ok', action: 'allow', spentUsd: 0.08 });
  });
});
