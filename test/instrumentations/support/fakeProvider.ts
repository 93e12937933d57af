import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Usage an OpenAI call reports, in the API's own fields. */
export interface OpenAIUsage {
  input: number;
  output: number;
  cached?: number;
  reasoning?: number;
  /** Audio tokens of the prompt and of the completion (Chat Completions `audio_tokens` details). */
  audioInput?: number;
  audioOutput?: number;
}

/** Usage an Anthropic call reports: input excludes cache, as the Messages API counts it. */
export interface AnthropicUsage {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite5m?: number;
  cacheWrite1h?: number;
  /** `server_tool_use.web_search_requests`, when the call searched the web. */
  webSearches?: number;
  /** `inference_geo`, when the request asked for one (`us`). */
  inferenceGeo?: string;
}

/** What the next responses carry; tests set it before each call. */
export interface FakeProviderScript {
  openai: OpenAIUsage;
  /** `service_tier` the OpenAI responses report. */
  openaiServiceTier: string;
  /** Tokens each embedding input counts. */
  embeddingTokens: number;
  anthropic: AnthropicUsage;
  anthropicServiceTier: string;
}

/** One request the fake provider received. */
export interface RecordedRequest {
  path: string;
  body: Record<string, unknown>;
}

/**
 * A stand-in for the OpenAI and Anthropic HTTP APIs on 127.0.0.1 (port 0): Chat Completions,
 * Responses, Embeddings and Messages, as JSON or as server-sent events when the request asks to
 * stream, with the usage of `script` in each API's own fields (OpenAI's cached and reasoning
 * details, Anthropic's cache reads and 5-minute / 1-hour writes). The bodies follow the APIs'
 * published shapes, so the real SDKs and instrumentations parse them as they would the real ones.
 */
