import { describe, expect, it } from 'vitest';
import { differs, ratesAt } from '../scripts/catalog/merge.js';
import { PriceCatalog, periodAt } from './catalog.js';
import { REFERENCE_DATES, baseReferenceEntries } from './test-support/references.js';
import type { RefEntry } from './test-support/references.js';

/** The providers, clouds and hosts issue 10 names, by catalog id. */
const PROVIDERS = ['bedrock', 'azure', 'azure-ai', 'vertex', 'groq', 'together', 'fireworks', 'openrouter', 'cerebras', 'deepinfra', 'mistral', 'cohere', 'deepseek', 'xai', 'google', 'anthropic', 'openai', 'perplexity', 'voyage', 'moonshot', 'minimax', 'zai'];

const catalog = PriceCatalog.builtin();
const refs = baseReferenceEntries().filter((e) => PROVIDERS.includes(e.provider));
const share = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`;

describe('coverage of the reference catalogs', () => {
  it('resolves the model ids the references list for those providers, under the same provider', () => {
    const missing = refs.filter((e) => catalog.match(e.model, e.provider)?.model.provider !== e.provider);
    const resolved = refs.length - missing.length;
    console.log(`coverage: ${resolved} of ${refs.length} reference model ids resolve (${share(resolved, refs.length)})`);
    expect(resolved / refs.length).toBeGreaterThanOrEqual(0.95);
  });

  it('agrees with the price wherever two references agree on it', () => {
    const byKey = new Map<string, RefEntry[]>();
    for (const e of refs) (byKey.get(`${e.provider}/${e.model}`) ?? byKey.set(`${e.provider}/${e.model}`, []).get(`${e.provider}/${e.model}`)!).push(e);
    let agreed = 0;
    let ours = 0;
    const off: string[] = [];
    for (const [key, list] of byKey) {
      const [a, b] = [list.find((e) => e.ref === 'genai-prices'), list.find((e) => e.ref === 'litellm')];
      if (a === undefined || b === undefined) continue;
      // Both describe the price in force between their snapshot dates; ours is compared at the earlier one.
      const date = REFERENCE_DATES.litellm;
      const [ra, rb] = [ratesAt(a.periods, REFERENCE_DATES['genai-prices']), ratesAt(b.periods, date)];
      if (differs(ra.input, rb.input) || differs(ra.output, rb.output)) continue;
      agreed++;
      const m = catalog.match(a.model, a.provider)?.model;
      const p = m === undefined ? undefined : periodAt(m, Date.parse(`${date}T00:00:00Z`));
      if (p !== undefined && !differs(p.input, ra.input) && !differs(p.output, ra.output)) ours++;
      else off.push(`${key}: references ${ra.input}/${ra.output}, ours ${p?.input}/${p?.output}${p?.note === undefined ? '' : ' (explained)'}`);
    }
    console.log(`agreement: ${ours} of ${agreed} prices both references agree on are ours too (${share(ours, agreed)}); differing: ${off.join('; ')}`);
    expect(ours / agreed).toBeGreaterThanOrEqual(0.95);
  });
});
