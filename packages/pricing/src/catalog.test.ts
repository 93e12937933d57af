import { describe, expect, it } from 'vitest';
import { PriceCatalog } from './catalog.js';
import { PricingError } from './errors.js';

const builtin = PriceCatalog.builtin();
const at = (d: string) => Date.parse(d);

describe('PriceCatalog.match on the built-in catalog', () => {
  it.each([
    ['gpt-4o', undefined, 'openai/gpt-4o'],
    ['gpt-4o-2024-11-20', undefined, 'openai/gpt-4o'],
    ['gpt-4o-2024-05-13', undefined, 'openai/gpt-4o-2024-05-13'],
    ['GPT-4O', undefined, 'openai/gpt-4o'],
    ['openai/gpt-4o', undefined, 'openai/gpt-4o'],
    ['azure/gpt-4.1-mini', undefined, 'azure/gpt-4.1-mini'],
    ['gpt-4.1-mini', 'azure.ai.openai', 'azure/gpt-4.1-mini'],
    ['claude-sonnet-4-5-20250929', 'anthropic.messages', 'anthropic/claude-sonnet-4-5'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock', 'bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0'],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-7-sonnet-20250219-v1:0', undefined, 'bedrock/anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['us.amazon.nova-pro-v1:0', 'aws.bedrock', 'bedrock/amazon.nova-pro-v1:0'],
    ['claude-3-5-sonnet-v2@20241022', 'gcp.vertex_ai', 'vertex/claude-3-5-sonnet'],
    ['projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro', undefined, 'vertex/gemini-2.5-pro'],
    ['gemini-2.5-pro', 'gcp.gemini', 'google/gemini-2.5-pro'],
    ['models/gemini-2.0-flash-001', undefined, 'google/gemini-2.0-flash'],
    ['meta-llama/llama-3.3-70b-instruct:free', 'openrouter', 'openrouter/meta-llama/llama-3.3-70b-instruct:free'],
    ['anthropic/claude-sonnet-4.5', 'openrouter', 'openrouter/anthropic/claude-sonnet-4.5'],
    ['llama-3.3-70b-versatile', 'groq', 'groq/llama-3.3-70b-versatile'],
    ['meta-llama/Llama-3.3-70B-Instruct-Turbo', 'together', 'together/meta-llama/llama-3.3-70b-instruct-turbo'],
    ['accounts/fireworks/models/llama-v3p1-8b-instruct', 'fireworks', 'fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct'],
    ['gpt-oss-120b', 'cerebras', 'cerebras/gpt-oss-120b'],
    ['mistral-large-latest', undefined, 'mistral/mistral-large'],
    ['command-r-plus-08-2024', undefined, 'cohere/command-r-plus'],
    ['grok-4-0709', undefined, 'xai/grok-4'],
    ['grok-4.20', 'xai', 'xai/grok-4.20-0309-reasoning'],
    ['text-embedding-3-small', undefined, 'openai/text-embedding-3-small'],
  ])('%s (provider %s) → %s', (raw, provider, id) => {
    expect(builtin.match(raw, provider)?.model.id).toBe(id);
  });

  it('keeps dated snapshots that have an older price of their own apart from the current model', () => {
    expect(builtin.find('mistral-large-2402')?.id).toBe('mistral/mistral-large-2402');
    expect(builtin.find('mistral-medium-2505')?.id).toBe('mistral/mistral-medium-2508');
    expect(builtin.find('mistral-medium-latest')?.id).toBe('mistral/mistral-medium');
    expect(builtin.find('gpt-3.5-turbo-0613')?.id).toBe('openai/gpt-3.5-turbo-0613');
  });

  it('prices a model a known span provider lacks only at the vendor list price', () => {
    const m = builtin.match('gpt-4o', 'groq');
    expect(m?.model.id).toBe('openai/gpt-4o');
    expect(m?.reason).toMatch(/no "groq" entry, so the vendor's list price/);
  });

  it('falls back from a cloud to the vendor it resells (Azure OpenAI → OpenAI)', () => {
    const m = builtin.match('gpt-6-sol', 'azure.ai.openai');
    expect(m?.model.id).toBe('openai/gpt-6-sol');
    expect(m?.reason).toMatch(/falls back to "openai"/);
  });

  it('says which entry matched and why', () => {
    expect(builtin.match('us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock')?.reason).toBe(
      'catalog: name "anthropic.claude-sonnet-4-5-20250929-v1:0" (reduced from "us.anthropic.claude-sonnet-4-5-20250929-v1:0"), provider "bedrock" from the span provider "aws.bedrock"',
    );
  });

  it('gives undefined for unknown and fine-tuned models', () => {
    expect(builtin.find('llama-999-instruct')).toBeUndefined();
    expect(builtin.find('ft:gpt-4o-mini-2024-07-18:acme::abc')).toBeUndefined();
  });

  it('answers the same from its memo as from a fresh lookup', () => {
    expect(builtin.match('GPT-4o-2024-08-06', 'openai')).toBe(builtin.match('GPT-4o-2024-08-06', 'openai'));
  });

  it('lists the providers, clouds and hosts', () => {
    expect(builtin.providers().map((p) => p.id)).toEqual(expect.arrayContaining(['bedrock', 'azure', 'vertex', 'openrouter']));
  });
});

describe('aliases for deployment names', () => {
  it('price an Azure deployment as the model it runs', () => {
    const catalog = builtin.withAliases({ 'prod-chat': 'gpt-4o-mini' });
    expect(catalog.match('prod-chat', 'azure.ai.openai')?.model.id).toBe('azure/gpt-4o-mini');
    expect(catalog.match('prod-chat', 'azure.ai.openai')?.reason).toMatch(/^alias "prod-chat" → "gpt-4o-mini"/);
    expect(builtin.find('prod-chat')).toBeUndefined();
  });

  it('reject an alias to a model without a price', () => {
    expect(() => builtin.withAliases({ x: 'no-such-model' })).toThrow(/alias "x": no price for "no-such-model"/);
  });
});

describe('effective dates', () => {
  it('applies the o3 price cut of 2025-06-10', () => {
    const before = builtin.resolve('o3-2025-04-16', { at: at('2025-06-09T23:59:59Z') })!;
    const after = builtin.resolve('o3-2025-04-16', { at: at('2025-06-10T00:00:00Z') })!;
    expect([before.period.input, before.period.output]).toEqual([10, 40]);
    expect([after.period.input, after.period.output]).toEqual([2, 8]);
    expect(after.period.effectiveFrom).toBe('2025-06-10');
  });

  it('applies a change that takes effect at a time of day (DeepSeek, 16:00 UTC on 2026-08-16)', () => {
    expect(builtin.resolve('deepseek-v4-pro', { at: at('2026-08-16T15:59:59Z') })!.period.input).toBe(0.435);
    expect(builtin.resolve('deepseek-v4-pro', { at: at('2026-08-16T16:00:00Z') })!.period.input).toBe(0.66);
  });

  it('knows announced future prices (Gemini 3.6 Flash from 2027-01-01)', () => {
    expect(builtin.resolve('gemini-3.6-flash', { at: at('2026-12-31T23:59:59Z') })!.period.input).toBe(0.75);
    expect(builtin.resolve('gemini-3.6-flash', { at: at('2027-01-01T00:00:00Z') })!.period.input).toBe(1.5);
  });

  it('applies the first price to calls before it', () => {
    expect(builtin.resolve('o3', { at: 0 })!.period.input).toBe(10);
  });
});

describe('custom prices', () => {
  const catalog = builtin.withPrices([
    { provider: 'openai', model: 'gpt-4o', input: 2, output: 8, source: 'enterprise agreement 2025' },
    { model: 'acme-llama-70b', patterns: ['^acme-llama-70b(-.*)?$'], input: 0.5, output: 0.5 },
    { provider: 'openai', model: 'ft:gpt-4o-mini-2024-07-18:acme::abc', input: 0.3, output: 1.2 },
  ]);

  it('beat the built-in price for every form of the name', () => {
    expect(catalog.find('gpt-4o-2024-08-06')?.origin).toBe('custom');
    expect(catalog.resolve('openai/gpt-4o')!.period.input).toBe(2);
    expect(catalog.find('gpt-4.1')?.origin).toBe('builtin');
  });

  it('match by pattern and by exact fine-tuned id', () => {
    expect(catalog.find('acme-llama-70b-q4')?.id).toBe('custom/acme-llama-70b');
    expect(catalog.resolve('ft:gpt-4o-mini-2024-07-18:acme::abc')!.period.output).toBe(1.2);
  });

  it('leave the original catalog unchanged', () => {
    expect(builtin.find('gpt-4o')?.origin).toBe('builtin');
  });

  it('break ties between providers with the span provider', () => {
    const two = PriceCatalog.empty().withPrices([
      { provider: 'mistral', model: 'shared-model', input: 1, output: 1 },
      { provider: 'deepseek', model: 'shared-model', input: 2, output: 2 },
    ]);
    expect(two.find('shared-model')?.id).toBe('deepseek/shared-model');
    expect(two.find('shared-model', 'mistral_ai')?.id).toBe('mistral/shared-model');
  });

  it('may carry billing dimensions', () => {
    const c = PriceCatalog.empty().withPrices([{ model: 'm', input: 1, output: 2, serviceTiers: { batch: { multiplier: 0.5 } }, regions: { eu: 1.2 } }]);
    expect(c.resolve('m')!.period.serviceTiers).toEqual({ batch: { multiplier: 0.5 } });
  });

  it.each([
    [{ model: 'x', input: '1', output: 2 }, /entry 0 \("x"\): input: .*number/],
    [{ model: 'x', input: -1, output: 2 }, /entry 0 \("x"\): input: .*>=0/],
    [{ model: 'x', output: 2 }, /entry 0 \("x"\): input:/],
    [{ model: 'x', prices: [{ effectiveFrom: '2025-13-01', input: 1, output: 1 }] }, /prices\[0\]\.effectiveFrom: expected a real calendar date/],
    [
      { model: 'x', prices: [{ effectiveFrom: '2025-02-01', input: 1, output: 1 }, { effectiveFrom: '2025-01-01', input: 1, output: 1 }] },
      /prices\[1\]\.effectiveFrom: expected prices in ascending order/,
    ],
    [{ model: 'x', patterns: ['('], input: 1, output: 1 }, /patterns\[0\]: expected a JavaScript regular expression/],
    [{ model: 'x', input: 1, output: 1, inptu: 3 }, /entry 0 \("x"\): .*inptu/],
    [{ model: 'x', input: 1, output: 1, serviceTiers: { turbo: { multiplier: 2 } } }, /serviceTiers/],
    [{ model: 'x', input: 1, output: 1, timeWindows: [{ name: 'peak', start: '25:00', end: '04:00', multiplier: 2 }] }, /timeWindows\[0\]\.start: expected a UTC time as HH:MM/],
  ])('reject a bad entry naming the entry and field: %j', (entry, message) => {
    expect(() => builtin.withPrices([entry as never])).toThrow(PricingError);
    expect(() => builtin.withPrices([entry as never])).toThrow(message);
  });
});

describe('PriceCatalog.fromData', () => {
  const head = { version: 2, currency: 'USD', unit: 'per 1M tokens', checked: '2026-11-29', providers: [{ id: 'openai', name: 'OpenAI', kind: 'vendor', source: 'https://x.test/p' }] };
  const price = { effectiveFrom: '2025-01-01', input: 1, output: 1, source: 'https://x.test/p', checked: '2025-01-01' };
  const model = { id: 'openai/m', provider: 'openai', model: 'm', kind: 'chat', prices: [price] };

  it('names the entry and field of invalid catalog data', () => {
    const bad = { ...head, models: [{ ...model, prices: [{ ...price, source: undefined }] }] };
    expect(() => PriceCatalog.fromData(bad, 'test.json')).toThrow(/test\.json \(entry "openai\/m"\): models\[0\]\.prices\[0\]\.source/);
  });

  it('rejects duplicate ids and unknown providers', () => {
    expect(() => PriceCatalog.fromData({ ...head, models: [model, model] })).toThrow(/duplicate model id "openai\/m"/);
    expect(() => PriceCatalog.fromData({ ...head, models: [{ ...model, id: 'x/m', provider: 'x' }] })).toThrow(/provider "x" is not in providers/);
  });

  it('applies a provider\'s default service tiers to its models', () => {
    const c = PriceCatalog.fromData({ ...head, providers: [{ ...head.providers[0], serviceTiers: { batch: { multiplier: 0.5 } } }], models: [model] });
    expect(c.resolve('m')!.period.serviceTiers).toEqual({ batch: { multiplier: 0.5 } });
  });
});