export class FakeProvider {
  readonly script: FakeProviderScript = {
    openai: { input: 0, output: 0 },
    openaiServiceTier: 'default',
    embeddingTokens: 0,
    anthropic: { input: 0, output: 0 },
    anthropicServiceTier: 'standard',
  };
  readonly requests: RecordedRequest[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));
  private port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Base URL for the OpenAI SDK (`…/v1`). */
  get openaiBaseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Base URL for the Anthropic SDK (it appends `/v1/messages`). */
  get anthropicBaseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
      const path = (req.url ?? '').split('?')[0]!;
      this.requests.push({ path, body });
      const model = String(body.model ?? '');
      const stream = body.stream === true;
      if (path.endsWith('/chat/completions')) return stream ? sse(res, this.chatChunks(model)) : json(res, this.chat(model));
      if (path.endsWith('/responses')) return stream ? sse(res, this.responseEvents(model)) : json(res, this.response(model, 'completed'));
      if (path.endsWith('/embeddings')) return json(res, this.embeddings(model, body));
      if (path.endsWith('/messages')) return stream ? sse(res, this.messageEvents(model)) : json(res, this.message(model));
      res.statusCode = 404;
      json(res, { error: { type: 'not_found', message: `no fake for ${path}` } });
    });
  }

  private openaiUsage(kind: 'chat' | 'responses') {
    const u = this.script.openai;
    if (kind === 'chat') {
      return {
        prompt_tokens: u.input,
        completion_tokens: u.output,
        total_tokens: u.input + u.output,
        prompt_tokens_details: { cached_tokens: u.cached ?? 0, audio_tokens: u.audioInput ?? 0 },
        completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0, audio_tokens: u.audioOutput ?? 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      };
    }
    return {
      input_tokens: u.input,
      input_tokens_details: { cached_tokens: u.cached ?? 0 },
      output_tokens: u.output,
      output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
      total_tokens: u.input + u.output,
    };
  }

  private chat(model: string) {
    return {
      id: 'chatcmpl-fake1',
      object: 'chat.completion',
      created: 1_764_000_000,
      model: dated(model),
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
      usage: this.openaiUsage('chat'),
      service_tier: this.script.openaiServiceTier,
      system_fingerprint: 'fp_fake',
    };
  }

  private chatChunks(model: string): SseEvent[] {
    const base = { id: 'chatcmpl-fake1', object: 'chat.completion.chunk', created: 1_764_000_000, model: dated(model), service_tier: this.script.openaiServiceTier, system_fingerprint: 'fp_fake' };
    return [
      { data: { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }], usage: null } },
      { data: { ...base, choices: [{ index: 0, delta: { content: 'ok' }, logprobs: null, finish_reason: null }], usage: null } },
      { data: { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null } },
      { data: { ...base, choices: [], usage: this.openaiUsage('chat') } },
      { data: '[DONE]' },
    ];
  }

  private response(model: string, status: 'in_progress' | 'completed') {
    const done = status === 'completed';
    const reasoning = (this.script.openai.reasoning ?? 0) > 0;
    return {
      id: 'resp_fake1',
      object: 'response',
      created_at: 1_764_000_000,
      status,
      error: null,
      incomplete_details: null,
      instructions: null,
      model: dated(model),
      output: done
        ? [
            ...(reasoning ? [{ type: 'reasoning', id: 'rs_fake1', summary: [] }] : []),
            { type: 'message', id: 'msg_fake1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'ok', annotations: [], logprobs: [] }] },
          ]
        : [],
      parallel_tool_calls: true,
      service_tier: this.script.openaiServiceTier,
      temperature: 1,
      tool_choice: 'auto',
      tools: [],
      top_p: 1,
      usage: done ? this.openaiUsage('responses') : null,
    };
  }

  private responseEvents(model: string): SseEvent[] {
    const item = { type: 'message', id: 'msg_fake1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'ok', annotations: [], logprobs: [] }] };
    const events: Record<string, unknown>[] = [
      { type: 'response.created', response: this.response(model, 'in_progress') },
      { type: 'response.in_progress', response: this.response(model, 'in_progress') },
      { type: 'response.output_item.added', output_index: 0, item: { ...item, status: 'in_progress', content: [] } },
      { type: 'response.content_part.added', item_id: 'msg_fake1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [], logprobs: [] } },
      { type: 'response.output_text.delta', item_id: 'msg_fake1', output_index: 0, content_index: 0, delta: 'ok', logprobs: [] },
      { type: 'response.output_text.done', item_id: 'msg_fake1', output_index: 0, content_index: 0, text: 'ok', logprobs: [] },
      { type: 'response.content_part.done', item_id: 'msg_fake1', output_index: 0, content_index: 0, part: item.content[0] },
      { type: 'response.output_item.done', output_index: 0, item },
      { type: 'response.completed', response: this.response(model, 'completed') },
    ];
    return events.map((data, i) => ({ event: String(data.type), data: { ...data, sequence_number: i } }));
  }

  private embeddings(model: string, body: Record<string, unknown>) {
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    const vector = [0.25, -0.5, 0.75];
    const base64 = body.encoding_format === 'base64';
    return {
      object: 'list',
      model,
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector })),
      usage: { prompt_tokens: this.script.embeddingTokens * inputs.length, total_tokens: this.script.embeddingTokens * inputs.length },
    };
  }

  private anthropicUsage(outputTokens: number) {
    const u = this.script.anthropic;
    const w5 = u.cacheWrite5m ?? 0;
    const w1 = u.cacheWrite1h ?? 0;
    return {
      input_tokens: u.input,
      cache_creation_input_tokens: w5 + w1,
      cache_read_input_tokens: u.cacheRead ?? 0,
      cache_creation: { ephemeral_5m_input_tokens: w5, ephemeral_1h_input_tokens: w1 },
      output_tokens: outputTokens,
      service_tier: this.script.anthropicServiceTier,
      ...(u.webSearches === undefined ? {} : { server_tool_use: { web_search_requests: u.webSearches, web_fetch_requests: 0 } }),
      ...(u.inferenceGeo === undefined ? {} : { inference_geo: u.inferenceGeo }),
    };
  }

  private message(model: string) {
    return {
      id: 'msg_fake1',
      type: 'message',
      role: 'assistant',
      model: dated(model),
      content: [{ type: 'text', text: 'ok' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: this.anthropicUsage(this.script.anthropic.output),
    };
  }

  private messageEvents(model: string): SseEvent[] {
    const start = { ...this.message(model), content: [], stop_reason: null, usage: this.anthropicUsage(1) };
    const full = this.anthropicUsage(this.script.anthropic.output);
    // The closing message_delta repeats the counts, without the split and the tier.
    const finalUsage = {
      input_tokens: full.input_tokens,
      cache_creation_input_tokens: full.cache_creation_input_tokens,
      cache_read_input_tokens: full.cache_read_input_tokens,
      output_tokens: full.output_tokens,
    };
    const events: Record<string, unknown>[] = [
      { type: 'message_start', message: start },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'ok' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: finalUsage },
      { type: 'message_stop' },
    ];
    return events.map((data) => ({ event: String(data.type), data }));
  }
}

interface SseEvent {
  event?: string;
  data: unknown;
}

/**
 * Providers answer with a dated snapshot of the requested alias, as the real APIs do; Gemini and
 * DeepSeek with the name asked for; Bedrock with the vendor's name of a model asked for by its
 * Bedrock id (`us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5-20250929`).
 */
function dated(model: string): string {
  const bedrock = /^(?:[a-z-]+\.)?anthropic\.(claude-[a-z0-9-]+?)(?:-v\d+)?:\d+$/.exec(model);
  if (bedrock !== null) return bedrock[1]!;
  if (model.startsWith('gemini-') || model.startsWith('deepseek-')) return model;
  if (model.startsWith('claude-')) return /-\d{8}$/.test(model) ? model : `${model}-20250929`;
  return /-\d{4}-\d{2}-\d{2}$/.test(model) ? model : `${model}-2025-04-14`;
}

function json(res: ServerResponse, body: unknown): void {
  res.setHeader('content-type', 'application/json');
  res.setHeader('request-id', 'req_fake');
  res.end(JSON.stringify(body));
}

function sse(res: ServerResponse, events: readonly SseEvent[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const e of events) {
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
    res.write(`${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${data}\n\n`);
  }
  res.end();
}
