import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { BatchSpanProcessor, InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenAICostSpanProcessor, withAttribution } from '@genai-cost/otel';
import type OpenAIModule from 'openai';

/** A stand-in for the OpenAI API on 127.0.0.1 that answers with fixed usage. */
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const request = JSON.parse(body) as { model: string };
    res.setHeader('content-type', 'application/json');
    if (req.url?.endsWith('/chat/completions')) {
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1_750_000_000,
          model: `${request.model}-2024-07-18`,
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500 },
        }),
      );
    } else if (req.url?.endsWith('/embeddings')) {
      res.end(
        JSON.stringify({
          object: 'list',
          model: request.model,
          data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
          usage: { prompt_tokens: 500, total_tokens: 500 },
        }),
      );
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
});

const exporter = new InMemorySpanExporter();
const processor = new GenAICostSpanProcessor();
const provider = new NodeTracerProvider({ spanProcessors: [processor, new BatchSpanProcessor(exporter)] });
let client: { chat: { completions: { create(p: object): Promise<unknown> } }; embeddings: { create(p: object): Promise<unknown> } };

beforeAll(async () => {
  provider.register();
  registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()], tracerProvider: provider });
  // Required after registration so the instrumentation's require hook patches the SDK.
  const { OpenAI } = createRequire(import.meta.url)('openai') as typeof OpenAIModule;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ apiKey: 'test-key', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await provider.shutdown();
  server.close();
});

describe('@opentelemetry/instrumentation-openai spans through GenAICostSpanProcessor and BatchSpanProcessor', () => {
  it('come out attributed and priced at the cost worked out by hand', async () => {
    await withAttribution({ userId: 'user-7', tier: 'solo', feature: 'summarise', sessionId: 'sess-1' }, async () => {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
    });
    await provider.forceFlush();

    const spans = exporter.getFinishedSpans();
    const chat = spans.find((s) => s.name === 'chat gpt-4o-mini')!;
    const embed = spans.find((s) => s.name === 'embeddings text-embedding-3-small')!;
    expect(chat.instrumentationScope.name).toBe('@opentelemetry/instrumentation-openai');

    // gpt-4o-mini: $0.15 / $0.60 per million input / output tokens.
    // 1,200 × 0.15 / 1e6 + 300 × 0.60 / 1e6 = 0.00018 + 0.00018
    expect(chat.attributes).toMatchObject({
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.cost': 0.00036,
      'genai_cost.cost.input': 0.00018,
      'genai_cost.cost.output': 0.00018,
      'genai_cost.price.id': 'openai/gpt-4o-mini@2024-10-01',
      'user.id': 'user-7',
      'saas.tier': 'solo',
      'saas.feature': 'summarise',
      'session.id': 'sess-1',
    });
    // text-embedding-3-small: $0.02 per million: 500 × 0.02 / 1e6
    expect(embed.attributes).toMatchObject({ 'gen_ai.usage.cost': 0.00001, 'genai_cost.price.id': 'openai/text-embedding-3-small@2024-01-25', 'user.id': 'user-7' });
    expect(processor.getStats()).toMatchObject({ pricedSpans: 2, internalErrors: 0 });
  });
});
