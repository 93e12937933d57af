import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe('npm run soak', () => {
  it('runs as the README says, here for a few seconds with a short outage, and loses nothing', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', 'soak', '--', '--rate', '300', '--seconds', '4', '--outage', '2'], { cwd: ROOT, timeout: 120_000 });
    expect(stdout).toMatch(/soak: 300 spans\/s for 4 s; ClickHouse away from 1 s to 3 s \(refused, then 503\)/);
    const m = /created (\d+) \/ stored (\d+) \/ duplicates (\d+) \/ lost (\d+) \/ peak RSS \d+ MiB/.exec(stdout);
    expect(m, stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(1_000);
    expect(m!.slice(2).map(Number)).toEqual([Number(m![1]), 0, 0]);
  }, 150_000);
});
