import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBinary, requireBinary } from '../support/binaries.js';
import { ReceiverChdb, startReceiver } from './support.js';

const ch = new ReceiverChdb();
afterAll(() => ch.close());
const openssl = findBinary('openssl');

function post(url: string, ca: Buffer, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/traces`, { method: 'POST', ca, headers: { 'content-type': 'application/json' }, timeout: 10_000 }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('genai-cost receiver over TLS', () => {
  it('serves HTTPS with the certificate it is given', async () => {
    if (!requireBinary(openssl, 'openssl', 'apt-get install openssl')) return;
    const dir = mkdtempSync(join(tmpdir(), 'genai-cost-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync(openssl!, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database, { tls: { cert: readFileSync(cert), key: readFileSync(key) } });
    try {
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(await post(url, readFileSync(cert), '{}')).toEqual({ status: 200, text: '{}' });
    } finally {
      await receiver.shutdown();
    }
  });
});
