import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';
import { serveSettings } from '../../packages/cli/src/commands/serve.js';
import { runCli } from '../../packages/cli/src/test-support/runCli.js';
import { SpanQueue } from '@genai-cost/clickhouse';
import { OtlpReceiver } from '@genai-cost/receiver';
import { SpanKind, TEST_CATALOG, memoryLogger, otlpApp } from './support.js';

// One chDB directory for this file: chDB binds one data path per process.
const dir = mkdtempSync(join(tmpdir(), 'genai-cost-serve-'));
const env = { CLICKHOUSE_URL: `chdb:${join(dir, 'chdb')}`, CLICKHOUSE_DATABASE: 'served' };

/** Runs `genai-cost serve` in this process until `stop` is aborted; `stdout()` is what it printed so far. */
function serve(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const stop = new AbortController();
  const exit = main(['serve', ...argv], {
    stdout: { write: (t) => void (stdout += t) },
    stderr: { write: (t) => void (stderr += t), isTTY: false },
    env,
    cwd: dir,
    now: Date.now,
    stop: stop.signal,
  });
  return { exit, stop: () => stop.abort(), stdout: () => stdout, stderr: () => stderr };
}

describe('genai-cost serve', () => {
  it('receives OTLP from an app, prices with the plan, serves readiness and Prometheus metrics, and stops cleanly', async () => {
    expect((await runCli(['migrate'], { env, cwd: dir })).code).toBe(0);
    const server = serve(['--port', '0']);
    await expect.poll(() => server.stdout(), { timeout: 10_000 }).toContain('/v1/traces');
    const url = /at (http:\/\/127\.0\.0\.1:\d+)\/v1\/traces/.exec(server.stdout())![1]!;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    const app = otlpApp({ url, encoding: 'protobuf', gzip: true, resource: { 'saas.tier': 'team' } });
    await app.send([
      {
        name: 'chat gpt-4o-mini',
        kind: SpanKind.CLIENT,
        scope: 'opentelemetry.instrumentation.openai_v2',
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.system': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 1_000_000,
          'gen_ai.usage.output_tokens': 1_000_000,
          'user.id': 'user-00001',
          'saas.feature': 'chat',
        },
      },
    ]);
    await app.shutdown();
    const scrape = await (await fetch(`${url}/metrics`)).text();
    expect(scrape).toMatch(/genai_cost_receiver_spans_total\{[^}]*outcome="accepted"[^}]*\} 1/);
    expect(scrape).toMatch(/http_server_request_duration_count\{[^}]*http_route="\/v1\/traces"[^}]*\} 1/);
    expect(scrape).toContain('genai_cost_receiver_queue_depth');

    server.stop();
    expect(await server.exit).toBe(0);
    expect(server.stdout()).toContain("stopped; 1 spans accepted (1 priced, 0 unpriced, 0 duplicates of earlier requests' calls), 0 non-GenAI dropped, 0 rejected; 1 stored in ClickHouse\n");
    const lines = server.stderr().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.map((l) => l.msg)).toEqual(['genai-cost receiver listening', 'genai-cost receiver draining', 'genai-cost receiver stopped']);

    const report = await runCli(['report', '--by', 'user', '--format', 'json'], { env, cwd: dir });
    expect(report.code).toBe(0);
    // gpt-4o-mini in the built-in catalog: $0.15 per million input tokens, $0.60 per million output.
    expect(JSON.parse(report.stdout)).toEqual([expect.objectContaining({ userId: 'user-00001', tier: 'team', costUsd: 0.75 })]);
  });

  it('takes its settings from flags, then the environment, then the plan file, and names a bad variable', () => {
    const cmd = { name: 'serve', config: undefined, database: undefined, host: undefined, port: undefined, keepAllSpans: false } as const;
    expect(serveSettings(cmd, { GENAI_COST_SERVE_PORT: '9999', GENAI_COST_SERVE_HOST: '0.0.0.0', GENAI_COST_SERVE_TOKEN: 'a-long-enough-token' })).toEqual({
      receiver: { host: '0.0.0.0', port: 9999, keepAllSpans: false, acceptWhileUnavailable: false, bearerToken: 'a-long-enough-token' },
      queue: {},
    });
    expect(serveSettings({ ...cmd, port: 4318, host: '127.0.0.1' }, { GENAI_COST_SERVE_PORT: '9999' }).receiver).toMatchObject({ host: '127.0.0.1', port: 4318 });
    const file = { host: '10.0.0.1', port: 4000, keepAllSpans: true, spoolDir: 'spool', maxQueueMb: 16, maxSpoolMb: 512, recentModelCalls: { maxAgeSeconds: 60 } };
    expect(serveSettings(cmd, { GENAI_COST_SERVE_PORT: '4001', GENAI_COST_SERVE_KEEP_ALL_SPANS: 'false', GENAI_COST_SERVE_MAX_SPOOL_MB: '64' }, file, '/srv')).toEqual({
      receiver: { host: '10.0.0.1', port: 4001, keepAllSpans: false, acceptWhileUnavailable: true, recentModelCalls: { maxSpans: 100_000, maxAgeMs: 60_000 } },
      queue: { spoolDir: '/srv/spool', maxQueueBytes: 16 * 1024 * 1024, maxSpoolBytes: 64 * 1024 * 1024 },
    });
    expect(serveSettings({ ...cmd, spoolDir: '/var/spool/x' }, { GENAI_COST_SERVE_SPOOL_DIR: '/ignored' }, file).queue.spoolDir).toBe('/var/spool/x');
    expect(() => serveSettings(cmd, { GENAI_COST_SERVE_MAX_BODY_MB: 'lots' })).toThrow('GENAI_COST_SERVE_MAX_BODY_MB: expected a whole number from 1 to 1024, got "lots"');
    expect(() => serveSettings(cmd, { GENAI_COST_SERVE_TLS_CERT: '/x.pem' })).toThrow('set both GENAI_COST_SERVE_TLS_CERT and GENAI_COST_SERVE_TLS_KEY');
    expect(() => serveSettings(cmd, {}, { tlsCert: 'missing.pem', tlsKey: 'missing.key' }, '/srv')).toThrow('serve.tlsCert: cannot read "/srv/missing.pem"');
  });

  it('names a bad serve: setting of the plan file', async () => {
    const file = join(dir, 'bad-serve.yaml');
    writeFileSync(file, 'serve:\n  spoolDir: /tmp/x\n  maxSpoolMb: 0\n');
    const bad = await runCli(['serve', '--config', file], { env, cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([2, `${file}: serve.maxSpoolMb: expected a whole number of MB from 1 to 1048576\n`]);
  });

  it('replays a spool left by an earlier process: what it accepted while ClickHouse was away is stored after a restart', async () => {
    const spool = join(dir, 'spool');
    // The earlier process: ClickHouse unreachable, so it spools, accepts, and stops with the spans still on disk.
    const refused = { command: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' })) };
    const queue = new SpanQueue({ client: refused, database: 'served', spoolDir: spool, retryInitialMs: 20, shutdownTimeoutMs: 200 });
    const earlier = new OtlpReceiver({ queue, port: 0, acceptWhileUnavailable: true, logger: memoryLogger(), pricing: { catalog: TEST_CATALOG } });
    const { url: earlierUrl } = await earlier.start();
    const app = otlpApp({ url: earlierUrl, encoding: 'protobuf', gzip: true, resource: { 'saas.tier': 'pro' } });
    const call = (userId: string) => ({ name: 'chat gpt-test', kind: SpanKind.CLIENT, scope: 'app', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100, 'user.id': userId } });
    await app.send([call('spooled-1')]);
    await expect.poll(() => queue.readiness().clickhouse, { timeout: 5_000 }).toBe('failing');
    await app.send([call('spooled-2')]);
    await app.shutdown();
    await earlier.shutdown();
    expect(queue.getStats()).toMatchObject({ acceptedSpans: 2, storedSpans: 0, queuedSpans: 2 });

    const server = serve(['--port', '0', '--spool-dir', spool]);
    await expect.poll(() => server.stdout(), { timeout: 10_000 }).toContain('(2 spans replayed from it)');
    server.stop();
    expect(await server.exit).toBe(0);
    expect(server.stdout()).toContain('; 2 stored in ClickHouse\n');
    const report = await runCli(['report', '--by', 'user', '--format', 'json'], { env, cwd: dir });
    const users = (JSON.parse(report.stdout) as { userId: string; costUsd: number }[]).filter((u) => u.userId.startsWith('spooled-'));
    expect(users.map((u) => [u.userId, u.costUsd]).sort()).toEqual([
      ['spooled-1', 0.0028],
      ['spooled-2', 0.0028],
    ]);
  });

  it('prints its usage and rejects a bad port', async () => {
    const help = await runCli(['serve', '--help'], { env, cwd: dir });
    expect(help.stdout).toMatch(/^Usage: genai-cost serve \[--port 4318\]/);
    const bad = await runCli(['serve', '--port', '70000'], { env, cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([2, 'genai-cost serve: --port: expected a whole number from 0 to 65535, got "70000"\n']);
  });
});
