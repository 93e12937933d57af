import { join } from 'node:path';
import { PricingError, loadCatalog } from '@genai-cost/pricing';
import type { PriceCatalog } from '@genai-cost/pricing';
import type { GenAICostConfig } from './config.js';
import type { CliContext } from './context.js';
import { configError } from './errors.js';

/** Where a catalog given by URL is cached between runs. */
export const CATALOG_CACHE_DIR = join('.genai-cost', 'catalog');

/**
 * The catalog a command prices with: the bundled one, or the newer one `--catalog` names (a URL,
 * cached under `.genai-cost/catalog`, or a file), with the plan file's prices laid over it. When
 * the newer catalog cannot be loaded the bundled one is used and the reason goes to stderr.
 */
export async function commandCatalog(config: GenAICostConfig, source: string | undefined, ctx: CliContext): Promise<PriceCatalog> {
  if (source === undefined) return config.catalog;
  const loaded = await loadCatalog({ source, cacheDir: join(ctx.cwd, CATALOG_CACHE_DIR) });
  if (loaded.warning !== undefined) ctx.stderr.write(`${loaded.warning}\n`);
  try {
    return loaded.catalog.withPrices(config.prices, `${config.source}: prices`);
  } catch (err) {
    if (err instanceof PricingError) throw configError(err.message, err);
    throw err;
  }
}
