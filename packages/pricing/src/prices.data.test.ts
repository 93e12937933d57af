import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { differs, ratesAt } from '../scripts/catalog/merge.js';
import { PriceCatalog } from './catalog.js';
import { catalogFileSchema } from './schema.js';
import type { CatalogFile } from './schema.js';
import { REFERENCE_DATES, baseReferenceEntries } from './test-support/references.js';

const data = JSON.parse(readFileSync(new URL('../data/prices.json', import.meta.url), 'utf8')) as CatalogFile;
const catalog = PriceCatalog.builtin();

describe('built-in price catalog data', () => {
  it('passes its schema and loads as the built-in catalog', () => {
    expect(catalogFileSchema.safeParse(data).success).toBe(true);
    expect(catalog.models()).toHaveLength(data.models.length);
  });

  it('prices at least 1,500 model ids of at least 20 providers, clouds and hosts', () => {
    expect(data.models.length).toBeGreaterThanOrEqual(1500);
    const providers = new Set(data.models.map((m) => m.provider));
    expect(providers.size).toBeGreaterThanOrEqual(20);
    for (const p of ['bedrock', 'azure', 'azure-ai', 'vertex', 'groq', 'together', 'fireworks', 'openrouter', 'cerebras', 'deepinfra', 'mistral', 'cohere', 'deepseek', 'xai', 'google', 'anthropic', 'openai', 'perplexity', 'voyage']) {
      expect(providers, p).toContain(p);
    }
  });

  it('cites an https source and a check date no later than the catalog date for every price', () => {
    for (const m of data.models) {
      for (const p of m.prices) {
        expect(p.source, m.id).toMatch(/^https:\/\//);
        expect(p.checked <= data.checked, `${m.id} checked ${p.checked}`).toBe(true);
        expect(p.basis, m.id).toBeDefined();
      }
    }
  });

  it('has no name that two models of one provider answer to', () => {
    const seen = new Map<string, string>();
    for (const m of data.models) {
      for (const name of [m.model, ...(m.aliases ?? [])]) {
        const key = `${m.provider}/${name}`;
        expect(seen.get(key), `${key} is claimed by ${seen.get(key)} and ${m.id}`).toBeUndefined();
        seen.set(key, m.id);
      }
    }
  });

  it('gives every chat model an output price and prices cache reads at most at the input rate', () => {
    for (const m of data.models) {
      for (const p of m.prices) {
        if (m.kind === 'chat' && !m.model.endsWith(':free')) expect(p.output, m.id).toBeGreaterThan(0);
        if (p.cacheRead !== undefined) expect(p.cacheRead, m.id).toBeLessThanOrEqual(p.input);
      }
    }
  });

  it('explains in the data every disagreement above 1% with a reference catalog', () => {
    const unexplained: string[] = [];
    for (const ref of baseReferenceEntries()) {
      const ours = catalog.models().find((m) => m.provider === ref.provider && (m.model === ref.model || m.aliases.includes(ref.model)));
      if (ours === undefined) continue;
      const date = REFERENCE_DATES[ref.ref];
      const a = ratesAt(ours.prices, date);
      const b = ratesAt(ref.periods, date);
      if ((a.regions?.['in-region'] ?? 1) !== 1 && ref.provider === 'bedrock') continue;
      // A reference rate of 0 is a rate it does not know; an embedding has no output price.
      const known = (x: number | undefined) => (x === 0 ? undefined : x);
      const output = ours.kind === 'chat' && differs(a.output, known(b.output));
      if (!differs(a.input, known(b.input)) && !output && !differs(a.cacheRead, known(b.cacheRead))) continue;
      if (a.note === undefined) unexplained.push(`${ours.id} ${a.input}/${a.output} cached ${a.cacheRead} vs ${ref.ref} ${b.input}/${b.output} cached ${b.cacheRead}`);
    }
    expect(unexplained).toEqual([]);
  });
});
