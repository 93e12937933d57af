import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { migrate } from '@genai-cost/clickhouse';
import { TestChdb, insertSpans, spanRow } from '../packages/clickhouse/src/test-support/chdb.js';

// No Docker engine runs here: the image is not built. What can be checked without one is: the
// Dockerfile read instruction by instruction against the rules its purpose sets, the files it
// copies, and the scripts it puts in the image, run as the image runs them.

const ROOT = join(import.meta.dirname, '..');

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions, line continuations joined and comments dropped, split into stages. */
function stages(): Instruction[][] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const out: Instruction[][] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (m === null) continue;
    const instruction = { keyword: m[1]!, args: m[2]!.replace(/\s+/g, ' ').trim() };
    if (instruction.keyword === 'FROM') out.push([]);
    out.at(-1)!.push(instruction);
  }
  return out;
}

const all = stages();
const runtime = all.at(-1)!;
const build = all[0]!;
const find = (stage: Instruction[], keyword: string) => stage.filter((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  it('builds on the pinned Node.js image the compose services use', () => {
    const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { build?: string }> };
    const images = new Set(all.map((stage) => find(stage, 'FROM')[0]!.args.split(' ')[0]));
    expect([...images]).toHaveLength(1);
    expect([...images][0]).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(compose.services.demo!.build).toBe('.');
    expect(compose.services.serve!.build).toBe('.');
  });

  it('builds once: the build stage installs without optional dependencies (chDB engines), builds and packs', () => {
    const run = find(build, 'RUN').map((i) => i.args).join(' && ');
    expect(run).toMatch(/npm ci --omit=optional --ignore-scripts/);
    expect(run).toContain('npm run build --workspaces');
    expect(run).toMatch(/npm pack --workspaces .*--json --pack-destination \/packs > \/packs\/packs\.json/);
  });

  it('keeps only the packed packages in the image, installed with production dependencies, run by a non-root user', () => {
    const copies = find(runtime, 'COPY').map((i) => i.args);
    expect(copies.filter((c) => c.includes('--from='))).toEqual(['--chown=node:node --from=build /packs ./packs']);
    expect(find(runtime, 'USER').map((i) => i.args)).toEqual(['node']);
    expect(find(runtime, 'RUN').map((i) => i.args).join(' ')).toContain('node app-package.mjs packs && npm install && genai-cost --version');
    const npmrc = readFileSync(join(ROOT, 'docker/npmrc'), 'utf8');
    expect(npmrc).toContain('omit[]=dev\nomit[]=optional\n');
    expect(npmrc).toContain('prefer-offline=true');
  });

  it('starts node in exec form, with nothing to build or install first', () => {
    const [cmd] = find(runtime, 'CMD');
    expect(JSON.parse(cmd!.args)).toEqual(['genai-cost', 'demo', '--continuous']);
    expect(find(runtime, 'ENTRYPOINT')).toEqual([]);
  });

  it('copies only files that exist and that .dockerignore lets in', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.genai-cost', '.git']));
    for (const stage of all) {
      for (const copy of find(stage, 'COPY').filter((i) => !i.args.includes('--from='))) {
        const sources = copy.args.split(' ').filter((a) => !a.startsWith('--')).slice(0, -1);
        for (const source of sources) {
          expect(existsSync(join(ROOT, source)), source).toBe(true);
          expect(ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)), source).toBe(false);
        }
      }
    }
  });

  it('uses absolute WORKDIRs and no cd', () => {
    for (const stage of all) {
      for (const w of find(stage, 'WORKDIR')) expect(w.args).toMatch(/^\//);
      for (const r of find(stage, 'RUN')) expect(r.args).not.toMatch(/(^|&&\s*)cd\s/);
    }
  });
});

describe("the image's app", () => {
  it('depends on every packed package by its tarball', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-cost-image-app-'));
    try {
      writeFileSync(join(dir, 'packs.json'), JSON.stringify([{ name: '@genai-cost/otel', filename: 'genai-cost-otel-0.1.0.tgz' }, { name: 'genai-cost', filename: 'genai-cost-0.1.0.tgz' }]));
      const result = spawnSync(process.execPath, [join(ROOT, 'docker/app-package.mjs'), dir], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect(result.status, result.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({
        name: 'genai-cost-compose',
        private: true,
        dependencies: { '@genai-cost/otel': `file:${join(dir, 'genai-cost-otel-0.1.0.tgz')}`, 'genai-cost': `file:${join(dir, 'genai-cost-0.1.0.tgz')}` },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the demo's health check", () => {
  let answer = { status: 200, body: '3\n' };
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(answer.status).end(answer.body);
  });
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const check = (env: Record<string, string>) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [join(ROOT, 'docker/demo-healthcheck.mjs')], { env: { PATH: process.env.PATH, ...env } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });

  it("is healthy while the demo's spans keep arriving, as the demo's own ClickHouse user", async () => {
    answer = { status: 200, body: '3\n' };
    expect(await check({ CLICKHOUSE_URL: url, CLICKHOUSE_USER: 'genai_cost_writer', CLICKHOUSE_PASSWORD: 'secret' })).toEqual({ code: 0, stderr: '' });
    expect(seen.at(-1)!.headers).toMatchObject({ 'x-clickhouse-user': 'genai_cost_writer', 'x-clickhouse-key': 'secret' });
  });

  it("asks a query ClickHouse runs: the spans of the last two minutes in the demo's databases, and no other", async () => {
    answer = { status: 200, body: '1\n' };
    await check({ CLICKHOUSE_URL: url });
    const query = new URL(seen.at(-1)!.url, url).searchParams.get('query')!;
    const ch = new TestChdb();
    try {
      const now = new Date();
      const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
      for (const database of ['genai_cost', 'genai_cost_demo', 'genai_cost_other']) {
        await migrate(ch.client, { database });
        await insertSpans(ch.client, database, [spanRow({ at: now }), spanRow({ at: tenMinutesAgo })]);
      }
      expect(await ch.rows(query.replace('count()', 'toUInt8(count()) AS n'))).toEqual([{ n: 2 }]);
    } finally {
      await ch.close();
    }
  });

  it('is unhealthy when no span arrived lately, when ClickHouse refuses, or when it is away', async () => {
    answer = { status: 200, body: '0\n' };
    expect(await check({ CLICKHOUSE_URL: url })).toEqual({ code: 1, stderr: 'demo health check: no span stored in the last two minutes\n' });
    answer = { status: 516, body: 'Code: 516. DB::Exception: genai_cost_writer: Authentication failed. (AUTHENTICATION_FAILED)' };
    expect(await check({ CLICKHOUSE_URL: url })).toEqual({
      code: 1,
      stderr: 'demo health check: ClickHouse answered 516: Code: 516. DB::Exception: genai_cost_writer: Authentication failed. (AUTHENTICATION_FAILED)\n',
    });
    expect((await check({ CLICKHOUSE_URL: 'http://127.0.0.1:9' })).code).toBe(1);
  });
});

