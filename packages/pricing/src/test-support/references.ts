import { readInputs } from '../../scripts/catalog/inputs.js';
import type { BuildInput } from '../../scripts/catalog/merge.js';
import { REFERENCE_DATES } from '../../scripts/catalog/references.js';
import type { RefEntry } from '../../scripts/catalog/references.js';

let inputs: BuildInput | undefined;

/** The committed build inputs (curated data and vendored references), read once per test file. */
export function buildInputs(): BuildInput {
  return (inputs ??= readInputs());
}

/**
 * Reference entries that price a model at its base rates, comparable with a catalog entry:
 * Bedrock inference-profile variants and Azure data-zone and regional (`standard`) deployments
 * carry region premiums and are left out.
 */
export function baseReferenceEntries(): RefEntry[] {
  return buildInputs().references.filter((e) => e.variant === undefined || e.variant === 'global');
}

export { REFERENCE_DATES };
export type { RefEntry };
