import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { diag } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClickHouseConfigError } from './errors.js';
import { SpanQueue } from './SpanQueue.js';
import { Spool } from './spool.js';
import { FakeClickHouseServer } from './test-support/FakeClickHouseServer.js';
import { testRows, until } from './test-support/rows.js';

const SPANS = 'genai_cost.genai_spans';
const FAST = { retryInitialMs: 5, retryMaxMs: 40, insertTimeoutMs: 300, shutdownTimeoutMs: 2_000 };
const ROOT = join(import.meta.dirname, '..', '..', '..');

let server: FakeClickHouseServer;
let client: ClickHouseClient;
let dir: string;
let errors: ReturnType<typeof vi.fn>;

beforeEach(async () => {
  server = new FakeClickHouseServer();
  client = createClient({ url: await server.start(), log: { level: ClickHouseLogLevel.OFF } });
  dir = mkdtempSync(join(tmpdir(), 'genai-cost-spool-test-'));
  errors = vi.fn();
  diag.setLogger({ error: errors, warn: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() } as DiagLogger);
});
afterEach(async () => {
  await client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  diag.disable();
});

const segments = () => readdirSync(dir).filter((f) => f.endsWith('.seg')).sort();

describe('SpanQueue with a spool', () => {
  it('stores every span acknowledged by a process killed with SIGKILL exactly once, from the next process on the same spool', async () => {
    // Stored by the server but never answered: the killed process cannot know these were stored.
    await server.setMode('store-then-drop');
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@genai-cost/source', join(import.meta.dirname, 'test-support', 'spoolChild.ts'), server.url, dir], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked: string[] = [];
    let stderr = '';
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line.startsWith('acked ')) acked.push(...line.slice(6).split(','));
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await until(`2,000 acknowledged spans and stored-then-dropped inserts (child stderr: ${stderr})`, () => acked.length >= 2_000 && server.requests['store-then-drop'] >= 3, 60_000);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const storedBeforeKill = server.stored(SPANS).length;
    expect(storedBeforeKill).toBeGreaterThan(0);

    await server.setMode('ok');
    const queue = new SpanQueue({ client, spoolDir: dir, ...FAST });
    expect(queue.getStats().replayedSpans).toBeGreaterThanOrEqual(acked.length);
    await queue.forceFlush();
    await queue.shutdown();
    const counts = new Map<string, number>();
    for (const r of server.stored(SPANS)) counts.set(r.SpanId, (counts.get(r.SpanId) ?? 0) + 1);
    for (const id of acked) expect(counts.get(id), id).toBe(1);
    expect(server.duplicates(SPANS)).toBe(0);
    // Everything sent, so every segment but the last one written is gone.
    expect(segments().length).toBeLessThanOrEqual(1);
  }, 90_000);

  it('skips a torn record at the end of a segment and keeps every whole batch', async () => {
    await server.setMode('refuse');
    const first = new SpanQueue({ client, spoolDir: dir, ...FAST, shutdownTimeoutMs: 1 });
    const rows = [testRows(10), testRows(10)];
    for (const r of rows) await first.enqueue(r);
    await first.shutdown();
    // A crash in the middle of a write leaves part of a record.
    appendFileSync(join(dir, segments().at(-1)!), Buffer.concat([Buffer.from('GCS1'), Buffer.from([1, 0xff, 0xff, 0, 0]), Buffer.from('garbag')]));
    await server.setMode('ok');
    const second = new SpanQueue({ client, spoolDir: dir, ...FAST });
    expect(second.getStats()).toMatchObject({ replayedSpans: 20, spoolDamagedBytes: 15 });
    expect(errors.mock.calls[0]![0]).toMatch(/skipped 15 damaged bytes in the spool/);
    await second.forceFlush();
    await second.shutdown();
    expect(server.stored(SPANS).map((r) => r.SpanId).sort()).toEqual(rows.flat().map((r) => r.SpanId).sort());
  });

  it('does not replay a batch already stored and acknowledged, and deletes segments once sent', async () => {
    const q = new SpanQueue({ client, spoolDir: dir, ...FAST, spoolSegmentBytes: 4_000 });
    for (let i = 0; i < 10; i++) await q.enqueue(testRows(10));
    await q.forceFlush();
    await until('old segments deleted', () => segments().length <= 1);
    await q.shutdown();
    const again = new SpanQueue({ client, spoolDir: dir, ...FAST });
    expect(again.getStats().replayedSpans).toBe(0);
    await again.shutdown();
    expect(server.stored(SPANS)).toHaveLength(100);
  });

  it('writes an append that arrives while the previous write is finishing, whatever the timing', async () => {
    const { spool } = Spool.open({ dir, segmentBytes: 1 << 20, sync: false, memoryBytes: 0 });
    const stalled = (p: Promise<unknown>) => Promise.race([p.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), 5_000))]);
    // Each append is issued a different number of microtasks after the previous one resolved, so
    // one of them lands between the write loop's last look at its queue and its end.
    for (let hops = 0; hops < 40; hops++) {
      await spool.append(Buffer.from(`batch ${hops}`));
      for (let i = 0; i < hops; i++) await Promise.resolve();
      expect(await stalled(spool.append(Buffer.from(`batch ${hops}b`))), `after ${hops} microtasks`).toBe(false);
    }
    await spool.close();
  });

  it('refuses a spool directory held by another live process, and takes over the lock of a dead one', async () => {
    writeFileSync(join(dir, 'LOCK'), String(process.ppid));
    expect(() => new SpanQueue({ client, spoolDir: dir })).toThrow(ClickHouseConfigError);
    expect(() => new SpanQueue({ client, spoolDir: dir })).toThrow(/"spoolDir": .* is in use by process \d+/);
    writeFileSync(join(dir, 'LOCK'), '999999999');
    const q = new SpanQueue({ client, spoolDir: dir, ...FAST });
    await q.shutdown();
  });
});
