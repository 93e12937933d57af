import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSpanExporter, METRICS, bindWindow, createClickHouseClient, migrate, reportByTag, runMetric } from '@genai-cost/clickhouse';
import type { TagRow } from '@genai-cost/clickhouse';
import { withAttribution } from '@genai-cost/otel';
import type { Attribution } from '@genai-cost/otel';
import { createTestTracing } from '../packages/clickhouse/src/test-support/tracing.js';
import { runCli } from '../packages/cli/src/test-support/runCli.js';

/**
 * Cost by tag, from `withAttribution({ tags })` through the real OpenTelemetry SDK, the genai-cost
 * processor (gpt-test: $2 per million input tokens) and the exporter into chDB, to
 * `reportByTag` and `genai-cost report --by tag:KEY`. The window starts and ends inside a day, so
 * its whole days come from the tag rollup and its first and last hours from raw spans.
 */

const dir = mkdtempSync(join(tmpdir(), 'genai-cost-tags-'));
const url = `chdb:${join(dir, 'chdb')}`;
const DATABASE = 'tags';
const WINDOW = { from: new Date('2026-11-15T06:00:00Z'), to: new Date('2026-11-22T12:00:00Z') };

/** A call costing `usd` (input tokens at $2 per million), or an unpriced one. */
const call = (usd: number | 'unpriced') => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': usd === 'unpriced' ? 'no-such-model' : 'gpt-test',
  'gen_ai.usage.input_tokens': usd === 'unpriced' ? 1000 : usd * 500_000,
  'gen_ai.usage.output_tokens': 0,
});

/**
 * region eu: u1 $1 × 3 (one on each partial day), u2 $2 → 4 calls, 2 users, $5;
 * region apac: account-level work of acme, $3 → 1 call, no user;
 * region us: u3 $0.50 × 2, u5 one unpriced call → 3 calls, 2 users, $1, 1 unpriced.
 * Share of the $9 with a region: eu 5/9, apac 3/9, us 1/9. plan_variant a: u1 $3; b: u2 and u3, $3.
 * Not counted: u4 without tags ($5), and u1's $10 the day before the window.
 */
const CALLS: [string, Attribution, Attribution, number | 'unpriced'][] = [
  ['2026-11-15T10:00:00Z', { userId: 'u1', tier: 'solo', tags: { region: 'eu' } }, { feature: 'chat', tags: { plan_variant: 'a' } }, 1],
  ['2026-11-17T10:00:00Z', { userId: 'u1', tier: 'solo', tags: { region: 'eu' } }, { feature: 'chat', tags: { plan_variant: 'a' } }, 1],
  ['2026-11-22T09:00:00Z', { userId: 'u1', tier: 'solo', tags: { region: 'eu' } }, { feature: 'chat', tags: { plan_variant: 'a' } }, 1],
  ['2026-11-18T10:00:00Z', { userId: 'u2', tier: 'team', tags: { region: 'eu', plan_variant: 'b' } }, {}, 2],
  ['2026-11-16T10:00:00Z', { userId: 'u3', tier: 'free', tags: { region: 'us' } }, { tags: { plan_variant: 'b' } }, 0.5],
  ['2026-11-20T10:00:00Z', { userId: 'u3', tier: 'free', tags: { region: 'us' } }, { tags: { plan_variant: 'b' } }, 0.5],
  ['2026-11-19T10:00:00Z', { userId: 'u5', tier: 'free', tags: { region: 'us' } }, {}, 'unpriced'],
  ['2026-11-21T10:00:00Z', { tenantId: 'acme', tier: 'team', tags: { region: 'apac' } }, {}, 3],
  ['2026-11-18T10:00:00Z', { userId: 'u4', tier: 'team' }, {}, 5],
  ['2026-11-14T10:00:00Z', { userId: 'u1', tier: 'solo', tags: { region: 'eu' } }, {}, 10],
];

const BY_REGION: TagRow[] = [
  { tagValue: 'eu', calls: 4, activeUsers: 2, costUsd: 5, avgCostPerCallUsd: 1.25, costPerUserUsd: 2.5, costSharePct: (100 * 5) / 9, unpricedCalls: 0 },
  { tagValue: 'apac', calls: 1, activeUsers: 0, costUsd: 3, avgCostPerCallUsd: 3, costPerUserUsd: null, costSharePct: (100 * 3) / 9, unpricedCalls: 0 },
  { tagValue: 'us', calls: 3, activeUsers: 2, costUsd: 1, avgCostPerCallUsd: 0.5, costPerUserUsd: 0.5, costSharePct: (100 * 1) / 9, unpricedCalls: 1 },
];

