import { readFileSync } from 'node:fs';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import * as otel from '@genai-cost/otel';
import { createTestTracing } from '../packages/otel/src/test-support/tracing.js';
import { PriceCatalog } from '@genai-cost/pricing';

/** The README's Prices section; its snippet is run from here, not copied. */
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const PRICES = README.slice(README.indexOf('## Prices\n'), README.indexOf('## Apps in any language'));
const snippet = /```ts\n([\s\S]*?)```/.exec(PRICES)![1]!;

type Snippet = (modules: Record<string, unknown>, nightlyDigest: () => void, azureChat: (messages: unknown) => void, messages: unknown) => Promise<void>;
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => Snippet;

/** The snippet as written, its `import { … } from '<module>'` lines bound to the real modules. */
function compile(): Snippet {
  const body = snippet.replace(/^import \{ ([^}]+) \} from '([^']+)';$/gm, (_, names: string, from: string) => `const { ${names} } = modules[${JSON.stringify(from)}];`);
  return new AsyncFunction('modules', 'nightlyDigest', 'azureChat', 'messages', body);
}

const t = createTestTracing({ catalog: PriceCatalog.builtin() });
afterAll(() => t.close());

describe("the README's Prices section", () => {
  it('prices the calls in withPricing scopes in the tier and region it names', async () => {
    // What the app's own functions do: one model call each, traced by an instrumentation that reports neither.
    const chat = (name: string, provider: string, model: string) => () =>
      t.provider
        .getTracer('instrumentation')
        .startSpan(name, {
          kind: SpanKind.CLIENT,
          attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': provider, 'gen_ai.request.model': model, 'gen_ai.usage.input_tokens': 1_000_000, 'gen_ai.usage.output_tokens': 0 },
        })
        .end();
    await compile()({ '@genai-cost/otel': otel }, chat('digest', 'openai', 'gpt-5-mini'), chat('azure', 'azure.ai.openai', 'gpt-4o-mini'), []);
    // https://developers.openai.com/api/docs/pricing: GPT-5 mini $0.25 input, Flex $0.125.
    expect(t.span('digest').attributes).toMatchObject({ 'gen_ai.usage.cost': 0.125, 'genai_cost.price.id': 'openai/gpt-5-mini@2025-08-07+flex' });
    // https://azure.microsoft.com/en-us/pricing/details/cognitive-services/openai-service/: GPT-4o mini $0.15 input, Data Zone +10%.
    expect(t.span('azure').attributes).toMatchObject({ 'gen_ai.usage.cost': 0.165, 'genai_cost.region': 'DataZone-Standard' });
    expect(t.span('azure').attributes['genai_cost.price.id']).toMatch(/^azure\/gpt-4o-mini.*\+data-zone$/);
  });
});
