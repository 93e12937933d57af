import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { SpanQueue } from '@genai-cost/clickhouse';
import type { ReceiverQueue } from '@genai-cost/receiver';
import { fixed64, kv, len, request, span, vint } from './protobuf.js';
import { ReceiverChdb, SpanKind, SwitchableClient, otlpApp, startReceiver } from './support.js';

const ch = new ReceiverChdb();
afterAll(() => ch.close());

const NOW_NS = BigInt(Date.UTC(2026, 10, 1, 12)) * 1_000_000n;
let next = 1;
const hexId = (bytes: number) => (next++).toString(16).padStart(bytes * 2, '0');

/** An OTLP/JSON span of a priced model call: 1000 input and 100 output tokens of gpt-test = $0.0028. */
function jsonSpan(over: Record<string, unknown> = {}) {
  return {
    traceId: hexId(16),
    spanId: hexId(8),
    name: 'chat gpt-test',
    kind: 3,
    startTimeUnixNano: String(NOW_NS),
    endTimeUnixNano: String(NOW_NS + 1_000_000n),
    attributes: [
      { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
      { key: 'gen_ai.request.model', value: { stringValue: 'gpt-test' } },
      { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
      { key: 'gen_ai.usage.input_tokens', value: { intValue: '1000' } },
      { key: 'gen_ai.usage.output_tokens', value: { intValue: 100 } },
    ],
    ...over,
  };
}

function jsonRequest(spans: unknown[], extra: Record<string, unknown> = {}) {
  return { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: { name: 's' }, spans }] }], ...extra };
}

async function post(url: string, body: Buffer | string, headers: Record<string, string>) {
  const res = await fetch(`${url}/v1/traces`, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) as Record<string, unknown> };
}
const JSON_TYPE = { 'content-type': 'application/json' };
const PROTO_TYPE = { 'content-type': 'application/x-protobuf' };

