import type { CatalogFile } from '../schema.js';

/** A small valid catalog file of one vendor and one model, as a newer catalog would be served. */
export function oneModelCatalog(model: string, input: number, output: number): CatalogFile {
  const source = 'https://acme.test/pricing';
  return {
    version: 2,
    currency: 'USD',
    unit: 'per 1M tokens',
    checked: '2026-12-01',
    providers: [{ id: 'acme', name: 'Acme', kind: 'vendor', source }],
    models: [{ id: `acme/${model}`, provider: 'acme', model, kind: 'chat', prices: [{ effectiveFrom: '2026-12-01', input, output, source, checked: '2026-12-01' }] }],
  };
}
