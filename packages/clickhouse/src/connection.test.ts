import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createClickHouseClient, resolveConnectionOptions } from './connection.js';
import { ClickHouseConfigError } from './errors.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('resolveConnectionOptions', () => {
  it('defaults to embedded chDB under the working directory and the genai_cost database', () => {
    expect(resolveConnectionOptions({}, {})).toEqual({ kind: 'chdb', path: resolve('.genai-cost', 'chdb'), database: 'genai_cost' });
  });

  it('reads CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD and CLICKHOUSE_DATABASE', () => {
    const env = { CLICKHOUSE_URL: 'https://ch.example.com:8443', CLICKHOUSE_USER: 'writer', CLICKHOUSE_PASSWORD: 's3cret', CLICKHOUSE_DATABASE: 'costs' };
    expect(resolveConnectionOptions({}, env)).toEqual({
      kind: 'server',
      url: 'https://ch.example.com:8443',
      username: 'writer',
      password: 's3cret',
      database: 'costs',
      tls: undefined,
      requestTimeoutMs: 30_000,
    });
  });

  it('lets options beat the environment field by field', () => {
    const r = resolveConnectionOptions({ url: 'http://localhost:8123', database: 'mine' }, { CLICKHOUSE_URL: 'http://other:8123', CLICKHOUSE_USER: 'env-user' });
    expect(r).toMatchObject({ kind: 'server', url: 'http://localhost:8123', username: 'env-user', database: 'mine' });
  });

  it('takes chdb: URLs as absolute or working-directory-relative paths', () => {
    expect(resolveConnectionOptions({ url: 'chdb:/var/lib/costs' }, {})).toMatchObject({ kind: 'chdb', path: '/var/lib/costs' });
    expect(resolveConnectionOptions({}, { CLICKHOUSE_URL: 'chdb:data/ch' })).toMatchObject({ kind: 'chdb', path: resolve('data/ch') });
  });

  it('names the field, where it came from and the expected form on bad input', () => {
    expect(() => resolveConnectionOptions({ url: 'localhost:8123' }, {})).toThrow(ClickHouseConfigError);
    expect(() => resolveConnectionOptions({ url: 'localhost:8123' }, {})).toThrow(/option "url": expected http\(s\):\/\/host:port .* or chdb:\/absolute\/path/);
    expect(() => resolveConnectionOptions({}, { CLICKHOUSE_URL: 'ftp://x' })).toThrow(/\(from CLICKHOUSE_URL\) "url"/);
    expect(() => resolveConnectionOptions({ url: 'chdb:' }, {})).toThrow(/"url"/);
    expect(() => resolveConnectionOptions({ database: 'my-db' }, {})).toThrow(/"database": expected a database name/);
    expect(() => resolveConnectionOptions({ requestTimeoutMs: -1 }, {})).toThrow(/"requestTimeoutMs"/);
    expect(() => resolveConnectionOptions({ url: 'https://h', tls: { caCert: PEM, cert: PEM } }, {})).toThrow(/"tls": expected both cert and key/);
  });

  it('passes TLS settings for a server', () => {
    const r = resolveConnectionOptions({ url: 'https://h:8443', tls: { caCert: PEM, cert: '/etc/c.pem', key: '/etc/k.pem' } }, {});
    expect(r).toMatchObject({ tls: { caCert: PEM, cert: '/etc/c.pem', key: '/etc/k.pem' } });
  });
});

describe('createClickHouseClient', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genai-cost-conn-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('opens embedded chDB at a chdb: path, creating the directory', async () => {
    const path = join(dir, 'nested', 'store');
    const conn = await createClickHouseClient({ url: `chdb:${path}` });
    expect(conn).toMatchObject({ database: 'genai_cost', embedded: true });
    expect(existsSync(path)).toBe(true);
    const rs = await conn.client.query({ query: 'SELECT 1 + 1 AS two', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ two: 2 }]);
    await conn.close();
  });

  it('creates a server client without connecting', async () => {
    const conn = await createClickHouseClient({ url: 'http://127.0.0.1:1', database: 'x' });
    expect(conn).toMatchObject({ database: 'x', embedded: false });
    await conn.close();
  });

  it('reports an unreadable TLS file by field', async () => {
    await expect(createClickHouseClient({ url: 'https://h', tls: { caCert: join(dir, 'missing.pem') } })).rejects.toThrow(/"tls.caCert": expected PEM text or a readable file path/);
  });

  it('tells the user to install chdb or set CLICKHOUSE_URL when chdb cannot be loaded', async () => {
    vi.resetModules();
    vi.doMock('chdb/connection', () => {
      throw new Error("Cannot find package 'chdb'");
    });
    const fresh = await import('./connection.js');
    const attempt = fresh.createClickHouseClient({ url: `chdb:${join(dir, 'other')}` });
    await expect(attempt).rejects.toThrow(/npm install chdb.*CLICKHOUSE_URL/);
    await expect(attempt).rejects.toHaveProperty('cause');
    vi.doUnmock('chdb/connection');
  });
});