const env = { CLICKHOUSE_URL: url };
const cli = (...argv: string[]) => runCli(['report', '--database', DATABASE, '--from', WINDOW.from.toISOString(), '--to', WINDOW.to.toISOString(), ...argv], { env, cwd: dir });

/** Rows with their floating-point percentages rounded, so hand-computed thirds compare. */
const rounded = (rows: readonly TagRow[]) => rows.map((r) => ({ ...r, costSharePct: r.costSharePct === null ? null : Number(r.costSharePct.toFixed(9)) }));

beforeAll(async () => {
  const { client, close } = await createClickHouseClient({ url });
  try {
    await migrate(client, { database: DATABASE });
    const exporter = new ClickHouseSpanExporter({ client, database: DATABASE });
    const t = createTestTracing([new BatchSpanProcessor(exporter)]);
    const tracer = t.provider.getTracer('test-instrumentation');
    for (const [at, outer, inner, usd] of CALLS) {
      withAttribution(outer, () => withAttribution(inner, () => tracer.startSpan('chat', { kind: SpanKind.CLIENT, startTime: new Date(at), attributes: call(usd) }).end()));
    }
    await t.provider.forceFlush();
    await exporter.shutdown();
    await t.close();
  } finally {
    await close();
  }
}, 60_000);

describe('cost by tag', () => {
  it('reportByTag: per value, the spans carrying the tag, whole days from the rollup and the edges raw', async () => {
    const { client, close } = await createClickHouseClient({ url });
    try {
      expect(rounded(await reportByTag(client, DATABASE, { ...WINDOW, tagKey: 'region' }))).toEqual(rounded(BY_REGION));
      const variants = await reportByTag(client, DATABASE, { ...WINDOW, tagKey: 'plan_variant' });
      expect(variants.map((r) => [r.tagValue, r.calls, r.activeUsers, r.costUsd, r.costSharePct])).toEqual([
        ['a', 3, 1, 3, 50],
        ['b', 3, 2, 3, 50],
      ]);
      expect(await reportByTag(client, DATABASE, { ...WINDOW, tagKey: 'no_such_tag' })).toEqual([]);
      // The same metric over raw spans only gives the same rows.
      const { ctx, params } = bindWindow(DATABASE, WINDOW);
      expect(ctx.dayFilter).toBeDefined();
      const raw = await runMetric<TagRow>(client, METRICS.tagCost, { ...ctx, dayFilter: undefined, tagKey: '{tagKey:String}' }, { ...params, tagKey: 'region' }, ['costUsd']);
      expect(raw.map((r) => [r.tagValue, r.costUsd])).toEqual(BY_REGION.map((r) => [r.tagValue, r.costUsd]));
      await expect(reportByTag(client, DATABASE, { ...WINDOW, tagKey: "region' OR 1=1" })).rejects.toThrow(RangeError);
    } finally {
      await close();
    }
  });

  it('genai-cost report --by tag:region prints the same figures', async () => {
    const json = await cli('--by', 'tag:region', '--format', 'json');
    expect(json.stderr).toBe('');
    expect(rounded(JSON.parse(json.stdout) as TagRow[])).toEqual(rounded(BY_REGION));
    const table = await cli('--by', 'tag:region');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('Cost per value of tag region');
    expect(table.stdout).toMatch(/\neu +4 +2 +\$5\.00 +\$1\.25 +\$2\.50 +55\.6 ?% +0\n/);
    expect(table.stdout).toMatch(/\nus +3 +2 +\$1\.00 +\$0\.50 +\$0\.50 +11\.1 ?% +1\n/);
    const csv = await cli('--by', 'tag:plan_variant', '--format', 'csv');
    expect(csv.stdout.split('\n').slice(0, 3)).toEqual(['tagValue,calls,activeUsers,costUsd,avgCostPerCallUsd,costPerUserUsd,costSharePct,unpricedCalls', 'a,3,1,3,1,3,50,0', 'b,3,2,3,1,1.5,50,0']);
  });

  it('refuses a key no tag can have, with exit status 2', async () => {
    const run = await cli('--by', 'tag:bad key');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--by tag:KEY: expected a tag key/);
  });
});

