import type { Attributes, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { Resource } from '@opentelemetry/resources';
import { DecodedRequest, attributeValue } from './DecodedRequest.js';
import { OtlpDecodeError } from './errors.js';
import { WIRE, WireReader } from './WireReader.js';

/*
 * Field numbers of opentelemetry-proto (collector/trace/v1/trace_service.proto, trace/v1/trace.proto,
 * common/v1/common.proto, resource/v1/resource.proto), stable since OTLP 1.0. Fields not listed are
 * skipped, as proto3 requires of unknown fields.
 */
const LEN = WIRE.LEN;
const tagOf = (field: number, wire: number): number => (field << 3) | wire;
const REQUEST_RESOURCE_SPANS = tagOf(1, LEN);
const RESOURCE_SPANS_RESOURCE = tagOf(1, LEN);
const RESOURCE_SPANS_SCOPE_SPANS = tagOf(2, LEN);
const RESOURCE_ATTRIBUTES = tagOf(1, LEN);
const SCOPE_SPANS_SCOPE = tagOf(1, LEN);
const SCOPE_SPANS_SPANS = tagOf(2, LEN);
const SCOPE_NAME = tagOf(1, LEN);
const SCOPE_VERSION = tagOf(2, LEN);
const SPAN_TRACE_ID = tagOf(1, LEN);
const SPAN_SPAN_ID = tagOf(2, LEN);
const SPAN_PARENT_SPAN_ID = tagOf(4, LEN);
const SPAN_FLAGS = tagOf(16, WIRE.I32);
const SPAN_NAME = tagOf(5, LEN);
const SPAN_KIND = tagOf(6, WIRE.VARINT);
const SPAN_START = tagOf(7, WIRE.I64);
const SPAN_END = tagOf(8, WIRE.I64);
const SPAN_ATTRIBUTES = tagOf(9, LEN);
const SPAN_DROPPED_ATTRIBUTES = tagOf(10, WIRE.VARINT);
const SPAN_DROPPED_EVENTS = tagOf(12, WIRE.VARINT);
const SPAN_DROPPED_LINKS = tagOf(14, WIRE.VARINT);
const SPAN_EVENTS = tagOf(11, LEN);
const SPAN_LINKS = tagOf(13, LEN);
const SPAN_STATUS = tagOf(15, LEN);
const STATUS_MESSAGE = tagOf(2, LEN);
const STATUS_CODE = tagOf(3, WIRE.VARINT);
const KEY_VALUE_KEY = tagOf(1, LEN);
const KEY_VALUE_VALUE = tagOf(2, LEN);
const ANY_STRING = tagOf(1, LEN);
const ANY_BOOL = tagOf(2, WIRE.VARINT);
const ANY_INT = tagOf(3, WIRE.VARINT);
const ANY_DOUBLE = tagOf(4, WIRE.I64);
const ANY_ARRAY = tagOf(5, LEN);
const ANY_KVLIST = tagOf(6, LEN);
const ANY_BYTES = tagOf(7, LEN);
const LIST_VALUES = tagOf(1, LEN);

/** Nesting of arrays and kvlists beyond which a request is refused, so a hostile body cannot exhaust the stack. */
const MAX_DEPTH = 32;

/** Decodes an `ExportTraceServiceRequest` in protobuf; throws `OtlpDecodeError` for a malformed body. */
export function decodeProtobufRequest(body: Buffer): DecodedRequest {
  const out = new DecodedRequest();
  const r = new WireReader(body);
  while (r.pos < body.length) {
    const tag = r.tag();
    if (tag === REQUEST_RESOURCE_SPANS) resourceSpans(r, r.open(), out);
    else r.skip(tag & 7);
  }
  return out;
}

function resourceSpans(r: WireReader, end: number, out: DecodedRequest): void {
  let attributes: Attributes = {};
  // Fields may come in any order: the resource is read before the spans that refer to it.
  const scopes: number[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === RESOURCE_SPANS_RESOURCE) attributes = resourceAttributes(r, r.open());
    else if (tag === RESOURCE_SPANS_SCOPE_SPANS) {
      scopes.push(r.pos);
      r.skip(tag & 7);
    } else r.skip(tag & 7);
  }
  r.close(end);
  const resource = resourceFromAttributes(attributes);
  for (const at of scopes) {
    r.pos = at;
    scopeSpans(r, r.open(), resource, out);
  }
  r.pos = end;
}

function resourceAttributes(r: WireReader, end: number): Attributes {
  const attributes: Attributes = {};
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === RESOURCE_ATTRIBUTES) keyValue(r, r.open(), attributes, 0);
    else r.skip(tag & 7);
  }
  r.close(end);
  return attributes;
}

