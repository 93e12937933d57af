/**
 * `npm run catalog:build`: writes `data/prices.json` (the bundled catalog) and
 * `data/prices.schema.json` (its published JSON Schema) from the curated data and the vendored
 * references. `-- --check` only reports whether the committed files are current.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { CATALOG_PATH, SCHEMA_PATH, catalogJsonSchema, catalogText } from './inputs.js';

const { catalog, text } = catalogText();
const files: [string, string][] = [
  [CATALOG_PATH, text],
  [SCHEMA_PATH, catalogJsonSchema()],
];
const providers = new Set(catalog.models.map((m) => m.provider));
if (process.argv.includes('--check')) {
  const stale = files.filter(([path, text]) => readFileSync(path, 'utf8') !== text).map(([path]) => path);
  if (stale.length > 0) {
    console.error(`stale: ${stale.join(', ')}; run npm run catalog:build`);
    process.exitCode = 1;
  }
} else {
  for (const [path, text] of files) writeFileSync(path, text);
}
console.log(`${catalog.models.length} models of ${providers.size} providers`);
