import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATALOG_PATH, SCHEMA_PATH, catalogJsonSchema, catalogText } from '../scripts/catalog/inputs.js';
import { buildInputs } from './test-support/references.js';

describe('the committed catalog', () => {
  it('is what the build makes of the committed inputs (run npm run catalog:build when this fails)', () => {
    const built = catalogText(buildInputs()).text;
    expect(built === readFileSync(CATALOG_PATH, 'utf8'), 'data/prices.json is stale').toBe(true);
  });

  it('publishes the JSON Schema generated from the zod schema', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(catalogJsonSchema());
    const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as { properties: Record<string, unknown>; required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['version', 'providers', 'models']));
  });
});