function scopeSpans(r: WireReader, end: number, resource: Resource, out: DecodedRequest): void {
  let scope: InstrumentationScope = { name: '' };
  const spans: number[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === SCOPE_SPANS_SCOPE) scope = instrumentationScope(r, r.open());
    else if (tag === SCOPE_SPANS_SPANS) {
      spans.push(r.pos);
      r.skip(tag & 7);
    } else r.skip(tag & 7);
  }
  r.close(end);
  for (const at of spans) {
    r.pos = at;
    span(r, r.open(), resource, scope, out);
  }
  r.pos = end;
}

function instrumentationScope(r: WireReader, end: number): InstrumentationScope {
  let name = '';
  let version: string | undefined;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === SCOPE_NAME) name = r.string();
    else if (tag === SCOPE_VERSION) version = r.string();
    else r.skip(tag & 7);
  }
  r.close(end);
  return version === undefined ? { name } : { name, version };
}

function span(r: WireReader, end: number, resource: Resource, scope: InstrumentationScope, out: DecodedRequest): void {
  let traceId = '';
  let spanId = '';
  let parentSpanId = '';
  let flags = 0;
  let name = '';
  let kind = 0;
  let startTime: [number, number] = [0, 0];
  let endTime: [number, number] = [0, 0];
  const attributes: Attributes = {};
  let droppedAttributesCount = 0;
  let droppedEventsCount = 0;
  let droppedLinksCount = 0;
  let status: SpanStatus = { code: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case SPAN_TRACE_ID:
        traceId = r.hex();
        break;
      case SPAN_SPAN_ID:
        spanId = r.hex();
        break;
      case SPAN_PARENT_SPAN_ID:
        parentSpanId = r.hex();
        break;
      case SPAN_FLAGS:
        flags = r.fixed32();
        break;
      case SPAN_NAME:
        name = r.string();
        break;
      case SPAN_KIND:
        kind = r.uint32();
        break;
      case SPAN_START:
        startTime = r.fixed64Time();
        break;
      case SPAN_END:
        endTime = r.fixed64Time();
        break;
      case SPAN_ATTRIBUTES:
        keyValue(r, r.open(), attributes, 0);
        break;
      case SPAN_DROPPED_ATTRIBUTES:
        droppedAttributesCount = r.uint32();
        break;
      case SPAN_DROPPED_EVENTS:
        droppedEventsCount = r.uint32();
        break;
      case SPAN_DROPPED_LINKS:
        droppedLinksCount = r.uint32();
        break;
      case SPAN_STATUS:
        status = spanStatus(r, r.open());
        break;
      case SPAN_EVENTS:
      case SPAN_LINKS:
      default:
        r.skip(tag & 7);
    }
  }
  r.close(end);
  out.add({
    traceId,
    spanId,
    parentSpanId,
    traceFlags: flags & 0xff,
    name,
    // OTLP numbers kinds from UNSPECIFIED = 0; the API from INTERNAL = 0.
    kind: kind > 0 && kind <= 5 ? kind - 1 : 0,
    startTime,
    endTime,
    attributes,
    status,
    droppedAttributesCount,
    droppedEventsCount,
    droppedLinksCount,
    resource,
    instrumentationScope: scope,
  });
}

function spanStatus(r: WireReader, end: number): SpanStatus {
  let code = 0;
  let message: string | undefined;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === STATUS_CODE) code = r.uint32();
    else if (tag === STATUS_MESSAGE) message = r.string();
    else r.skip(tag & 7);
  }
  r.close(end);
  return { code: code <= 2 ? code : 0, message };
}

/** Reads one KeyValue into `into`; an empty value leaves the key out. */
function keyValue(r: WireReader, end: number, into: Record<string, unknown>, depth: number): void {
  let key = '';
  let value: unknown;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === KEY_VALUE_KEY) key = r.string();
    else if (tag === KEY_VALUE_VALUE) value = anyValue(r, r.open(), depth + 1);
    else r.skip(tag & 7);
  }
  r.close(end);
  if (value === undefined) return;
  into[key] = depth === 0 ? attributeValue(value) : value;
}

function anyValue(r: WireReader, end: number, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new OtlpDecodeError(`attribute values nested deeper than ${MAX_DEPTH}`);
  let value: unknown;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case ANY_STRING:
        value = r.string();
        break;
      case ANY_BOOL:
        value = r.uint32() !== 0;
        break;
      case ANY_INT:
        value = r.int64();
        break;
      case ANY_DOUBLE:
        value = r.double();
        break;
      case ANY_ARRAY:
        value = arrayValue(r, r.open(), depth);
        break;
      case ANY_KVLIST:
        value = kvList(r, r.open(), depth);
        break;
      case ANY_BYTES:
        value = r.base64();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.close(end);
  return value;
}

function arrayValue(r: WireReader, end: number, depth: number): unknown[] {
  const values: unknown[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LIST_VALUES) values.push(anyValue(r, r.open(), depth + 1) ?? null);
    else r.skip(tag & 7);
  }
  r.close(end);
  return values;
}

function kvList(r: WireReader, end: number, depth: number): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LIST_VALUES) keyValue(r, r.open(), values, depth + 1);
    else r.skip(tag & 7);
  }
  r.close(end);
  return values;
}
