import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { PricingError } from './errors.js';
import type { UserModelPriceInput } from './schema.js';

/**
 * Reads a price file: JSON, or YAML for `.yaml` / `.yml`. It holds either a list of price entries
 * or `{ prices: [...] }`; entries are validated when added to a catalog
 * (`PriceCatalog.withPrices`), so an error there names the file, the entry and the field.
 */
export function readPriceFile(path: string): UserModelPriceInput[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new PricingError('PRICE_FILE_UNREADABLE', `${path}: cannot read price file (${(cause as Error).message})`, { cause });
  }
  let data: unknown;
  try {
    const ext = extname(path).toLowerCase();
    data = ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (cause) {
    throw new PricingError('INVALID_PRICE_ENTRY', `${path}: not valid ${extname(path) || 'JSON'} (${(cause as Error).message})`, { cause });
  }
  if (Array.isArray(data)) return data as UserModelPriceInput[];
  if (typeof data === 'object' && data !== null && Array.isArray((data as { prices?: unknown }).prices)) {
    return (data as { prices: UserModelPriceInput[] }).prices;
  }
  throw new PricingError('INVALID_PRICE_ENTRY', `${path}: expected a list of prices or { prices: [...] }`);
}
