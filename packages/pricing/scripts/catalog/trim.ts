/**
 * `npm run catalog:references -- DIR`: refreshes the vendored reference copies in
 * `data/reference/` from full copies of the three reference catalogs in DIR (the layout of
 * `genai-prices/v2/data.json`, `litellm-model_prices_and_context_window.json`,
 * `langfuse-default-model-prices.json`), keeping only the providers of providers.yaml and the
 * fields the build reads. Update the snapshot dates in references.ts and NOTICE.md with them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REFERENCE_DIR, providerMap, readProviders } from './inputs.js';

type Json = Record<string, unknown>;
const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: npm run catalog:references -- DIR');
const map = providerMap(readProviders().providers);
const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const write = (file: string, data: unknown[]) =>
  writeFileSync(join(REFERENCE_DIR, file), `[\n${data.map((x) => JSON.stringify(x)).join(',\n')}\n]\n`);

const gp = (read('genai-prices/v2/data.json') as Json[])
  .filter((p) => map['genai-prices'][p.id as string] !== undefined)
  .map((p) => ({
    id: p.id,
    pricing_urls: p.pricing_urls,
    models: (p.models as Json[]).map((m) => ({ id: m.id, match: m.match, prices: m.prices })),
  }));
write('genai-prices.json', gp);

const COST = /cost|^litellm_provider$|^mode$|^source$/;
const ll = Object.entries(read('litellm-model_prices_and_context_window.json') as Record<string, Json>)
  .filter(([, v]) => {
    const p = String(v.litellm_provider ?? '');
    return (map.litellm[p] !== undefined || p.startsWith('vertex_ai')) && ['chat', 'completion', 'responses', 'embedding'].includes(String(v.mode));
  })
  .map(([key, v]) => ({ key, ...Object.fromEntries(Object.entries(v).filter(([k]) => COST.test(k))) }));
writeFileSync(
  join(REFERENCE_DIR, 'litellm.json'),
  `{\n${ll.map(({ key, ...v }) => `${JSON.stringify(key)}: ${JSON.stringify(v)}`).join(',\n')}\n}\n`,
);

const lf = (read('langfuse-default-model-prices.json') as Json[]).map((m) => ({
  modelName: m.modelName,
  matchPattern: m.matchPattern,
  prices: ((m.pricingTiers as Json[]).find((t) => t.isDefault === true) ?? (m.pricingTiers as Json[])[0])?.prices,
}));
write('langfuse.json', lf);
console.log(`genai-prices: ${gp.length} providers; litellm: ${ll.length} entries; langfuse: ${lf.length} models`);
