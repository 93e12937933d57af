import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { DiagLogger } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { PriceCatalog } from './catalog.js';
import { loadCatalog } from './loadCatalog.js';
import { oneModelCatalog } from './test-support/catalogFile.js';

const dir = mkdtempSync(join(tmpdir(), 'genai-cost-catalog-'));
const newer = oneModelCatalog('acme-1', 1, 2);
let body = JSON.stringify(newer);
let status = 200;
let requests = 0;
let server: Server;
let url: string;
const warn = vi.fn();

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prices.json`;
  diag.setLogger({ warn, error: vi.fn(), info: vi.fn(), debug: vi.fn(), verbose: vi.fn() } as DiagLogger);
});
afterAll(async () => {
  diag.disable();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  body = JSON.stringify(newer);
  status = 200;
  warn.mockClear();
});

describe('loadCatalog', () => {
  it('loads a newer catalog from a URL, validates it and caches it on disk', async () => {
    const cacheDir = join(dir, 'cache-a');
    const loaded = await loadCatalog({ source: url, cacheDir });
    expect(loaded.from).toBe('url');
    expect(loaded.catalog.resolve('acme-1')?.period.output).toBe(2);
    const [cached] = readdirSync(cacheDir);
    expect(JSON.parse(readFileSync(join(cacheDir, cached!), 'utf8'))).toEqual(newer);
  });

  it('uses a fresh cached copy without fetching', async () => {
    const cacheDir = join(dir, 'cache-b');
    await loadCatalog({ source: url, cacheDir });
    const before = requests;
    const loaded = await loadCatalog({ source: url, cacheDir });
    expect(loaded.from).toBe('cache');
    expect(requests).toBe(before);
  });

  it('falls back to the cached copy when the URL fails, with a warning', async () => {
    const cacheDir = join(dir, 'cache-c');
    await loadCatalog({ source: url, cacheDir });
    status = 503;
    const loaded = await loadCatalog({ source: url, cacheDir, maxAgeMs: 0 });
    expect(loaded.from).toBe('cache');
    expect(loaded.catalog.find('acme-1')).toBeDefined();
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/HTTP 503.*using the copy cached at/));
  });

  it('falls back to the bundled catalog when the catalog is invalid and nothing is cached', async () => {
    body = JSON.stringify({ ...newer, models: [{ ...newer.models[0]!, prices: [{ effectiveFrom: '2026-12-01', input: -1, output: 2 }] }] });
    const loaded = await loadCatalog({ source: url, cacheDir: join(dir, 'cache-d') });
    expect(loaded.from).toBe('bundled');
    expect(loaded.catalog).toBe(PriceCatalog.builtin());
    expect(loaded.warning).toMatch(/entry "acme\/acme-1".*input.*using the bundled catalog/);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('loads a catalog file, and falls back when it is unreadable', async () => {
    const file = join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify(newer));
    expect((await loadCatalog({ source: file })).catalog.find('acme-1')?.id).toBe('acme/acme-1');
    const missing = await loadCatalog({ source: join(dir, 'missing.json') });
    expect(missing.from).toBe('bundled');
    expect(missing.warning).toMatch(/missing\.json/);
  });

  it('rejects invalid options naming the field', async () => {
    await expect(loadCatalog({ source: '' })).rejects.toThrow(/loadCatalog option source: expected a URL or a file path/);
  });
});
