import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClickHouseClient } from '@genai-cost/clickhouse';
import { spanInsertSql } from '../packages/clickhouse/src/spanInsert.js';
import { spanRow } from '../packages/clickhouse/src/test-support/chdb.js';
import { oneModelCatalog } from '../packages/pricing/src/test-support/catalogFile.js';
import { runCli } from '../packages/cli/src/test-support/runCli.js';

// One chDB directory for this file: chDB binds one data path per process.
const dir = mkdtempSync(join(tmpdir(), 'genai-cost-cli-prices-'));
const env = { CLICKHOUSE_URL: `chdb:${join(dir, 'chdb')}` };
const cli = (...argv: string[]) => runCli(argv, { env, cwd: dir });

describe('genai-cost prices', () => {
  it('looks a model up in any platform spelling and says why it matched', async () => {
    const run = await cli('prices', 'lookup', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', '--provider', 'aws.bedrock');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('→ bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0\n');
    expect(run.stdout).toContain('why: catalog: name "anthropic.claude-sonnet-4-5-20250929-v1:0" (reduced from "us.anthropic.claude-sonnet-4-5-20250929-v1:0"), provider "bedrock" from the span provider "aws.bedrock"');
    expect(run.stdout).toMatch(/regions geo ×1\.1, us-gov ×1\.2/);
  });

  it('lists every price period and marks the one in force at --at', async () => {
    const run = await cli('prices', 'lookup', 'o3-2025-04-16', '--at', '2025-06-01');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('in force at 2025-06-01 00:00 UTC: openai/o3@2025-04-16');
    expect(run.stdout).toMatch(/\n▶ +2025-04-16 +\$10 +\$40 /);
    expect(run.stdout).toMatch(/\n +2025-06-10 +\$2 +\$8 /);
    const json = await cli('prices', 'lookup', 'deepseek-v4-pro', '--format', 'json', '--at', '2026-11-25T02:00:00Z');
    const body = JSON.parse(json.stdout) as { matched: string; inForce: string; periods: { timeWindows?: unknown[] }[] };
    expect(body.matched).toBe('deepseek/deepseek-v4-pro');
    expect(body.inForce).toBe('deepseek/deepseek-v4-pro@2026-08-16T16:00:00Z');
    expect(body.periods.at(-1)!.timeWindows).toHaveLength(2);
  });

  it('exits 1 for a model without a price and 2 for a bad argument', async () => {
    const unknown = await cli('prices', 'lookup', 'no-such-model-9');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('genai-cost prices lookup: no price for "no-such-model-9"; spans of it are stored unpriced until a price is added\n');
    expect((await cli('prices', 'lookup')).stderr).toMatch(/expected a model name/);
    expect((await cli('prices', 'show')).stderr).toMatch(/expected "lookup MODEL" or "list", got "show"/);
    expect((await cli('prices', 'list', '--at', 'yesterday')).code).toBe(2);
  });

  it('lists one provider\'s models, by any of its spellings', async () => {
    const run = await cli('prices', 'list', '--provider', 'gcp.vertex_ai', '--format', 'json');
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as { id: string; input: number }[];
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.every((r) => r.id.startsWith('vertex/'))).toBe(true);
    const table = await cli('prices', 'list', '--provider', 'groq');
    expect(table.stdout).toMatch(/^\d+ priced models in force at /);
    expect(table.stdout).toContain('groq/llama-3.3-70b-versatile');
    expect((await cli('prices', 'list', '--provider', 'nobody')).stderr).toMatch(/no models of provider "nobody"; providers: openai, anthropic/);
  });

  it('uses a newer catalog file given with --catalog, and says when it cannot', async () => {
    const file = join(dir, 'newer.json');
    writeFileSync(file, JSON.stringify(oneModelCatalog('acme-2', 3, 4)));
    expect((await cli('prices', 'lookup', 'acme-2', '--catalog', file)).stdout).toContain('→ acme/acme-2');
    const broken = await cli('prices', 'lookup', 'gpt-4o', '--catalog', join(dir, 'missing.json'));
    expect(broken.code).toBe(0);
    expect(broken.stderr).toMatch(/cannot load the price catalog from .*missing\.json .*using the bundled catalog/);
  });
});

describe('genai-cost reprice', () => {
  it('prices stored spans once the plan file gives their model a price, and a second run changes nothing', async () => {
    expect((await cli('migrate', '--database', 'reprice_cli')).code).toBe(0);
    const at = Date.now() - 3_600_000;
    const rows = Array.from({ length: 20 }, (_, i) =>
      spanRow({ at: new Date(at + i), Tier: i % 2 === 0 ? 'team' : 'free', UserId: `u${i}`, Model: 'acme-support-ft', Provider: 'openai', Priced: false, UnpricedReason: 'unknown_model', PriceId: '', InputTokens: 1_000, OutputTokens: 500 }),
    );
    const { client, close } = await createClickHouseClient({ url: env.CLICKHOUSE_URL, database: 'reprice_cli' });
    await client.command({ query: spanInsertSql('reprice_cli.genai_spans', rows, randomUUID()) });
    await close();

    const dry = await cli('reprice', '--database', 'reprice_cli', '--since', '1d', '--dry-run');
    expect(dry.stdout).toContain('Examined 20 model-call spans: 0 unpriced would be priced, 0 would be repriced, 0 unchanged, 20 still without a price.');

    writeFileSync(join(dir, 'genai-cost.config.yaml'), 'prices:\n  - { provider: openai, model: acme-support-ft, input: 2, output: 8 }\n');
    const run = await cli('reprice', '--database', 'reprice_cli', '--since', '1d');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Examined 20 model-call spans: 20 unpriced were priced, 0 were repriced, 0 unchanged, 0 still without a price.');
    expect(run.stdout).toMatch(/Rollups rebuilt for 1 day\(s\): \d{4}-\d{2}-\d{2}\./);
    // 10 spans per tier, each 1,000 × $2 + 500 × $8 per million = $0.006.
    expect(run.stdout).toMatch(/\nteam +10 +\$0\.00 +\$0\.0600 +\$0\.0600\n/);
    expect(run.stdout).toMatch(/\ntotal +20 +\$0\.00 +\$0\.12 +\$0\.12\n/);

    const report = await cli('report', '--database', 'reprice_cli', '--by', 'model', '--since', '1d', '--format', 'json');
    expect(JSON.parse(report.stdout)).toEqual([expect.objectContaining({ model: 'acme-support-ft', costUsd: 0.12, unpricedCalls: 0 })]);

    const readme = await cli('reprice', '--database', 'reprice_cli', '--since', '30d', '--only-unpriced', '--dry-run');
    expect(readme.code).toBe(0);
    expect(readme.stdout).toContain('Examined 0 model-call spans');

    const again = await cli('reprice', '--database', 'reprice_cli', '--since', '1d');
    expect(again.stdout).toContain('20 unchanged');
    expect(again.stdout).toContain('Nothing to write: the spans and rollups already agree with the catalog.');
  });
});
