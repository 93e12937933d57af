import type { AttributionField } from './attribution.js';

/**
 * The symbol under which the span processor leaves, on each span it attributes or prices, the
 * attribute keys it wrote the attribution under. An exporter in the same process reads attribution
 * with those keys, so a processor and an exporter configured apart cannot disagree; spans from
 * elsewhere carry no stamp and are read with the exporter's own keys. `Symbol.for`, so that two
 * copies of this package in one app agree.
 */
export const ATTRIBUTE_KEYS_STAMP: unique symbol = Symbol.for('@genai-cost/otel attribute keys');

/** The attribute keys a span's attribution was written under, when a processor of this process wrote it. */
export function stampedAttributeKeys(span: object): Readonly<Record<AttributionField, string>> | undefined {
  return (span as { [ATTRIBUTE_KEYS_STAMP]?: Readonly<Record<AttributionField, string>> })[ATTRIBUTE_KEYS_STAMP];
}