async function count(database: string): Promise<number> {
  const [row] = await ch.rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${database}.genai_spans`);
  return Number(row!.n);
}

describe('OTLP/HTTP protocol', () => {
  it('ignores unknown fields at every level, in JSON and in protobuf', async () => {
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database);
    const withUnknown = jsonRequest([jsonSpan({ futureField: { nested: [1, 2] }, status: { code: 0, extra: true } })], { somethingNew: 1 });
    (withUnknown.resourceSpans[0] as Record<string, unknown>).unknownList = [];
    expect((await post(url, JSON.stringify(withUnknown), JSON_TYPE)).status).toBe(200);

    const proto = request([kv('service.name', 'svc')], 's', [
      span({ traceId: hexId(16), spanId: hexId(8), start: NOW_NS, end: NOW_NS, name: 'chat gpt-test', attributes: [kv('gen_ai.operation.name', 'chat'), kv('gen_ai.request.model', 'gpt-test'), kv('gen_ai.usage.input_tokens', 1000n), kv('gen_ai.usage.output_tokens', 100n)], extra: [vint(99, 7), len(100, 'future'), fixed64(101, 1n)] }),
    ], [len(77, 'unknown top-level field')]);
    const res = await post(url, proto, PROTO_TYPE);
    await receiver.shutdown();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(res.bytes.length).toBe(0);
    expect(await ch.rows(`SELECT toString(CostUsd) AS cost FROM ${database}.genai_spans`)).toEqual([{ cost: '0.0028' }, { cost: '0.0028' }]);
  });

  it('reads hex ids and int64 values given as strings or numbers', async () => {
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database);
    const traceId = '5B8EFFF798038103D269B633813FC60C';
    const s = jsonSpan({ traceId, spanId: 'EEE19B7EC3C1B174', parentSpanId: 'EEE19B7EC3C1B173', startTimeUnixNano: Number(NOW_NS), endTimeUnixNano: String(NOW_NS + 2_500_000_123n) });
    const res = await post(url, JSON.stringify(jsonRequest([s])), JSON_TYPE);
    await receiver.shutdown();
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({});
    expect(await ch.rows(`SELECT TraceId, SpanId, ParentSpanId, InputTokens, OutputTokens, DurationNs, toUnixTimestamp64Milli(Timestamp) AS ms FROM ${database}.genai_spans`)).toEqual([
      { TraceId: traceId.toLowerCase(), SpanId: 'eee19b7ec3c1b174', ParentSpanId: 'eee19b7ec3c1b173', InputTokens: 1000, OutputTokens: 100, DurationNs: 2_500_000_123, ms: Date.UTC(2026, 10, 1, 12) },
    ]);
  });

  it('answers an empty request with an empty success', async () => {
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database);
    const json = await post(url, '{}', JSON_TYPE);
    const proto = await post(url, Buffer.alloc(0), PROTO_TYPE);
    await receiver.shutdown();
    expect([json.status, json.json()]).toEqual([200, {}]);
    expect([proto.status, proto.bytes.length]).toEqual([200, 0]);
  });

  it('answers 400 to a corrupt body, never retried, in the request\'s format', async () => {
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database);
    const garbage = await post(url, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), PROTO_TYPE);
    const notJson = await post(url, '{"resourceSpans": [', JSON_TYPE);
    const wrongShape = await post(url, JSON.stringify({ resourceSpans: {} }), JSON_TYPE);
    const badGzip = await post(url, Buffer.from([0x1f, 0x8b, 0x08, 0, 1, 2, 3]), { ...PROTO_TYPE, 'content-encoding': 'gzip' });
    await receiver.shutdown();
    expect([garbage.status, notJson.status, wrongShape.status, badGzip.status]).toEqual([400, 400, 400, 400]);
    expect(notJson.json()).toMatchObject({ code: 3, message: expect.stringContaining('not JSON') });
    expect(garbage.bytes.includes(Buffer.from('truncated'))).toBe(true);
    expect(await count(database)).toBe(0);
  });

  it('answers 413 to a body over the limit, before or after decompression, and 415 to what it cannot read', async () => {
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database, { maxBodyBytes: 4096 });
    const big = JSON.stringify(jsonRequest([jsonSpan({ name: 'x'.repeat(10_000) })]));
    const raw = await post(url, big, JSON_TYPE);
    const bomb = gzipSync(big);
    expect(bomb.length).toBeLessThan(4096);
    const gzipped = await post(url, bomb, { ...JSON_TYPE, 'content-encoding': 'gzip' });
    const zstd = await post(url, '{}', { ...JSON_TYPE, 'content-encoding': 'zstd' });
    const text = await post(url, 'hello', { 'content-type': 'text/plain' });
    await receiver.shutdown();
    expect([raw.status, gzipped.status, zstd.status, text.status]).toEqual([413, 413, 415, 415]);
    expect(gzipped.json().message).toContain('after decompression');
    expect(zstd.json().message).toContain('compression: gzip');
  });

  it('stores the good spans of a partly bad request and reports the exact rejected count', async () => {
    const database = await ch.database();
    const { receiver, url } = await startReceiver(ch.client, database);
    const spans = [
      jsonSpan(),
      jsonSpan({ traceId: '00000000000000000000000000000000' }),
      jsonSpan(),
      jsonSpan({ spanId: 'abc' }),
      jsonSpan({ startTimeUnixNano: '0' }),
      jsonSpan(),
    ];
    const res = await post(url, JSON.stringify(jsonRequest(spans)), JSON_TYPE);
    const proto = await post(url, request([], 's', [span({ traceId: hexId(16), spanId: '', start: NOW_NS, end: NOW_NS, name: 'chat', attributes: [] })]), PROTO_TYPE);
    await receiver.shutdown();
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      partialSuccess: { rejectedSpans: '3', errorMessage: '3 spans rejected: 1 with trace_id is not 16 non-zero bytes; 1 with span_id is not 8 non-zero bytes; 1 with start_time_unix_nano is 0' },
    });
    // ExportTraceServiceResponse { partial_success (1) { rejected_spans (1) = 1, error_message (2) } }
    expect(proto.status).toBe(200);
    expect([...proto.bytes.subarray(0, 4)]).toEqual([0x0a, proto.bytes.length - 2, 0x08, 0x01]);
    expect(await count(database)).toBe(3);
    expect(receiver.getStats()).toMatchObject({ receivedSpans: 7, rejectedSpans: 4, acceptedSpans: 3 });
  });

  it('answers 503 with Retry-After while ClickHouse is away, and stores a re-sent request once', async () => {
    const database = await ch.database();
    const client = new SwitchableClient(ch.client);
    const { receiver, url } = await startReceiver(client, database);
    client.mode = 'down';
    // Taken before any insert has failed: the queue keeps it and retries until ClickHouse is back.
    expect((await post(url, JSON.stringify(jsonRequest([jsonSpan()])), JSON_TYPE)).status).toBe(200);
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 5_000 }).toBe(503);
    const body = JSON.stringify(jsonRequest([jsonSpan(), jsonSpan()]));
    const away = await post(url, body, JSON_TYPE);
    expect([away.status, away.headers.get('retry-after')]).toEqual([503, '1']);
    expect(away.json()).toMatchObject({ code: 14, message: expect.stringContaining('ClickHouse cannot be written now') });
    client.mode = 'up';
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 5_000 }).toBe(200);
    // The client sends it again, and once more as if the answer had been lost.
    expect((await post(url, body, JSON_TYPE)).status).toBe(200);
    expect((await post(url, body, JSON_TYPE)).status).toBe(200);
    await receiver.shutdown();
    expect(await count(database)).toBe(3);
    expect(await ch.rows(`SELECT toString(sum(Calls)) AS calls FROM ${database}.genai_user_daily`)).toEqual([{ calls: '3' }]);
    expect(receiver.getStats()).toMatchObject({ refusedRequests: { unavailable: 1 }, acceptedSpans: 5 });
  });

  it('stores a batch once when ClickHouse committed it but the answer was lost', async () => {
    const database = await ch.database();
    const client = new SwitchableClient(ch.client);
    const { receiver, url } = await startReceiver(client, database);
    client.mode = 'commit-then-fail';
    expect((await post(url, JSON.stringify(jsonRequest([jsonSpan(), jsonSpan()])), JSON_TYPE)).status).toBe(200);
    await receiver.shutdown();
    expect(client.inserts).toBe(2);
    expect(await count(database)).toBe(2);
  });

  it('lets a real OTLP exporter retry after a 503 and stores its spans once', async () => {
    const database = await ch.database();
    const client = new SwitchableClient(ch.client);
    const { receiver, url } = await startReceiver(client, database);
    client.mode = 'down';
    expect((await post(url, JSON.stringify(jsonRequest([jsonSpan()])), JSON_TYPE)).status).toBe(200);
    await expect.poll(async () => (await fetch(`${url}/readyz`)).status, { timeout: 5_000 }).toBe(503);
    const app = otlpApp({ url, encoding: 'protobuf', gzip: true });
    try {
      const sent = app.send([{ name: 'chat gpt-test', kind: SpanKind.CLIENT, scope: 'app', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-test', 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 1 } }]);
      await expect.poll(() => receiver.getStats().refusedRequests.unavailable, { timeout: 5_000 }).toBe(1);
      client.mode = 'up';
      await sent;
    } finally {
      await app.shutdown();
      await receiver.shutdown();
    }
    expect(receiver.getStats().requests[200]).toBe(2);
    expect(await count(database)).toBe(2);
  });

  it('answers 429 with Retry-After when its queue bound is hit', async () => {
    const database = await ch.database();
    const client = new SwitchableClient(ch.client);
    const { receiver, url } = await startReceiver(client, database, {}, { maxQueueBytes: 1_500 });
    client.hold();
    const first = await post(url, JSON.stringify(jsonRequest([jsonSpan(), jsonSpan()])), JSON_TYPE);
    await expect.poll(() => client.inserts, { timeout: 5_000 }).toBe(1);
    const second = await post(url, JSON.stringify(jsonRequest([jsonSpan(), jsonSpan(), jsonSpan()])), JSON_TYPE);
    client.release();
    await receiver.shutdown();
    expect(first.status).toBe(200);
    expect([second.status, second.headers.get('retry-after')]).toEqual([429, '1']);
    expect(second.json()).toMatchObject({ code: 8, message: expect.stringContaining('the span queue is full') });
    expect(await count(database)).toBe(2);
  });

  it('checks a bearer token when one is configured', async () => {
    const database = await ch.database();
    const token = 's3cret-token-of-some-length';
    const { receiver, url } = await startReceiver(ch.client, database, { bearerToken: token });
    const none = await post(url, '{}', JSON_TYPE);
    const wrong = await post(url, '{}', { ...JSON_TYPE, authorization: 'Bearer s3cret-token-of-some-lengtH' });
    const right = await post(url, '{}', { ...JSON_TYPE, authorization: `Bearer ${token}` });
    await receiver.shutdown();
    expect([none.status, wrong.status, right.status]).toEqual([401, 401, 200]);
  });

  it('serves health and readiness, finishes requests in progress on shutdown, then sends what is queued', async () => {
    const database = await ch.database();
    const client = new SwitchableClient(ch.client);
    const queue = new SpanQueue({ client, database, retryInitialMs: 20 });
    // The queue holds the request in progress until `open()`: a shutdown begins meanwhile.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let enqueued = 0;
    const gated: ReceiverQueue = {
      enqueue: async (rows, options) => {
        enqueued++;
        await gate;
        return queue.enqueue(rows, options);
      },
      readiness: () => queue.readiness(),
      getStats: () => queue.getStats(),
      shutdown: () => queue.shutdown(),
    };
    const { receiver, url } = await startReceiver(client, database, { queue: gated });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    client.hold();
    const inProgress = post(url, JSON.stringify(jsonRequest([jsonSpan()])), JSON_TYPE);
    await expect.poll(() => enqueued, { timeout: 5_000 }).toBe(1);
    const stopped = receiver.shutdown();
    expect(String((await post(url, '{}', JSON_TYPE).catch(() => ({ status: 'refused' }))).status)).toMatch(/^(503|refused)$/);
    open();
    expect((await inProgress).status).toBe(200);
    await expect.poll(() => client.inserts, { timeout: 5_000 }).toBe(1);
    client.release();
    await stopped;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(await count(database)).toBe(1);
  });
});
