import { describe, expect, it } from 'vitest';
import { PriceCatalog } from './catalog.js';
import { PricingError } from './errors.js';

const builtin = PriceCatalog.builtin();
const at = (d: string) => Date.parse(d);

describe('PriceCatalog.find on the built-in catalog', () => {
  it.each([
    ['gpt-4o', 'openai/gpt-4o'],
    ['gpt-4o-2024-11-20', 'openai/gpt-4o'],
    ['gpt-4o-2024-05-13', 'openai/gpt-4o-2024-05-13'],
    ['gpt-4o-mini-2024-07-18', 'openai/gpt-4o-mini'],
    ['GPT-4O', 'openai/gpt-4o'],
    ['openai/gpt-4o', 'openai/gpt-4o'],
    ['azure/gpt-4.1-mini', 'openai/gpt-4.1-mini'],
    ['claude-sonnet-4-5-20250929', 'anthropic/claude-sonnet-4-5'],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic/claude-3-5-sonnet'],
    ['us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'anthropic/claude-3-7-sonnet'],
    ['claude-3-5-sonnet-v2@20241022', 'anthropic/claude-3-5-sonnet'],
    ['publishers/google/models/gemini-2.5-pro', 'google/gemini-2.5-pro'],
    ['models/gemini-2.0-flash-001', 'google/gemini-2.0-flash'],
    ['mistral-large-latest', 'mistral/mistral-large'],
    ['command-r-plus-08-2024', 'cohere/command-r-plus'],
    ['deepseek-chat', 'deepseek/deepseek-chat'],
    ['grok-4-0709', 'xai/grok-4'],
    ['text-embedding-3-small', 'openai/text-embedding-3-small'],
  ])('%s → %s', (raw, id) => {
    expect(builtin.find(raw)?.id).toBe(id);
  });

  it('gives undefined for unknown and fine-tuned models', () => {
    expect(builtin.find('llama-999-instruct')).toBeUndefined();
    expect(builtin.find('ft:gpt-4o-mini-2024-07-18:acme::abc')).toBeUndefined();
  });

  it('answers the same from its memo as from a fresh lookup', () => {
    expect(builtin.find('GPT-4o-2024-08-06')).toBe(builtin.find('GPT-4o-2024-08-06'));
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
  ])('reject a bad entry naming the entry and field: %j', (entry, message) => {
    expect(() => builtin.withPrices([entry as never])).toThrow(PricingError);
    expect(() => builtin.withPrices([entry as never])).toThrow(message);
  });
});

describe('PriceCatalog.fromData', () => {
  it('names the entry and field of invalid catalog data', () => {
    const bad = {
      version: 1,
      currency: 'USD',
      unit: 'per 1M tokens',
      models: [{ id: 'openai/m', provider: 'openai', model: 'm', kind: 'chat', prices: [{ effectiveFrom: '2025-01-01', input: 1, output: 1, checked: '2025-01-01' }] }],
    };
    expect(() => PriceCatalog.fromData(bad, 'test.json')).toThrow(/test\.json \(entry "openai\/m"\): models\[0\]\.prices\[0\]\.source/);
  });

  it('rejects duplicate ids', () => {
    const m = { id: 'openai/m', provider: 'openai', model: 'm', kind: 'chat', prices: [{ effectiveFrom: '2025-01-01', input: 1, output: 1, source: 'https://x.test/p', checked: '2025-01-01' }] };
    expect(() => PriceCatalog.fromData({ version: 1, currency: 'USD', unit: 'per 1M tokens', models: [m, m] })).toThrow(/duplicate model id "openai\/m"/);
  });
});
