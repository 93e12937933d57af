/** Reads the build's inputs from the repository: curated YAML and the vendored references. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { toJSONSchema } from 'zod';
import { catalogFileSchema } from '../../src/schema.js';
import type { CatalogFile } from '../../src/schema.js';
import { buildCatalog } from './merge.js';
import type { BuildInput, CuratedModel, CuratedProvider } from './merge.js';
import { readReferences } from './references.js';
import type { ProviderMap } from './references.js';

/** `packages/pricing/data`. */
export const DATA_DIR = fileURLToPath(new URL('../../data/', import.meta.url));
export const CURATED_DIR = join(DATA_DIR, 'curated');
export const REFERENCE_DIR = join(DATA_DIR, 'reference');
export const CATALOG_PATH = join(DATA_DIR, 'prices.json');
export const SCHEMA_PATH = join(DATA_DIR, 'prices.schema.json');

function readYaml<T>(path: string): T {
  return parseYaml(readFileSync(path, 'utf8')) as T;
}

/** providers.yaml: the check date and the providers with their reference names. */
export function readProviders(dir = CURATED_DIR): { checked: string; providers: CuratedProvider[] } {
  return readYaml(join(dir, 'providers.yaml'));
}

/** The reference provider names → our provider ids, from providers.yaml. */
export function providerMap(providers: readonly CuratedProvider[]): ProviderMap {
  const map: ProviderMap = { 'genai-prices': {}, litellm: {} };
  for (const p of providers) {
    for (const name of p.references['genai-prices']) map['genai-prices'][name] = p.id;
    for (const name of p.references.litellm) map.litellm[name] = p.id;
  }
  return map;
}

/** Everything `buildCatalog` reads. */
export function readInputs(curatedDir = CURATED_DIR, referenceDir = REFERENCE_DIR): BuildInput {
  const { checked, providers } = readProviders(curatedDir);
  const curated: Record<string, CuratedModel[]> = {};
  for (const file of readdirSync(curatedDir).sort()) {
    if (!file.endsWith('.yaml') || file === 'providers.yaml') continue;
    curated[file.slice(0, -'.yaml'.length)] = readYaml<{ models: CuratedModel[] }>(join(curatedDir, file)).models;
  }
  return { checked, providers, curated, references: readReferences(referenceDir, providerMap(providers)) };
}

/** The catalog as committed: one provider and one model per line, so a diff shows each change. */
export function formatCatalog(catalog: CatalogFile): string {
  const { providers, models, ...head } = catalog;
  const lines = (items: readonly unknown[]) => items.map((x) => `    ${JSON.stringify(x)}`).join(',\n');
  const top = JSON.stringify(head, null, 2).slice(0, -2);
  return `${top},\n  "providers": [\n${lines(providers)}\n  ],\n  "models": [\n${lines(models)}\n  ]\n}\n`;
}

/** The catalog file text the build writes: built, validated (zod fixes the key order) and formatted. */
export function catalogText(input: BuildInput = readInputs()): { catalog: CatalogFile; text: string } {
  const catalog = catalogFileSchema.parse(buildCatalog(input));
  return { catalog, text: formatCatalog(catalog) };
}

/** The published JSON Schema of the catalog file, generated from its zod schema. */
export function catalogJsonSchema(): string {
  const schema = toJSONSchema(catalogFileSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
  return `${JSON.stringify({ title: 'genai-cost price catalog', ...schema }, null, 2)}\n`;
}
