import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClickHouseServer } from '../packages/clickhouse/src/test-support/FakeClickHouseServer.js';
import { FakeProvider } from './instrumentations/support/fakeProvider.js';
import { PACKAGES, ROOT, childEnv, networkFailure, orphanBuilds, rootVersion, run, runAsync, staleBuilds } from './support/packages.js';
import type { PackResult } from './support/packages.js';
import { readmeSetup } from './support/readmeSetup.js';

// Packs every workspace package as npm would publish it, installs the tarballs into a scratch app
// outside the workspace, and runs the README's setup there, as an ES module app and as a CommonJS
// app, with the real OpenTelemetry SDK and OpenAI instrumentation against a fake OpenAI API and a
// fake ClickHouse server. Registry dependencies come from the npm cache (`--prefer-offline`).

const NPM_TIMEOUT_MS = 240_000;
const setup = readmeSetup();
let dir: string;
let app: string;
let packs: Map<string, PackResult>;
/** Set when the scratch install could not reach the registry outside CI: the tests that need it say why they skip. */
let skipReason: string | undefined;
let clickhouse: FakeClickHouseServer;
let openai: FakeProvider;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'genai-cost-pack-'));
  const stale = staleBuilds();
  if (stale.length > 0) {
    const build = run('npm', ['run', 'build'], ROOT, NPM_TIMEOUT_MS);
    if (build.status !== 0) throw new Error(`npm run build failed (stale: ${stale.slice(0, 3).join(', ')}…):\n${build.stderr}`);
  }
  mkdirSync(join(dir, 'packs'));
  const pack = run('npm', ['pack', '--workspaces', '--ignore-scripts', '--json', '--pack-destination', join(dir, 'packs')], ROOT, NPM_TIMEOUT_MS);
  if (pack.status !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  packs = new Map((JSON.parse(pack.stdout) as PackResult[]).map((p) => [p.name, p]));
  writeFileSync(join(dir, 'packs', 'packs.json'), pack.stdout);

  app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true }));
  const tarball = (name: string) => join(dir, 'packs', packs.get(name)!.filename);
  const specs = [
    ...['@genai-cost/pricing', '@genai-cost/otel', '@genai-cost/budget', '@genai-cost/clickhouse', '@genai-cost/receiver', '@genai-cost/grafana', 'genai-cost'].map(tarball),
    // The app's own OpenTelemetry setup, as the README's snippets use it.
    ...['@opentelemetry/sdk-node', '@opentelemetry/instrumentation-openai', 'openai', 'express'].map((n) => `${n}@${rootVersion(n)}`),
  ];
  const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--no-package-lock', ...specs], app, NPM_TIMEOUT_MS);
  if (installed.status !== 0) {
    const output = installed.stdout + installed.stderr;
    if (!networkFailure(output) || process.env.CI === 'true') throw new Error(`npm install ${specs.join(' ')} failed:\n${output}`);
    skipReason = `the npm registry is unreachable and the npm cache lacks a dependency: ${output.split('\n').find((l) => networkFailure(l))}`;
    console.warn(`pack-install: skipping the scratch app: ${skipReason}`);
  }
  clickhouse = new FakeClickHouseServer();
  await clickhouse.start();
  openai = await new FakeProvider().start();
  openai.script.openai = { input: 1000, output: 200 };
}, 2 * NPM_TIMEOUT_MS);

