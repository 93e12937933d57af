import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClickHouseServer } from './test-support/FakeClickHouseServer.js';
import { until } from './test-support/rows.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
let server: FakeClickHouseServer;

beforeEach(async () => {
  server = new FakeClickHouseServer();
  await server.start();
});
afterEach(async () => {
  await server.close();
});

/** Starts the app of `exitChild.ts`; resolves its exit code and output. */
function app(shutdownTimeoutMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@genai-cost/source', join(import.meta.dirname, 'test-support', 'exitChild.ts'), server.url, String(shutdownTimeoutMs)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { out, exited, child };
}

describe('an app that ends without shutdown()', () => {
  it('stays alive to store what it exported while ClickHouse was failing, then exits', async () => {
    await server.setMode('503');
    const { out, exited } = app(30_000);
    await until('the app to end its work and the server to refuse a few inserts', () => out.stdout.includes('ended') && server.requests['503'] >= 3, 30_000);
    await server.setMode('ok');
    expect(await exited).toBe(0);
    expect(server.stored('genai_cost.genai_spans')).toHaveLength(5);
    expect(server.duplicates('genai_cost.genai_spans')).toBe(0);
    expect(out.stderr).toBe('');
  }, 60_000);

  it('gives up after its shutdown timeout and says what it leaves behind', async () => {
    await server.setMode('refuse');
    const { out, exited } = app(300);
    expect(await exited).toBe(0);
    expect(out.stderr.match(/the process is exiting with 5 spans not yet stored; they are lost \(no spoolDir\)\. Call shutdown\(\) before exiting\./g)).toHaveLength(1);
  }, 60_000);
});
