/** Body formats of OTLP/HTTP: the answer is written in the request's format. */
export type OtlpFormat = 'protobuf' | 'json';

/** Content-Type per format. */
export const CONTENT_TYPES: Readonly<Record<OtlpFormat, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** gRPC status codes used in the `google.rpc.Status` body of error answers. */
export const GRPC_CODE = {
  INVALID_ARGUMENT: 3,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * An `ExportTraceServiceResponse`; with rejected spans it carries `partial_success`
 * { rejected_spans (1, int64), error_message (2) }, else it is empty.
 */
export function exportResponse(format: OtlpFormat, rejectedSpans: number, errorMessage: string): Buffer {
  if (format === 'json') {
    const body = rejectedSpans === 0 ? {} : { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } };
    return Buffer.from(JSON.stringify(body));
  }
  if (rejectedSpans === 0) return Buffer.alloc(0);
  const partial = Buffer.concat([varintField(1, rejectedSpans), stringField(2, errorMessage)]);
  return Buffer.concat([lengthPrefix(1, partial.length), partial]);
}

/** A `google.rpc.Status` { code (1), message (2) }: the body OTLP/HTTP requires on 4xx and 5xx answers. */
export function statusBody(format: OtlpFormat, code: number, message: string): Buffer {
  if (format === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.concat([varintField(1, code), stringField(2, message)]);
}

function varint(n: number): number[] {
  const bytes: number[] = [];
  let v = n;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return bytes;
}

function varintField(field: number, n: number): Buffer {
  return Buffer.from([...varint(field << 3), ...varint(n)]);
}

function lengthPrefix(field: number, length: number): Buffer {
  return Buffer.from([...varint((field << 3) | 2), ...varint(length)]);
}

function stringField(field: number, text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === 0 ? Buffer.alloc(0) : Buffer.concat([lengthPrefix(field, bytes.length), bytes]);
}
