import { SpanKind, context, trace } from '@opentelemetry/api';
import type { Attributes, Context, Tracer, TracerProvider } from '@opentelemetry/api';
import { ATTRIBUTION_FIELDS, DEFAULT_ATTRIBUTE_KEYS, withAttribution } from '@genai-cost/otel';
import type { Attribution } from '@genai-cost/otel';
import * as sc from '@genai-cost/otel';
import type { DemoModel, UsageStyle } from './saas.js';
import type { DemoCall, DemoSession } from './sessions.js';

/** Instrumentation scopes, so spans look like those of the instrumentations that report each style. */
const SCOPES: Record<UsageStyle, string> = {
  openai: '@opentelemetry/instrumentation-openai',
  // Its Anthropic spans report input without cached tokens; the processor adds them back.
  anthropic: '@traceloop/instrumentation-anthropic',
  gemini: '@google/genai',
};
const AGENT_SCOPE = 'genai-cost-demo/agents';
const SERVER: Record<UsageStyle, string> = {
  openai: 'api.openai.com',
  anthropic: 'api.anthropic.com',
  gemini: 'generativelanguage.googleapis.com',
};
const OPERATION: Record<UsageStyle, string> = { openai: 'chat', anthropic: 'chat', gemini: 'generate_content' };

/** Usage attributes the way each instrumentation writes them. */
function usageAttributes(call: DemoCall): Attributes {
  const style = call.model.style;
  if (style === 'anthropic') {
    // Anthropic's API (and the instrumentations that copy it) count input without the cache.
    return {
      [sc.GEN_AI_USAGE_INPUT_TOKENS]: call.inputTokens - call.cacheReadTokens - call.cacheWriteTokens,
      [sc.GEN_AI_USAGE_OUTPUT_TOKENS]: call.outputTokens,
      [sc.GEN_AI_USAGE_CACHE_READ_LEGACY]: call.cacheReadTokens,
      [sc.GEN_AI_USAGE_CACHE_CREATION_LEGACY]: call.cacheWriteTokens,
    };
  }
  const attrs: Attributes = {
    [sc.GEN_AI_USAGE_INPUT_TOKENS]: call.inputTokens,
    [sc.GEN_AI_USAGE_OUTPUT_TOKENS]: call.outputTokens,
  };
  if (call.cacheReadTokens > 0) attrs[sc.GEN_AI_USAGE_CACHE_READ] = call.cacheReadTokens;
  if (call.reasoningTokens > 0) attrs[sc.GEN_AI_USAGE_REASONING] = call.reasoningTokens;
  return attrs;
}

function requestAttributes(model: DemoModel): Attributes {
  return {
    [sc.GEN_AI_OPERATION_NAME]: OPERATION[model.style],
    [sc.GEN_AI_PROVIDER_NAME]: model.provider,
    [sc.GEN_AI_REQUEST_MODEL]: model.requestModel,
    'server.address': SERVER[model.style],
  };
}

/** The attribution as span attributes under the default keys, as an app without the processor sets them. */
function attributionAttributes(a: Readonly<Attribution>): Attributes {
  const out: Attributes = {};
  for (const field of ATTRIBUTION_FIELDS) if (a[field] !== undefined) out[DEFAULT_ATTRIBUTE_KEYS[field]] = a[field];
  return out;
}

/** Where the emitter puts a session's attribution. */
export type AttributionCarrier = 'context' | 'attributes';

/**
 * Turns demo sessions into spans through a real tracer provider, with the timestamps of the
 * history, as an instrumented application would. The attribution goes in the active context
 * (`withAttribution`, for the in-process processor) or, with `attributes`, onto every span as
 * attributes (`user.id`, `saas.tier`, …), as an app in another language sets them for a receiver.
 */
export class SessionEmitter {
  private readonly tracers: Record<UsageStyle, Tracer>;
  private readonly agentTracer: Tracer;
  /** The current session's attribution attributes, when carried on the spans. */
  private carried: Attributes = {};

  constructor(
    provider: TracerProvider,
    private readonly carrier: AttributionCarrier = 'context',
  ) {
    this.tracers = {
      openai: provider.getTracer(SCOPES.openai),
      anthropic: provider.getTracer(SCOPES.anthropic),
      gemini: provider.getTracer(SCOPES.gemini),
    };
    this.agentTracer = provider.getTracer(AGENT_SCOPE);
  }

  /** Emits the session's spans; returns how many. */
  emit(session: DemoSession): number {
    const run = () => (session.agent ? this.agent(session) : this.calls(session, context.active()));
    if (this.carrier === 'context') return withAttribution(session.attribution, run);
    this.carried = attributionAttributes(session.attribution);
    return run();
  }

  private calls(session: DemoSession, parent: Context): number {
    for (const call of session.calls) this.call(call, parent);
    return session.calls.length;
  }

  private agent(session: DemoSession): number {
    const first = session.calls[0]!;
    const last = session.calls[session.calls.length - 1]!;
    const wrapper = this.agentTracer.startSpan(
      'invoke_agent research-agent',
      {
        kind: SpanKind.INTERNAL,
        startTime: first.startMs,
        attributes: {
          [sc.GEN_AI_OPERATION_NAME]: 'invoke_agent',
          [sc.GEN_AI_PROVIDER_NAME]: first.model.provider,
          [sc.GEN_AI_REQUEST_MODEL]: first.model.requestModel,
          'gen_ai.agent.name': 'research-agent',
          ...this.carried,
        },
      },
      context.active(),
    );
    this.calls(session, trace.setSpan(context.active(), wrapper));
    // Agent frameworks roll their children's usage up onto the agent span; it must not be priced again.
    let input = 0;
    let output = 0;
    for (const c of session.calls) {
      input += c.inputTokens;
      output += c.outputTokens;
    }
    wrapper.setAttributes({ [sc.GEN_AI_USAGE_INPUT_TOKENS]: input, [sc.GEN_AI_USAGE_OUTPUT_TOKENS]: output });
    wrapper.end(last.startMs + last.durationMs);
    return session.calls.length + 1;
  }

  private call(call: DemoCall, parent: Context): void {
    const model = call.model;
    const span = this.tracers[model.style].startSpan(
      `${OPERATION[model.style]} ${model.requestModel}`,
      { kind: SpanKind.CLIENT, startTime: call.startMs, attributes: { ...requestAttributes(model), ...this.carried } },
      parent,
    );
    // Response attributes arrive with the response, as instrumentations set them.
    span.setAttribute(sc.GEN_AI_RESPONSE_MODEL, model.responseModel);
    span.setAttributes(usageAttributes(call));
    span.end(call.startMs + call.durationMs);
  }
}
