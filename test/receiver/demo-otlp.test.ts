import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SpanQueue, createClickHouseClient } from '@genai-cost/clickhouse';
import { OtlpReceiver } from '@genai-cost/receiver';
import { parseCommand } from '../../packages/cli/src/args.js';
import { OTLP_SERVICE_NAME } from '../../packages/cli/src/demo/otlp.js';
import { main } from '../../packages/cli/src/main.js';
import { memoryLogger } from './support.js';

// One chDB directory for the demo and the receiver: chDB binds one data path per process.
const dir = mkdtempSync(join(tmpdir(), 'genai-cost-demo-otlp-'));
const url = `chdb:${join(dir, 'chdb')}`;
const DATABASE = 'live_demo';
const connection = await createClickHouseClient({ url, database: DATABASE });
afterAll(() => connection.close());

describe('genai-cost demo --continuous --otlp-endpoint', () => {
  it('sends its share of the live sessions over OTLP, unpriced and attributed by span attributes, to a receiver that prices and stores them', async () => {
    const queue = new SpanQueue({ client: connection.client, database: DATABASE, retryInitialMs: 50 });
    const receiver = new OtlpReceiver({ queue, port: 0, logger: memoryLogger() });
    const { url: endpoint } = await receiver.start();
    let stdout = '';
    let stderr = '';
    const stop = new AbortController();
    const exit = main(['demo', '--users', '20', '--days', '1', '--continuous', '--rate', '400', '--otlp-endpoint', endpoint, '--otlp-share', '0.5', '--database', DATABASE], {
      stdout: { write: (t) => void (stdout += t) },
      stderr: { write: (t) => void (stderr += t), isTTY: false },
      env: { CLICKHOUSE_URL: url },
      cwd: dir,
      now: Date.now,
      stop: stop.signal,
    });
    try {
      await expect.poll(() => receiver.getStats().acceptedSpans, { timeout: 20_000, interval: 200 }).toBeGreaterThan(20);
    } finally {
      stop.abort();
    }
    expect(await exit, stderr).toBe(0);
    await receiver.shutdown();
    const sent = Number(/OTLP: (\d+) live spans sent to http:\/\/127\.0\.0\.1:\d+, \1 accepted, 0 not\n/.exec(stdout)?.[1]);
    expect(sent, stdout).toBeGreaterThan(20);
    expect(stdout).toContain(`50 % of the sessions over OTLP/HTTP to ${endpoint}`);
    expect(receiver.getStats()).toMatchObject({ receivedSpans: sent, acceptedSpans: sent, droppedSpans: 0 });

    const rows = await connection.client.query({
      query: `SELECT SpanRole, Priced, UserId != '' AS user, Tier != '' AS tier, Feature != '' AS feature, SessionId != '' AS session, count() AS n
              FROM ${DATABASE}.genai_spans WHERE ServiceName = {service:String} GROUP BY ALL ORDER BY ALL`,
      query_params: { service: OTLP_SERVICE_NAME },
      format: 'JSONEachRow',
    });
    const groups = await rows.json<{ SpanRole: string; Priced: boolean; user: number; tier: number; feature: number; session: number; n: string }>();
    // Every model call priced by the receiver and attributed from the span attributes; agent wrappers not priced again.
    expect(groups.map((g) => ({ ...g, n: undefined }))).toEqual(
      expect.arrayContaining([{ SpanRole: 'inference', Priced: true, user: 1, tier: 1, feature: 1, session: 1, n: undefined }]),
    );
    expect(groups.every((g) => (g.SpanRole === 'inference' && g.Priced) || (g.SpanRole === 'wrapper' && !g.Priced))).toBe(true);
    expect(groups.reduce((n, g) => n + Number(g.n), 0)).toBe(sent);
  });

  it('needs --continuous and an http(s) URL, and a share above 0 and at most 1', () => {
    expect(() => parseCommand(['demo', '--otlp-endpoint', 'http://localhost:4318'], Date.now())).toThrow('--otlp-endpoint needs --continuous');
    expect(() => parseCommand(['demo', '--continuous', '--otlp-endpoint', 'localhost:4318'], Date.now())).toThrow('expected an http(s) URL such as http://localhost:4318');
    expect(() => parseCommand(['demo', '--continuous', '--otlp-endpoint', 'http://c:4318', '--otlp-share', '1.5'], Date.now())).toThrow('above 0 and at most 1');
    expect(() => parseCommand(['demo', '--continuous', '--otlp-share', '0.5'], Date.now())).toThrow('--otlp-share needs --otlp-endpoint');
    expect(parseCommand(['demo', '--continuous', '--otlp-endpoint', 'http://collector:4318/'], Date.now())).toMatchObject({ otlp: { endpoint: 'http://collector:4318', share: 1 } });
  });
});
