import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PriceCatalog } from './catalog.js';
import { catalogFileSchema } from './schema.js';
import type { CatalogFile } from './schema.js';

const data = JSON.parse(readFileSync(new URL('../data/prices.json', import.meta.url), 'utf8')) as CatalogFile;

/** The providers' own pricing pages: the catalog's sources must be among them. */
const OFFICIAL_HOSTS: Record<string, RegExp> = {
  openai: /^https:\/\/(platform|developers)\.openai\.com\/|^https:\/\/openai\.com\//,
  anthropic: /^https:\/\/(www\.anthropic\.com|docs\.anthropic\.com|docs\.claude\.com|platform\.claude\.com)\//,
  google: /^https:\/\/(ai\.google\.dev|cloud\.google\.com)\//,
  mistral: /^https:\/\/(mistral\.ai|docs\.mistral\.ai)\//,
  cohere: /^https:\/\/(cohere\.com|docs\.cohere\.com)\//,
  deepseek: /^https:\/\/api-docs\.deepseek\.com\//,
  xai: /^https:\/\/(docs\.x\.ai|x\.ai)\//,
};

describe('built-in price catalog data', () => {
  it('passes its schema', () => {
    expect(catalogFileSchema.safeParse(data).success).toBe(true);
  });

  it('covers at least 80 models of the seven providers', () => {
    expect(data.models.length).toBeGreaterThanOrEqual(80);
    expect(new Set(data.models.map((m) => m.provider))).toEqual(new Set(Object.keys(OFFICIAL_HOSTS)));
  });

  it('cites a provider pricing page and a check date for every price', () => {
    for (const m of data.models) {
      for (const p of m.prices) {
        expect(p.source, m.id).toMatch(OFFICIAL_HOSTS[m.provider]!);
        expect(p.checked >= p.effectiveFrom, `${m.id} checked before it took effect`).toBe(true);
      }
    }
  });

  it('has no name that two models answer to', () => {
    const seen = new Map<string, string>();
    for (const m of data.models) {
      for (const name of [m.model, ...(m.aliases ?? [])]) {
        expect(seen.get(name), `${name} is claimed by ${seen.get(name)} and ${m.id}`).toBeUndefined();
        seen.set(name, m.id);
      }
    }
  });

  it('gives every chat model an output price and prices cache reads below input', () => {
    for (const m of data.models) {
      for (const p of m.prices) {
        if (m.kind === 'chat') expect(p.output, m.id).toBeGreaterThan(0);
        if (p.cacheRead !== undefined) expect(p.cacheRead, m.id).toBeLessThan(p.input);
      }
    }
  });

  it('loads as the built-in catalog', () => {
    expect(PriceCatalog.builtin().models()).toHaveLength(data.models.length);
  });
});