afterAll(async () => {
  await clickhouse?.close();
  await openai?.close();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('npm pack of every package', () => {
  it.each(PACKAGES)('%s: built code with types, LICENSE, README, and ranges between our packages', (pkg) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'packages', pkg, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const pack = packs.get(manifest.name as unknown as string)!;
    const files = pack.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.map') || f.includes('.test.'))).toEqual([]);
    expect(orphanBuilds(pack, pkg)).toEqual([]);
    expect(readFileSync(join(ROOT, 'packages', pkg, 'LICENSE'), 'utf8')).toBe(readFileSync(join(ROOT, 'LICENSE'), 'utf8'));
    expect(manifest.exports!['.']).toMatchObject({ types: './dist/index.d.ts', default: './dist/index.js' });
    for (const section of ['dependencies', 'peerDependencies', 'devDependencies']) {
      for (const [name, range] of Object.entries(manifest[section] ?? {})) if (name.startsWith('@genai-cost/')) expect(range, `${section} ${name}`).toMatch(/^\^\d+\.\d+\.\d+$/);
    }
  });

  it('ships the price catalog with the notices of its sources, and the CLI its example plan', () => {
    expect(packs.get('@genai-cost/pricing')!.files.map((f) => f.path)).toEqual(expect.arrayContaining(['data/prices.json', 'data/prices.schema.json', 'data/reference/NOTICE.md']));
    expect(packs.get('genai-cost')!.files.map((f) => f.path)).toEqual(expect.arrayContaining(['bin/genai-cost.js', 'genai-cost.config.example.yaml']));
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
  });
});

describe('a scratch app installing the tarballs', () => {
  it('installs @genai-cost/otel with no package of ours but @genai-cost/pricing', (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    const alone = join(dir, 'otel-alone');
    mkdirSync(alone);
    writeFileSync(join(alone, 'package.json'), JSON.stringify({ name: 'otel-alone', private: true }));
    const tarball = (name: string) => join(dir, 'packs', packs.get(name)!.filename);
    const dryRun = run('npm', ['install', '--dry-run', '--prefer-offline', '--no-audit', '--no-fund', tarball('@genai-cost/pricing'), tarball('@genai-cost/otel')], alone, NPM_TIMEOUT_MS);
    expect(dryRun.status, dryRun.stderr).toBe(0);
    const ours = dryRun.stdout.split('\n').filter((l) => l.startsWith('add @genai-cost/')).map((l) => l.split(' ')[1]);
    expect(ours.sort()).toEqual(['@genai-cost/otel', '@genai-cost/pricing']);
  });

  it('loads every library package with import and with require(), types included', (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    const names = ['@genai-cost/pricing', '@genai-cost/otel', '@genai-cost/budget', '@genai-cost/clickhouse', '@genai-cost/receiver', '@genai-cost/grafana'];
    const esm = run(process.execPath, ['--input-type=module', '-e', names.map((n, i) => `import * as m${i} from '${n}';`).join('') + 'console.log("ok")'], app, 60_000);
    expect(esm).toMatchObject({ status: 0, stdout: 'ok\n' });
    const cjs = run(process.execPath, ['-e', `${names.map((n) => `require('${n}');`).join('')}console.log("ok")`], app, 60_000);
    expect(cjs).toMatchObject({ status: 0, stdout: 'ok\n' });
    expect(typecheckInApp(`import { genaiCost } from '@genai-cost/clickhouse';
import { withAttribution } from '@genai-cost/otel';
import { BudgetGuard } from '@genai-cost/budget';
const guard: BudgetGuard = new BudgetGuard({ plan: { tiers: {} }, userIdHmacKey: 'a-key-of-sixteen-bytes' });
const processors: { forceFlush(): Promise<void> }[] = genaiCost({ budgetGuard: guard, userIdHmacKey: 'a-key-of-sixteen-bytes' }).spanProcessors;
withAttribution({ userId: 'u' }, () => processors.length);
// @ts-expect-error: typed, not any, so a number is refused
const stats: number = genaiCost().exporter.getStats();
`)).toEqual([]);
  });

  it.for([
    ['ES module', 'telemetry.mjs', 'app.mjs', '--import', setup.esm],
    ['CommonJS', 'telemetry.cjs', 'app.cjs', '--require', setup.cjs],
  ] as const)("runs the README's setup as written in a %s app: one priced, attributed row per OpenAI call, schema created, nothing else needed", async ([kind, telemetry, main, flag, code], ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    writeFileSync(join(app, telemetry), code);
    writeFileSync(join(app, main), appSource(main.endsWith('.mjs') ? 'esm' : 'cjs'));
    const session = `s-${kind.replace(/\W/g, '')}`;
    const child = await startApp([flag, `./${telemetry}`, main]);
    const headers = { 'content-type': 'application/json', 'x-user-id': 'alice', 'x-plan': 'pro', 'x-org-id': 'acme' };
    const res = await fetch(`${child.url}/summarise`, { method: 'POST', headers, body: JSON.stringify({ text: 'hello', sessionId: session }) });
    expect(await res.json()).toEqual({ summary: 'ok' });
    await fetch(`${child.url}/quit`, { method: 'POST', headers: { connection: 'close' } });
    const exit = await child.exited;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toBe('');
    const rows = clickhouse.stored('genai_cost.genai_spans').filter((r) => r.values.SessionId === session);
    expect(rows).toHaveLength(1);
    // gpt-4o-mini: $0.15 per million input tokens, $0.60 per million output tokens (openai.com pricing).
    expect(rows[0]!.values).toMatchObject({ UserId: 'alice', Tier: 'pro', TenantId: 'acme', Feature: 'summarise', Provider: 'openai', Priced: true, InputTokens: 1000, OutputTokens: 200 });
    expect(Number(rows[0]!.values.CostUsd)).toBeCloseTo((1000 * 0.15 + 200 * 0.6) / 1e6, 12);
    expect(clickhouse.statements).toContain('CREATE DATABASE IF NOT EXISTS genai_cost');
  });

  it('installs the genai-cost command: --version, and migrate names the example plan it ships', async (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    const bin = join(app, 'node_modules', '.bin', 'genai-cost');
    expect(run(bin, ['--version'], app, 60_000)).toEqual({ status: 0, stdout: 'genai-cost 0.1.0\n', stderr: '' });
    const migrate = await runAsync(bin, ['migrate'], app, 60_000, childEnv({ CLICKHOUSE_URL: clickhouse.url, CLICKHOUSE_DATABASE: 'cli_check' }));
    expect(migrate.status, migrate.stderr).toBe(0);
    const example = join(app, 'node_modules', 'genai-cost', 'genai-cost.config.example.yaml');
    expect(migrate.stdout).toContain(`(see ${example})`);
    expect(existsSync(example)).toBe(true);
  });
});

describe("the compose image's app (Dockerfile)", () => {
  it('installs the CLI from the tarballs with neither chDB nor devDependencies', (ctx) => {
    if (skipReason !== undefined) return ctx.skip(skipReason);
    const image = join(dir, 'image-app');
    mkdirSync(image);
    writeFileSync(join(image, '.npmrc'), readFileSync(join(ROOT, 'docker/npmrc')));
    expect(run(process.execPath, [join(ROOT, 'docker/app-package.mjs'), join(dir, 'packs')], image, 30_000).status).toBe(0);
    const dryRun = run('npm', ['install', '--dry-run'], image, NPM_TIMEOUT_MS);
    expect(dryRun.status, dryRun.stderr).toBe(0);
    const added = dryRun.stdout.split('\n').filter((l) => l.startsWith('add ')).map((l) => l.split(' ')[1]);
    expect(added).toEqual(expect.arrayContaining(['genai-cost', '@genai-cost/clickhouse', '@clickhouse/client', '@opentelemetry/sdk-trace-base']));
    expect(added.filter((name) => /chdb|typescript|vitest|tsx/.test(name!))).toEqual([]);
  });
});

/** The app around the README's attribution lines: Express with its own authentication, and an OpenAI call. */
function appSource(kind: 'esm' | 'cjs'): string {
  const imports =
    kind === 'esm'
      ? "import express from 'express';\nimport { OpenAI } from 'openai';\nimport { withAttribution } from '@genai-cost/otel';\n"
      : "const express = require('express');\nconst { OpenAI } = require('openai');\nconst { withAttribution } = require('@genai-cost/otel');\n";
  return `${imports}
const openai = new OpenAI({ apiKey: 'test-key', baseURL: process.env.OPENAI_BASE_URL, maxRetries: 0 });
const summarise = async (text) => (await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] })).choices[0].message.content;
const app = express();
app.use(express.json());
app.use((req, res, next) => {
  req.user = { id: req.get('x-user-id'), plan: req.get('x-plan'), orgId: req.get('x-org-id') };
  next();
});
${setup.app}
app.post('/quit', (req, res) => {
  res.end();
  server.close();
});
const server = app.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`;
}

interface AppRun {
  url: string;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Starts `node args` in the scratch app and waits (bounded) for it to listen. */
async function startApp(args: string[]): Promise<AppRun> {
  const env = childEnv({ CLICKHOUSE_URL: clickhouse.url, OPENAI_BASE_URL: openai.openaiBaseUrl, OTEL_LOG_LEVEL: 'warn' });
  const child = spawn(process.execPath, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void exited.then(() => clearTimeout(timer));
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening (\d+)/.exec(stdout);
      if (m !== null) resolve(m[1]!);
    });
    void exited.then((e) => reject(new Error(`the app exited (${e.code}) before listening:\n${e.stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}`, exited };
}

/** Diagnostics of a TypeScript file in the scratch app, its imports resolved from the installed packages. */
function typecheckInApp(source: string): string[] {
  const file = join(app, 'check.mts');
  writeFileSync(file, source);
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    typeRoots: [join(ROOT, 'node_modules/@types')],
  });
  const sf = program.getSourceFile(file)!;
  return [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}
