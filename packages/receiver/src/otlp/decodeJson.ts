import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import { DecodedRequest, attributeValue } from './DecodedRequest.js';
import { OtlpDecodeError } from './errors.js';

/** Nesting of arrays and kvlists beyond which a request is refused. */
const MAX_DEPTH = 32;

type Json = Record<string, unknown>;

/**
 * Decodes an `ExportTraceServiceRequest` in OTLP/JSON: the proto3 JSON mapping with OTLP's
 * deviations (ids as hex, enums as integers, keys in lowerCamelCase), 64-bit integers as decimal
 * strings or numbers, unknown fields ignored. A body that is not JSON, or whose known fields have
 * the wrong shape, throws `OtlpDecodeError`.
 */
export function decodeJsonRequest(body: Buffer): DecodedRequest {
  let root: unknown;
  try {
    root = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new OtlpDecodeError(`body is not JSON: ${(err as Error).message}`);
  }
  const out = new DecodedRequest();
  for (const rs of list(object(root, 'request'), 'resourceSpans')) {
    const resourceSpans = object(rs, 'resourceSpans[]');
    const resourceJson = optionalObject(resourceSpans.resource, 'resource');
    const resource = resourceFromAttributes(resourceJson === undefined ? {} : attributes(resourceJson.attributes));
    for (const ss of list(resourceSpans, 'scopeSpans')) {
      const scopeSpans = object(ss, 'scopeSpans[]');
      const scope = instrumentationScope(scopeSpans.scope);
      for (const s of list(scopeSpans, 'spans')) span(object(s, 'spans[]'), resource, scope, out);
    }
  }
  return out;
}

function span(s: Json, resource: Resource, scope: InstrumentationScope, out: DecodedRequest): void {
  const kind = integer(s.kind, 'kind', enumNames.kind);
  const flags = integer(s.flags, 'flags');
  out.add({
    traceId: id(s.traceId),
    spanId: id(s.spanId),
    parentSpanId: id(s.parentSpanId),
    traceFlags: flags & 0xff,
    name: string(s.name, 'name'),
    kind: kind > 0 && kind <= 5 ? kind - 1 : 0,
    startTime: time(s.startTimeUnixNano, 'startTimeUnixNano'),
    endTime: time(s.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: attributes(s.attributes),
    status: status(s.status),
    droppedAttributesCount: integer(s.droppedAttributesCount, 'droppedAttributesCount'),
    droppedEventsCount: integer(s.droppedEventsCount, 'droppedEventsCount'),
    droppedLinksCount: integer(s.droppedLinksCount, 'droppedLinksCount'),
    resource,
    instrumentationScope: scope,
  });
}

function instrumentationScope(v: unknown): InstrumentationScope {
  const scope = optionalObject(v, 'scope');
  if (scope === undefined) return { name: '' };
  const version = scope.version === undefined ? undefined : string(scope.version, 'scope.version');
  return version === undefined ? { name: string(scope.name, 'scope.name') } : { name: string(scope.name, 'scope.name'), version };
}

function status(v: unknown): SpanStatus {
  const s = optionalObject(v, 'status');
  if (s === undefined) return { code: 0 };
  const code = integer(s.code, 'status.code', enumNames.statusCode);
  const message = s.message === undefined ? undefined : string(s.message, 'status.message');
  return { code: code <= 2 ? code : 0, message };
}

function attributes(v: unknown): Attributes {
  const out: Attributes = {};
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw new OtlpDecodeError('attributes: expected an array of key/value objects');
  for (const kv of v) {
    const o = object(kv, 'attributes[]');
    const value = attributeValue(anyValue(o.value, 1));
    if (value !== undefined) out[string(o.key, 'attributes[].key')] = value;
  }
  return out;
}

function anyValue(v: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new OtlpDecodeError(`attribute values nested deeper than ${MAX_DEPTH}`);
  const o = optionalObject(v, 'value');
  if (o === undefined) return undefined;
  if (o.stringValue !== undefined) return string(o.stringValue, 'stringValue');
  if (o.boolValue !== undefined) {
    if (typeof o.boolValue !== 'boolean') throw new OtlpDecodeError('boolValue: expected true or false');
    return o.boolValue;
  }
  if (o.intValue !== undefined) return int64(o.intValue, 'intValue');
  if (o.doubleValue !== undefined) return double(o.doubleValue);
  if (o.arrayValue !== undefined) {
    const a = object(o.arrayValue, 'arrayValue');
    return list(a, 'values').map((e) => anyValue(e, depth + 1) ?? null);
  }
  if (o.kvlistValue !== undefined) {
    const out: Record<string, unknown> = {};
    for (const kv of list(object(o.kvlistValue, 'kvlistValue'), 'values')) {
      const e = object(kv, 'kvlistValue.values[]');
      const value = anyValue(e.value, depth + 1);
      if (value !== undefined) out[string(e.key, 'kvlistValue.values[].key')] = value;
    }
    return out;
  }
  if (o.bytesValue !== undefined) return string(o.bytesValue, 'bytesValue');
  return undefined;
}

/** An id in hex; a value of another form is kept as given, so the span is rejected as bad data rather than the request. */
function id(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v.toLowerCase() : '?';
}

/** Nanoseconds since the epoch as `[seconds, nanoseconds]`; decimal strings are split exactly. */
function time(v: unknown, field: string): [number, number] {
  if (v === undefined || v === null) return [0, 0];
  if (typeof v === 'string' && /^\d+$/.test(v)) {
    return v.length <= 9 ? [0, Number(v)] : [Number(v.slice(0, -9)), Number(v.slice(-9))];
  }
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) {
    const seconds = Math.floor(v / 1e9);
    return [seconds, Math.min(999_999_999, Math.max(0, Math.round(v - seconds * 1e9)))];
  }
  throw new OtlpDecodeError(`${field}: expected nanoseconds as a decimal string or a number`);
}

function int64(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw new OtlpDecodeError(`${field}: expected an integer as a decimal string or a number`);
}

function double(v: unknown): number {
  if (typeof v === 'number') return v;
  // proto3 JSON writes the non-finite doubles as strings.
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw new OtlpDecodeError('doubleValue: expected a number');
}

const enumNames = {
  kind: ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'],
  statusCode: ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'],
};

/** An unsigned integer field; enums also by name, which proto3 JSON parsers accept. Absent is 0. */
function integer(v: unknown, field: string, names?: readonly string[]): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (typeof v === 'string' && names !== undefined && names.includes(v)) return names.indexOf(v);
  throw new OtlpDecodeError(`${field}: expected a non-negative integer`);
}

function string(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new OtlpDecodeError(`${field}: expected a string`);
  return v;
}

function object(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new OtlpDecodeError(`${field}: expected an object`);
  return v as Json;
}

function optionalObject(v: unknown, field: string): Json | undefined {
  return v === undefined || v === null ? undefined : object(v, field);
}

function list(o: Json, field: string): unknown[] {
  const v = o[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${field}: expected an array`);
  return v;
}
