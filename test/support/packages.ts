import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');

/** The workspace packages, in the order they depend on each other. */
export const PACKAGES = ['pricing', 'otel', 'budget', 'clickhouse', 'grafana', 'receiver', 'cli'] as const;

/** What `npm pack --json` says of one package. */
export interface PackResult {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

/** A command's outcome; never throws, even on a timeout. */
export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment for npm and node children: this one without what `npm test` put in it for its own run. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    const key = k.toLowerCase();
    const npmOwn = (key.startsWith('npm_') && !['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig'].includes(key)) || key === 'init_cwd';
    if (!npmOwn && !key.startsWith('clickhouse_') && key !== 'node_options' && key !== 'vitest' && !key.startsWith('vitest_')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Runs a command to completion within `timeoutMs`. */
export function run(command: string, args: string[], cwd: string, timeoutMs: number, env = childEnv()): RunResult {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  const timedOut = r.error !== undefined ? `\n(${r.error.message})` : '';
  return { status: r.status, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + timedOut };
}

/** As `run`, without blocking this process: for commands that talk to servers running in it. */
export function runAsync(command: string, args: string[], cwd: string, timeoutMs: number, env = childEnv()): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

function sourcesOf(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test-support') out.push(...sourcesOf(path));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      out.push(path);
    }
  }
  return out;
}

/** Source files whose build is missing or older than they are. */
export function staleBuilds(): string[] {
  const stale: string[] = [];
  for (const pkg of PACKAGES) {
    const src = join(ROOT, 'packages', pkg, 'src');
    for (const file of sourcesOf(src)) {
      const built = join(ROOT, 'packages', pkg, 'dist', relative(src, file).replace(/\.ts$/, '.js'));
      if (!existsSync(built) || statSync(built).mtimeMs < statSync(file).mtimeMs) stale.push(relative(ROOT, file));
    }
  }
  return stale;
}

/** Each package's compiled files that have no source any more (left by an older build). */
export function orphanBuilds(pack: PackResult, pkg: string): string[] {
  return pack.files
    .map((f) => f.path)
    .filter((p) => p.startsWith('dist/') && p.endsWith('.js'))
    .filter((p) => !existsSync(join(ROOT, 'packages', pkg, 'src', p.slice('dist/'.length).replace(/\.js$/, '.ts'))));
}

/** The version of a package installed at the root, so a scratch app gets what the npm cache holds. */
export function rootVersion(name: string): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Whether npm failed for want of the registry, not for a fault of the packages. */
export function networkFailure(output: string): boolean {
  return /\b(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH)\b|network request .* failed/i.test(output);
}
