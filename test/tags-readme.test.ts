import { readFileSync } from 'node:fs';
import { detectResources, envDetector } from '@opentelemetry/resources';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ATTRIBUTE_KEYS, withAttribution } from '@genai-cost/otel';
import { AttributionReader } from '@genai-cost/receiver';
import { CHAT_ATTRS, createTestTracing } from '../packages/clickhouse/src/test-support/tracing.js';

/** The README's Tags section; its snippets are read from here, not copied. */
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const TAGS = README.slice(README.indexOf('## Tags\n'), README.indexOf('## The report\n'));
const block = (lang: string) => new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(TAGS)![1]!;

const t = createTestTracing();
afterAll(() => t.close());

describe("the README's Tags section", () => {
  it('tags the model call with the merged tags, as the comment says', async () => {
    const code = block('ts').replace(/^import .*\n/m, '');
    // `summarise(doc)` stands for the app's code: here one model call, traced as an instrumentation would.
    const summarise = () => t.span('chat gpt-test', CHAT_ATTRS);
    await (new Function('withAttribution', 'summarise', 'doc', `return (async () => { ${code} })();`) as (...a: unknown[]) => Promise<void>)(withAttribution, summarise, 'a document');
    expect(t.spans().at(-1)!.attributes).toMatchObject({
      'user.id': 'u-1001',
      'saas.tier': 'solo',
      'saas.feature': 'summarise',
      'saas.tag.region': 'eu',
      'saas.tag.plan_variant': 'c',
    });
  });

  it('names resource tags the way the receiver reads them', async () => {
    const line = block('sh').trim();
    const [, assignment] = /^OTEL_RESOURCE_ATTRIBUTES=(\S+) /.exec(line)!;
    const before = process.env.OTEL_RESOURCE_ATTRIBUTES;
    process.env.OTEL_RESOURCE_ATTRIBUTES = assignment;
    try {
      // What an OpenTelemetry SDK makes of the variable: the resource of every span it sends.
      const resource = detectResources({ detectors: [envDetector] });
      await resource.waitForAsyncAttributes?.();
      const reader = new AttributionReader({ attributeKeys: DEFAULT_ATTRIBUTE_KEYS, extraAttributeKeys: {}, headerKeys: {} });
      expect(reader.read({ 'user.id': 'u-7' }, resource, undefined)).toEqual({ userId: 'u-7', tags: { region: 'eu' } });
      expect(reader.read({ 'saas.tag.region': 'us' }, resource, undefined)).toEqual({ tags: { region: 'us' } });
    } finally {
      if (before === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
      else process.env.OTEL_RESOURCE_ATTRIBUTES = before;
    }
  });
});

