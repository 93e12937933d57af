import { describe, expect, it } from 'vitest';
import { decodeJsonRequest } from './decodeJson.js';
import { OtlpDecodeError } from './errors.js';

const body = (spans: unknown[], resource: unknown = undefined) =>
  Buffer.from(JSON.stringify({ resourceSpans: [{ resource, scopeSpans: [{ scope: { name: 'sc', version: '1.2' }, spans }] }] }));
const span = (over: Record<string, unknown> = {}) => ({
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  name: 'n',
  startTimeUnixNano: '1767225600123456789',
  endTimeUnixNano: '1767225601000000000',
  ...over,
});

describe('decodeJsonRequest', () => {
  it('splits nanosecond strings exactly and maps kinds, statuses and scopes', () => {
    const [s] = decodeJsonRequest(body([span({ kind: 'SPAN_KIND_CLIENT', status: { code: 2, message: 'boom' }, flags: 257 })])).spans;
    expect(s!.startTime).toEqual([1_767_225_600, 123_456_789]);
    expect(s!.duration).toEqual([0, 876_543_211]);
    expect(s!.kind).toBe(2);
    expect(s!.status).toEqual({ code: 2, message: 'boom' });
    expect(s!.spanContext().traceFlags).toBe(1);
    expect(s!.instrumentationScope).toEqual({ name: 'sc', version: '1.2' });
  });

  it('converts every AnyValue form to a span attribute value', () => {
    const attributes = [
      { key: 's', value: { stringValue: 'x' } },
      { key: 'b', value: { boolValue: true } },
      { key: 'i', value: { intValue: '-42' } },
      { key: 'd', value: { doubleValue: 'Infinity' } },
      { key: 'a', value: { arrayValue: { values: [{ stringValue: 'p' }, { stringValue: 'q' }] } } },
      { key: 'nested', value: { arrayValue: { values: [{ kvlistValue: { values: [{ key: 'k', value: { intValue: 1 } }] } }] } } },
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'tier', value: { stringValue: 'pro' } }] } } },
      { key: 'bytes', value: { bytesValue: 'AQI=' } },
      { key: 'empty', value: {} },
    ];
    const [s] = decodeJsonRequest(body([span({ attributes })], { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] })).spans;
    expect(s!.attributes).toEqual({ s: 'x', b: true, i: -42, d: Infinity, a: ['p', 'q'], nested: '[{"k":1}]', kv: '{"tier":"pro"}', bytes: 'AQI=' });
    expect(s!.resource.attributes['service.name']).toBe('svc');
  });

  it('refuses a body whose known fields have the wrong shape, naming the field', () => {
    expect(() => decodeJsonRequest(Buffer.from('[]'))).toThrow(OtlpDecodeError);
    expect(() => decodeJsonRequest(body([span({ startTimeUnixNano: 'soon' })]))).toThrow('startTimeUnixNano: expected nanoseconds');
    expect(() => decodeJsonRequest(body([span({ attributes: {} })]))).toThrow('attributes: expected an array');
    expect(() => decodeJsonRequest(body([span({ kind: 'SIDEWAYS' })]))).toThrow('kind: expected a non-negative integer');
  });

  it('rejects spans with bad ids as data, not the request', () => {
    const decoded = decodeJsonRequest(body([span(), span({ traceId: 42 }), span({ spanId: 'zzzzzzzzzzzzzzzz' })]));
    expect([decoded.spans.length, decoded.rejected]).toEqual([1, 2]);
    expect(decoded.errorMessage()).toBe('2 spans rejected: 1 with trace_id is not 16 non-zero bytes; 1 with span_id is not 8 non-zero bytes');
  });
});
