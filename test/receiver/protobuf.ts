/**
 * A few protobuf encoding helpers to build OTLP requests by hand for the protocol tests: requests
 * no SDK would send (unknown fields, bad ids, corrupt bodies). Field numbers: opentelemetry-proto.
 */
export type Field = Buffer;

function varint(n: bigint): number[] {
  const out: number[] = [];
  let v = BigInt.asUintN(64, n);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/** A varint field (int64 / uint32 / enum / bool). */
export function vint(field: number, n: number | bigint): Field {
  return Buffer.from([...varint(BigInt(field << 3)), ...varint(BigInt(n))]);
}

/** A length-delimited field from raw bytes or nested fields. */
export function len(field: number, ...parts: (Buffer | string)[]): Field {
  const body = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  return Buffer.concat([Buffer.from([...varint(BigInt((field << 3) | 2)), ...varint(BigInt(body.length))]), body]);
}

/** A fixed64 field (times in nanoseconds). */
export function fixed64(field: number, n: bigint): Field {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return Buffer.concat([Buffer.from(varint(BigInt((field << 3) | 1))), b]);
}

/** The body of a KeyValue with a string or int64 value; wrap it with `len(field, …)`. */
export function kv(key: string, value: string | bigint): Buffer {
  const any = typeof value === 'string' ? len(1, value) : vint(3, value);
  return Buffer.concat([len(1, key), len(2, any)]);
}

/** A Span with the given ids (hex), start/end (ns) and attributes, plus any extra fields. */
export function span(o: { traceId: string; spanId: string; start: bigint; end: bigint; name: string; attributes: Buffer[]; extra?: Field[] }): Field {
  return len(
    2,
    len(1, Buffer.from(o.traceId, 'hex')),
    len(2, Buffer.from(o.spanId, 'hex')),
    len(5, o.name),
    vint(6, 3),
    fixed64(7, o.start),
    fixed64(8, o.end),
    ...o.attributes.map((a) => len(9, a)),
    ...(o.extra ?? []),
  );
}

/** An ExportTraceServiceRequest with one resource (attributes made by `kv`) and one scope holding `spans`. */
export function request(resource: Buffer[], scopeName: string, spans: Field[], extra: Field[] = []): Buffer {
  return len(1, len(1, ...resource.map((a) => len(1, a))), len(2, len(1, len(1, scopeName)), ...spans), ...extra);
}
