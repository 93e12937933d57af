import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTE_KEYS } from '@genai-cost/otel';
import { AttributionReader } from './attribution.js';

const reader = new AttributionReader({
  attributeKeys: { ...DEFAULT_ATTRIBUTE_KEYS, feature: 'app.feature' },
  extraAttributeKeys: { tenantId: ['org.id'] },
  headerKeys: { tenantId: 'x-genai-cost-tenant-id', tier: 'x-genai-cost-tier' },
});
const noResource = resourceFromAttributes({});

describe('AttributionReader', () => {
  it('reads our keys, then the other SDKs\' keys, whatever order the attributes come in', () => {
    expect(reader.read({ 'langfuse.user.id': 'lf', 'user.id': 'ours' }, noResource, undefined)).toEqual({ userId: 'ours' });
    expect(reader.read({ 'traceloop.association.properties.user_id': 'tl', 'langfuse.user.id': 'lf' }, noResource, undefined)).toEqual({ userId: 'lf' });
    expect(reader.read({ 'ai.telemetry.metadata.userId': 'ai', 'ai.telemetry.metadata.plan': 'pro', 'ai.telemetry.metadata.tenant_id': 7 }, noResource, undefined)).toEqual({
      userId: 'ai',
      tier: 'pro',
      tenantId: '7',
    });
    expect(reader.read({ 'org.id': 'o1', 'traceloop.association.properties.tenant_id': 'tl' }, noResource, undefined)).toEqual({ tenantId: 'o1' });
  });

  it('reads OpenInference metadata JSON after every key, and ignores metadata that is not a JSON object', () => {
    expect(reader.read({ metadata: '{"tier": "team", "feature": "chat", "user_id": "m"}', 'user.id': 'u' }, noResource, undefined)).toEqual({ userId: 'u', tier: 'team', feature: 'chat' });
    expect(reader.read({ metadata: 'not json' }, noResource, undefined)).toBeUndefined();
    expect(reader.read({ metadata: '[1]' }, noResource, undefined)).toBeUndefined();
  });

  it('uses a configured key for a field instead of the default', () => {
    expect(reader.read({ 'saas.feature': 'ignored', 'app.feature': 'search' }, noResource, undefined)).toEqual({ feature: 'search' });
  });

  it('layers span over resource over headers, field by field', () => {
    const resource = resourceFromAttributes({ 'saas.tier': 'team', 'saas.tenant.id': 'res' });
    const headers = reader.fromHeaders({ 'x-genai-cost-tenant-id': 'hdr', 'x-genai-cost-tier': 'free', 'x-other': 'x' });
    expect(headers).toEqual({ tenantId: 'hdr', tier: 'free' });
    expect(reader.read({ 'user.id': 'u' }, resource, headers)).toEqual({ userId: 'u', tier: 'team', tenantId: 'res' });
    expect(reader.read({ 'saas.tier': 'pro' }, resourceFromAttributes({}), headers)).toEqual({ tier: 'pro', tenantId: 'hdr' });
    expect(reader.read({}, noResource, undefined)).toBeUndefined();
    expect(reader.fromHeaders({ 'x-genai-cost-tier': '  ' })).toBeUndefined();
  });

  it('reads saas.tag.<key> from span and resource attributes, the span winning per key', () => {
    const resource = resourceFromAttributes({ 'saas.tag.region': 'us', 'saas.tag.deploy': 'blue' });
    expect(reader.read({ 'saas.tag.region': 'eu', 'saas.tag.cohort': 7, 'user.id': 'u' }, resource, undefined)).toEqual({
      userId: 'u',
      tags: { region: 'eu', cohort: '7', deploy: 'blue' },
    });
    expect(reader.read({ 'saas.tag.bad key': 'x' }, noResource, undefined)).toBeUndefined();
  });
});
