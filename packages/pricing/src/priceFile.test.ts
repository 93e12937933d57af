import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PriceCatalog } from './catalog.js';
import { readPriceFile } from './priceFile.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-cost-prices-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('readPriceFile', () => {
  it('reads YAML with dated prices', () => {
    const path = file(
      'prices.yaml',
      `prices:
  - model: llama-3.3-70b-selfhosted
    provider: selfhosted
    prices:
      - effectiveFrom: 2025-01-01
        input: 0.2
        output: 0.2
      - effectiveFrom: "2025-07-01"
        input: 0.1
        output: 0.1
`,
    );
    const catalog = PriceCatalog.empty().withPrices(readPriceFile(path), path);
    expect(catalog.resolve('llama-3.3-70b-selfhosted', { at: Date.parse('2025-08-01') })!.period.input).toBe(0.1);
  });

  it('reads a JSON list', () => {
    const path = file('prices.json', JSON.stringify([{ model: 'gpt-4o', provider: 'openai', input: 2, output: 8 }]));
    expect(PriceCatalog.empty().withPrices(readPriceFile(path)).find('gpt-4o')?.id).toBe('openai/gpt-4o');
  });

  it('names the file, entry and field of a bad entry', () => {
    const path = file('bad.yaml', 'prices:\n  - model: ok\n    input: 1\n    output: 1\n  - model: broken\n    input: lots\n    output: 1\n');
    expect(() => PriceCatalog.empty().withPrices(readPriceFile(path), path)).toThrow(/bad\.yaml: entry 1 \("broken"\): input:/);
  });

  it('says what is wrong with an unreadable or malformed file', () => {
    expect(() => readPriceFile(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read price file/);
    expect(() => readPriceFile(file('x.json', '{'))).toThrow(/x\.json: not valid/);
    expect(() => readPriceFile(file('y.json', '{"models": []}'))).toThrow(/expected a list of prices or \{ prices/);
  });
});
