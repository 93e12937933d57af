import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { connectionOptions, databaseNamed, describeTarget, isDefaultStore, withClickHouse } from './connect.js';
import { CliError } from './errors.js';

const fromFile = parseConfig({ clickhouse: { url: 'http://file:8123', username: 'file', password: 'pw', database: 'from_file' } }, 'plan');

describe('connectionOptions', () => {
  it('takes the flag, then the environment, then the plan file, then the defaults', () => {
    expect(connectionOptions(parseConfig({}, 'plan'), {}, undefined)).toEqual({ database: 'genai_cost' });
    expect(connectionOptions(fromFile, {}, undefined)).toEqual({ url: 'http://file:8123', username: 'file', password: 'pw', database: 'from_file' });
    const env = { CLICKHOUSE_URL: 'http://env:8123', CLICKHOUSE_USER: 'env', CLICKHOUSE_PASSWORD: 'envpw', CLICKHOUSE_DATABASE: 'from_env' };
    expect(connectionOptions(fromFile, env, undefined)).toEqual({ url: 'http://env:8123', username: 'env', password: 'envpw', database: 'from_env' });
    expect(connectionOptions(fromFile, env, 'from_flag').database).toBe('from_flag');
    expect(connectionOptions(fromFile, { CLICKHOUSE_URL: '' }, undefined).url).toBe('http://file:8123');
  });

  it('knows when nothing named the database or the store', () => {
    const none = parseConfig({}, 'plan');
    expect(databaseNamed(none, {}, undefined)).toBe(false);
    expect(databaseNamed(none, {}, 'd')).toBe(true);
    expect(databaseNamed(none, { CLICKHOUSE_DATABASE: 'd' }, undefined)).toBe(true);
    expect(databaseNamed(parseConfig({ clickhouse: { database: 'd' } }, 'plan'), {}, undefined)).toBe(true);
    expect(isDefaultStore({ database: 'genai_cost', url: 'chdb:.genai-cost/chdb' })).toBe(true);
    expect(isDefaultStore({ database: 'genai_cost', url: 'chdb:/elsewhere' })).toBe(false);
    expect(isDefaultStore({ database: 'genai_cost', url: 'http://localhost:8123' })).toBe(false);
  });

  it('describes the target without credentials', () => {
    expect(describeTarget({ database: 'd' })).toBe('embedded chDB in .genai-cost/chdb, database d');
    expect(describeTarget({ url: 'chdb:/tmp/x', database: 'd' })).toBe('embedded chDB in /tmp/x, database d');
    expect(describeTarget({ url: 'https://user:secret@ch.example.com:8443/', password: 'secret', database: 'd' })).toBe('ClickHouse at https://ch.example.com:8443, database d');
  });
});

describe('withClickHouse', () => {
  it('exits 2 for a connection option that cannot work', async () => {
    const err = await withClickHouse('report', { url: 'ftp://nowhere' }, () => Promise.resolve()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliError);
    expect((err as CliError).exitCode).toBe(2);
    expect((err as CliError).message).toMatch(/^genai-cost report: ClickHouse connection option "url": expected http\(s\):\/\/host:port/);
  });

  it('exits 1 for a failure while running, naming the target and the cause chain once', async () => {
    const cause = Object.assign(new Error('Code: 81. DB::Exception: Database nope does not exist. (UNKNOWN_DATABASE)'), { type: 'UNKNOWN_DATABASE' });
    const err = await withClickHouse('report', { url: 'http://127.0.0.1:9', database: 'nope' }, () => {
      throw Object.assign(new Error('Database nope does not exist.', { cause }), { type: 'UNKNOWN_DATABASE' });
    }).catch((e: unknown) => e);
    expect((err as CliError).exitCode).toBe(1);
    expect((err as CliError).message).toBe(
      'genai-cost report: ClickHouse at http://127.0.0.1:9, database nope: Database nope does not exist. (UNKNOWN_DATABASE); run "genai-cost migrate" first?',
    );
  });

  it('exits 1 with a clear message, before chDB prints its own, when another process holds the chDB directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-cost-locked-'));
    // What chDB writes into <dir>/status while it holds the directory; the parent process is alive.
    writeFileSync(join(dir, 'status'), `PID: ${process.ppid}\nStarted at: 2026-11-22 12:00:00\nRevision: 54513\n`);
    const err = await withClickHouse('report', { url: `chdb:${dir}`, database: 'genai_cost' }, () => Promise.resolve()).catch((e: unknown) => e);
    expect((err as CliError).exitCode).toBe(1);
    expect((err as CliError).message).toBe(
      `genai-cost report: the embedded chDB in ${dir} is in use by another process (pid ${process.ppid}), such as a running "genai-cost demo": ` +
        'chDB lets one process open a directory at a time. Wait for it to finish or stop it, or set CLICKHOUSE_URL to a ClickHouse server.',
    );
  });

  it('opens a chDB directory whose status file a crashed process left behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genai-cost-stale-'));
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(dir, 'status'), `PID: ${gone}\nStarted at: 2026-11-22 12:00:00\nRevision: 54513\n`);
    const one = await withClickHouse('report', { url: `chdb:${dir}`, database: 'genai_cost' }, async ({ client }) => {
      const result = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
      return (await result.json<{ one: number }>())[0]!.one;
    });
    expect(one).toBe(1);
  });
});
