import type { Attributes } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { ATTRIBUTION_FIELDS, TAG_ATTRIBUTE_PREFIX, mergeTags } from '@genai-cost/otel';
import type { Attribution, AttributionField } from '@genai-cost/otel';

/**
 * Attribute keys other SDKs already set, per field, after ours. OpenInference and the OTel
 * conventions use `user.id` / `session.id` (our defaults too); Langfuse reads `langfuse.user.id` /
 * `langfuse.session.id`.
 */
const FOREIGN_KEYS: Readonly<Record<AttributionField, readonly string[]>> = {
  userId: ['user.id', 'langfuse.user.id'],
  sessionId: ['session.id', 'langfuse.session.id'],
  tier: [],
  feature: [],
  tenantId: [],
};

/**
 * Names looked up under a metadata prefix (OpenLLMetry's `traceloop.association.properties.*`, the
 * AI SDK's `ai.telemetry.metadata.*`) and in OpenInference's `metadata` JSON object: apps name these
 * fields in their own style, so the common spellings are accepted.
 */
const METADATA_NAMES: Readonly<Record<AttributionField, readonly string[]>> = {
  userId: ['user_id', 'userId', 'user.id'],
  sessionId: ['session_id', 'sessionId', 'session.id'],
  tier: ['saas.tier', 'tier', 'plan'],
  feature: ['saas.feature', 'feature'],
  tenantId: ['saas.tenant.id', 'tenant_id', 'tenantId'],
};
const METADATA_PREFIXES = ['traceloop.association.properties.', 'ai.telemetry.metadata.'];
/** OpenInference's `metadata`: a JSON object as a string. */
const OPENINFERENCE_METADATA = 'metadata';

/** Where attribution is read from. */
export interface AttributionSources {
  /** Our attribute key per field (what the processor writes): read first. */
  attributeKeys: Readonly<Record<AttributionField, string>>;
  /** More keys per field, read after ours and before the other SDKs' keys. */
  extraAttributeKeys: Readonly<Partial<Record<AttributionField, readonly string[]>>>;
  /** Request header (lowercase) per field, set by a gateway Collector; used where spans and resources say nothing. */
  headerKeys: Readonly<Partial<Record<AttributionField, string>>>;
}

interface Candidate {
  field: AttributionField;
  rank: number;
}

/**
 * Reads attribution from a received span: its own attributes first, then its resource's (one
 * service per user or tenant), then the request's headers. Within each, our keys beat the other
 * SDKs'. One pass over the span's attribute keys, so the cost grows with the attributes a span
 * has, not with the number of keys recognised.
 */
export class AttributionReader {
  private readonly keys = new Map<string, Candidate>();
  private readonly metadataRank: number;
  private readonly byResource = new WeakMap<Resource, Readonly<Attribution> | undefined>();
  private readonly headerKeys: Readonly<Partial<Record<AttributionField, string>>>;

  constructor(sources: AttributionSources) {
    this.headerKeys = sources.headerKeys;
    let rank = 0;
    const add = (key: string, field: AttributionField): void => {
      if (!this.keys.has(key)) this.keys.set(key, { field, rank: rank++ });
    };
    for (const field of ATTRIBUTION_FIELDS) add(sources.attributeKeys[field], field);
    for (const field of ATTRIBUTION_FIELDS) for (const key of sources.extraAttributeKeys[field] ?? []) add(key, field);
    for (const field of ATTRIBUTION_FIELDS) for (const key of FOREIGN_KEYS[field]) add(key, field);
    for (const prefix of METADATA_PREFIXES) {
      for (const field of ATTRIBUTION_FIELDS) for (const name of METADATA_NAMES[field]) add(prefix + name, field);
    }
    this.metadataRank = rank;
  }

  /** The attribution given by a request's headers, or undefined. */
  fromHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Readonly<Attribution> | undefined {
    let out: Attribution | undefined;
    for (const field of ATTRIBUTION_FIELDS) {
      const name = this.headerKeys[field];
      const raw = name === undefined ? undefined : headers[name];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (value !== undefined && value.trim() !== '') (out ??= {})[field] = value.trim();
    }
    return out;
  }

  /** The attribution of one span: span attributes, then resource attributes, then `fallback` (the headers'). */
  read(attributes: Attributes, resource: Resource, fallback: Readonly<Attribution> | undefined): Readonly<Attribution> | undefined {
    let fromResource = this.byResource.get(resource);
    if (fromResource === undefined && !this.byResource.has(resource)) {
      fromResource = this.fromAttributes(resource.attributes);
      this.byResource.set(resource, fromResource);
    }
    const own = this.fromAttributes(attributes);
    return layer(layer(own, fromResource), fallback);
  }

  private fromAttributes(attributes: Attributes): Attribution | undefined {
    let out: Attribution | undefined;
    let ranks: Partial<Record<AttributionField, number>> | undefined;
    for (const key in attributes) {
      const candidate = this.keys.get(key);
      if (candidate !== undefined) {
        const value = text(attributes[key]);
        if (value !== undefined && (ranks?.[candidate.field] ?? Infinity) > candidate.rank) {
          (out ??= {})[candidate.field] = value;
          (ranks ??= {})[candidate.field] = candidate.rank;
        }
      } else if (key.startsWith(TAG_ATTRIBUTE_PREFIX)) {
        // Tags as apps in other languages set them; the processor validates them when it writes them back.
        const tags = mergeTags(out?.tags, { [key.slice(TAG_ATTRIBUTE_PREFIX.length)]: text(attributes[key]) });
        if (tags !== undefined) (out ??= {}).tags = tags;
      } else if (key === OPENINFERENCE_METADATA) {
        const metadata = parseObject(attributes[key]);
        if (metadata === undefined) continue;
        for (const field of ATTRIBUTION_FIELDS) {
          if (ranks?.[field] !== undefined) continue;
          for (const name of METADATA_NAMES[field]) {
            const value = text(metadata[name]);
            if (value === undefined) continue;
            (out ??= {})[field] = value;
            (ranks ??= {})[field] = this.metadataRank;
            break;
          }
        }
      }
    }
    return out;
  }
}

/** `top` with the fields it lacks taken from `bottom`. */
function layer(top: Readonly<Attribution> | undefined, bottom: Readonly<Attribution> | undefined): Readonly<Attribution> | undefined {
  if (bottom === undefined) return top;
  if (top === undefined) return bottom;
  const out: Attribution = { ...bottom };
  for (const field of ATTRIBUTION_FIELDS) if (top[field] !== undefined) out[field] = top[field];
  if (top.tags !== undefined) out.tags = mergeTags(bottom.tags, top.tags);
  return out;
}

/** A non-empty string, or a number as its decimal text (Python apps often pass integer ids). */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function parseObject(v: unknown): Record<string, unknown> | undefined {
  if (typeof v !== 'string' || !v.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    // Not JSON: OpenInference metadata from another tool; nothing to read from it.
    return undefined;
  }
}
