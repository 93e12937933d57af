import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const version = (pkg: string) => (JSON.parse(readFileSync(here(`../../node_modules/${pkg}/package.json`), 'utf8')) as { version: string }).version;

/**
 * `@genai-cost/otel` declares `@opentelemetry/api` ^1.9.0. The SDK 2.x line accepts api up to
 * <1.10 (1.10 comes with SDK 3, which needs Node 22), so the range to prove on Node 20 is its
 * lowest, 1.9.0 (the workspace's own), and its newest, 1.9.1 (devDependency `otel-api-newest`,
 * an npm alias). Each run is a fresh Node process whose every import and require of the api
 * resolves to that version (support/apiOverride.mjs), pricing through the real SDK.
 */
describe('@opentelemetry/api versions', () => {
  it.each([
    ['@opentelemetry/api', version('@opentelemetry/api')],
    ['otel-api-newest', version('otel-api-newest')],
  ])('prices one call once with %s (%s)', async (pkg, expected) => {
    const { stdout } = await run(
      process.execPath,
      ['--import', here('./support/apiOverride.mjs'), '--import', 'tsx', '--conditions=@genai-cost/source', here('./support/apiScenario.ts')],
      { env: { ...process.env, GENAI_COST_OTEL_API: pkg }, timeout: 60_000 },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as { api: string; spans: { name: string; cost?: number; role?: string; user?: string }[] };
    expect(out.api).toBe(expected);
    // claude-haiku-4-5: 100 × $1 + 2,000 × $0.10 + 1,000 × $1.25 + 2,000 × $2 + 300 × $5, per million.
    expect(out.spans).toEqual([
      { name: 'inner', role: 'duplicate', user: 'u-1' },
      { name: 'outer', cost: 0.00705, user: 'u-1' },
    ]);
  });
});
