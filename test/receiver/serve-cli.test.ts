import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../packages/cli/src/main.js';
import { serveSettings } from '../../packages/cli/src/commands/serve.js';
import { runCli } from '../../packages/cli/src/test-support/runCli.js';
import { SpanKind, otlpApp } from './support.js';

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
    expect(scrape).toMatch(/genai_cost_receiver_spans_total\{[^}]*outcome="stored"[^}]*\} 1/);
    expect(scrape).toMatch(/http_server_request_duration_count\{[^}]*http_route="\/v1\/traces"[^}]*\} 1/);
    expect(scrape).toContain('genai_cost_receiver_queue_depth');

    server.stop();
    expect(await server.exit).toBe(0);
    expect(server.stdout()).toContain('stopped; 1 spans stored (1 priced, 0 unpriced), 0 non-GenAI dropped, 0 rejected');
    const lines = server.stderr().trim().split('\n').map((l) => JSON.parse(l) as { level: string; msg: string });
    expect(lines.map((l) => l.msg)).toEqual(['genai-cost receiver listening', 'genai-cost receiver draining', 'genai-cost receiver stopped']);

    const report = await runCli(['report', '--by', 'user', '--format', 'json'], { env, cwd: dir });
    expect(report.code).toBe(0);
    // gpt-4o-mini in the built-in catalog: $0.15 per million input tokens, $0.60 per million output.
    expect(JSON.parse(report.stdout)).toEqual([expect.objectContaining({ userId: 'user-00001', tier: 'team', costUsd: 0.75 })]);
  });

  it('takes its settings from flags before the environment, and names a bad variable', () => {
    const cmd = { name: 'serve', config: undefined, database: undefined, host: undefined, port: undefined, keepAllSpans: false } as const;
    expect(serveSettings(cmd, { GENAI_COST_SERVE_PORT: '9999', GENAI_COST_SERVE_HOST: '0.0.0.0', GENAI_COST_SERVE_TOKEN: 'a-long-enough-token' })).toEqual({
      host: '0.0.0.0',
      port: 9999,
      keepAllSpans: false,
      bearerToken: 'a-long-enough-token',
    });
    expect(serveSettings({ ...cmd, port: 4318, host: '127.0.0.1' }, { GENAI_COST_SERVE_PORT: '9999' })).toMatchObject({ host: '127.0.0.1', port: 4318 });
    expect(() => serveSettings(cmd, { GENAI_COST_SERVE_MAX_BODY_MB: 'lots' })).toThrow('GENAI_COST_SERVE_MAX_BODY_MB: expected a whole number from 1 to 1024, got "lots"');
    expect(() => serveSettings(cmd, { GENAI_COST_SERVE_TLS_CERT: '/x.pem' })).toThrow('set both GENAI_COST_SERVE_TLS_CERT and GENAI_COST_SERVE_TLS_KEY');
  });

  it('prints its usage and rejects a bad port', async () => {
    const help = await runCli(['serve', '--help'], { env, cwd: dir });
    expect(help.stdout).toMatch(/^Usage: genai-cost serve \[--port 4318\]/);
    const bad = await runCli(['serve', '--port', '70000'], { env, cwd: dir });
    expect([bad.code, bad.stderr]).toEqual([2, 'genai-cost serve: --port: expected a whole number from 0 to 65535, got "70000"\n']);
  });
});
