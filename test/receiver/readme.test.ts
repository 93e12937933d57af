import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_HEADER_KEYS, DEFAULT_RECENT_MODEL_CALLS, OtlpReceiver } from '@genai-cost/receiver';
import { CapturingQueue } from '../../packages/receiver/src/test-support/queue.js';
import { parseCommand } from '../../packages/cli/src/args.js';
import { parseConfig } from '../../packages/cli/src/config.js';
import { serveSettings } from '../../packages/cli/src/commands/serve.js';
import { findBinary, requireBinary } from '../support/binaries.js';
import { SpanKind, TEST_CATALOG, memoryLogger, otlpApp } from './support.js';

const ROOT = join(import.meta.dirname, '../..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Apps in any language'), readme.indexOf('## The plan file'));
const blocks = (lang: string) => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

describe('the README section on the receiver', () => {
  it('runs commands the CLI accepts', () => {
    const lines = blocks('sh')[0]!.trim().split('\n');
    const commands = lines.map((l) => parseCommand(l.replace(/^npx genai-cost /, '').split(' '), Date.now()));
    expect(commands).toEqual([
      { name: 'migrate', config: undefined, database: undefined },
      { name: 'serve', config: undefined, database: undefined, host: '0.0.0.0', port: 4318, keepAllSpans: false, spoolDir: '.genai-cost/spool' },
    ]);
  });

  it('shows a serve: section of the plan file that the CLI takes', () => {
    const config = parseConfig(parse(blocks('yaml')[0]!), 'README');
    const settings = serveSettings({ name: 'serve', config: undefined, database: undefined, host: undefined, port: undefined, keepAllSpans: false }, {}, config.serve, '/srv');
    expect(settings).toEqual({
      receiver: { host: '0.0.0.0', port: 4318, keepAllSpans: false, acceptWhileUnavailable: true, recentModelCalls: DEFAULT_RECENT_MODEL_CALLS },
      queue: { spoolDir: '/var/lib/genai-cost/spool', maxSpoolBytes: 4096 * 1024 * 1024 },
    });
    expect(section.replace(/\s+/g, ' ')).toContain(`last ${DEFAULT_RECENT_MODEL_CALLS.maxSpans.toLocaleString('en-US')} model-call spans that instance stored in the last ${DEFAULT_RECENT_MODEL_CALLS.maxAgeMs / 60_000} minutes`);
    expect(section).toContain('genai_cost_receiver_spans_total{outcome="duplicate"}');
  });

  it('shows the Collector configuration file as it is in the repository', () => {
    expect(blocks('yaml')[1]).toEqual(readFileSync(join(ROOT, 'collector/otel-collector.yaml'), 'utf8'));
    expect(blocks('yaml')).toHaveLength(2);
  });

  it('names the headers and variables the receiver reads', () => {
    expect(section).toContain(`\`${DEFAULT_HEADER_KEYS.tenantId}\``);
    expect(section).toContain(`\`${DEFAULT_HEADER_KEYS.tier}\``);
    const cmd = { name: 'serve', config: undefined, database: undefined, host: undefined, port: undefined, keepAllSpans: false } as const;
    expect(serveSettings(cmd, { GENAI_COST_SERVE_TOKEN: 'at-least-sixteen-chars', GENAI_COST_SERVE_MAX_BODY_MB: '8' }).receiver).toMatchObject({ bearerToken: 'at-least-sixteen-chars', maxBodyBytes: 8 * 1024 * 1024 });
    expect(() => serveSettings(cmd, { GENAI_COST_SERVE_TLS_CERT: '/missing/cert.pem', GENAI_COST_SERVE_TLS_KEY: '/missing/key.pem' })).toThrow('cannot read "/missing/cert.pem"');
  });

  const [python] = blocks('python');
  const python3 = findBinary('python3', '/usr/bin/python3');
  it('gives Python that parses (python3 compiles it; skipped without python3 outside CI)', () => {
    if (!requireBinary(python3, 'python3', 'apt-get install python3')) return;
    execFileSync(python3!, ['-c', 'import ast, sys; ast.parse(sys.stdin.read())'], { input: python });
  });

  it('has the Python app send the attribute keys and endpoint the receiver reads', async () => {
    const keys = /ATTRIBUTION_KEYS = \(([^)]*)\)/.exec(python!)![1]!.split(',').map((k) => k.trim().replace(/"/g, ''));
    const values = Object.fromEntries([...python!.matchAll(/set_baggage\("([^"]+)", ([^,)]+)/g)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(values)).toEqual(keys);
    expect(python).toContain('OTLPSpanExporter(endpoint="http://localhost:4318/v1/traces")');

    // What the baggage span processor puts on the model-call span, sent over OTLP: attributed as such.
    const queue = new CapturingQueue();
    const receiver = new OtlpReceiver({ queue, port: 0, logger: memoryLogger(), pricing: { catalog: TEST_CATALOG } });
    const { url } = await receiver.start();
    const app = otlpApp({ url, encoding: 'protobuf', gzip: true, resource: { 'service.name': 'support-bot' } });
    const attributes = { [keys[0]!]: 'user-42', [keys[1]!]: 'pro', [keys[2]!]: 'support-chat' };
    await app.send([{ name: 'chat gpt-test', kind: SpanKind.CLIENT, scope: 'opentelemetry.instrumentation.openai_v2', attributes: { ...attributes, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 5 } }]);
    await app.shutdown();
    await receiver.shutdown();
    expect(queue.rows.map((r) => ({ UserId: r.UserId, Tier: r.Tier, Feature: r.Feature, ServiceName: r.ServiceName, Priced: r.Priced }))).toEqual([
      { UserId: 'user-42', Tier: 'pro', Feature: 'support-chat', ServiceName: 'support-bot', Priced: true },
    ]);
  });
});
