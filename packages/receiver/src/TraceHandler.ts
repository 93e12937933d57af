import type { IncomingMessage, ServerResponse } from 'node:http';
import { rowsToken } from '@genai-cost/clickhouse';
import type { SpanRowMapper } from '@genai-cost/clickhouse';
import type { AttributionReader } from './attribution.js';
import type { BearerAuth } from './http/auth.js';
import { BodyError, contentEncoding, decompress, readBody } from './http/body.js';
import type { ReceiverMetrics } from './metrics.js';
import type { DecodedRequest } from './otlp/DecodedRequest.js';
import { decodeJsonRequest } from './otlp/decodeJson.js';
import { decodeProtobufRequest } from './otlp/decodeProtobuf.js';
import { OtlpDecodeError } from './otlp/errors.js';
import { CONTENT_TYPES, GRPC_CODE, exportResponse, statusBody } from './otlp/response.js';
import type { OtlpFormat } from './otlp/response.js';
import type { ResolvedReceiverOptions } from './options.js';
import type { RequestPricer } from './RequestPricer.js';
import type { ReceiverQueue } from './types.js';

/** What the trace handler works with; built once by the receiver. */
export interface TraceHandlerDeps {
  options: ResolvedReceiverOptions;
  pricer: RequestPricer;
  mapper: SpanRowMapper;
  queue: ReceiverQueue;
  metrics: ReceiverMetrics;
  attribution: AttributionReader;
  auth: BearerAuth | undefined;
  /** True once shutdown began: new exports are turned away with 503. */
  draining: () => boolean;
}

/**
 * `POST /v1/traces`: decode, price, map, queue, answer. Every answer follows OTLP/HTTP: 200 once the
 * queue has taken the rows (with `partial_success` when spans were bad data), 400 for a body that
 * cannot be decoded, 401, 413, 415, and 429 / 503 with Retry-After whenever trying again later can
 * succeed. Never 500: a Collector drops data on it.
 */
export class TraceHandler {
  constructor(private readonly deps: TraceHandlerDeps) {}

  /** Handles one request and resolves to the status sent. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const { options, metrics, auth } = this.deps;
    const format = formatOf(req.headers['content-type']);
    const answerFormat = format ?? 'json';
    if (this.deps.draining()) {
      metrics.refuse('shutting_down');
      return retryLater(res, 503, answerFormat, options.retryAfterSeconds * 1000, 'the receiver is shutting down', true);
    }
    if (auth !== undefined && !auth.check(req.headers.authorization)) {
      return send(res, 401, answerFormat, statusBody(answerFormat, GRPC_CODE.UNAUTHENTICATED, 'missing or wrong bearer token'), { 'www-authenticate': 'Bearer' });
    }
    if (format === undefined) {
      return send(res, 415, 'json', statusBody('json', GRPC_CODE.INVALID_ARGUMENT, 'Content-Type must be application/x-protobuf or application/json'));
    }
    let decoded: DecodedRequest;
    try {
      const encoding = contentEncoding(header(req.headers['content-encoding']));
      const raw = await readBody(req, options.maxBodyBytes);
      const body = await decompress(raw, encoding, options.maxBodyBytes);
      decoded = format === 'protobuf' ? decodeProtobufRequest(body) : decodeJsonRequest(body);
    } catch (err) {
      if (err instanceof BodyError) return send(res, err.status, format, statusBody(format, GRPC_CODE.INVALID_ARGUMENT, err.message), err.status === 400 ? {} : { connection: 'close' });
      if (err instanceof OtlpDecodeError) return send(res, 400, format, statusBody(format, GRPC_CODE.INVALID_ARGUMENT, `undecodable OTLP trace request: ${err.message}`));
      throw err;
    }
    return this.store(res, format, decoded, req);
  }

  private async store(res: ServerResponse, format: OtlpFormat, decoded: DecodedRequest, req: IncomingMessage): Promise<number> {
    const { options, pricer, mapper, queue, metrics, attribution } = this.deps;
    metrics.count('received', decoded.spans.length + decoded.rejected);
    metrics.count('rejected', decoded.rejected);
    if (!options.acceptWhileUnavailable) {
      const readiness = queue.readiness();
      if (readiness.clickhouse === 'failing') {
        metrics.refuse('unavailable');
        return retryLater(res, 503, format, readiness.retryAfterMs, `ClickHouse cannot be written now${readiness.lastError === undefined ? '' : ` (${readiness.lastError})`}`);
      }
    }
    const priced = pricer.price(decoded.spans, attribution.fromHeaders(req.headers));
    metrics.count('dropped', priced.dropped);
    if (priced.kept.length > 0) {
      const rows = priced.kept.map((s) => mapper.row(s));
      // From the span ids, so a request sent again (after a 503 or a lost answer) is stored once.
      const result = await queue.enqueue(rows, { deduplicationToken: rowsToken(rows) });
      if (!result.accepted) {
        pricer.forget(priced);
        const status = result.reason === 'queue_full' ? 429 : 503;
        metrics.refuse(result.reason === 'queue_full' ? 'overloaded' : result.reason === 'shutdown' ? 'shutting_down' : 'unavailable');
        return retryLater(res, status, format, result.retryAfterMs, result.message);
      }
    }
    // Counted once accepted, so a request answered 503 and sent again is not counted twice.
    metrics.count('priced', priced.priced);
    metrics.count('unpriced', priced.unpriced);
    metrics.count('duplicate', priced.lateDuplicates);
    metrics.count('accepted', priced.kept.length);
    return send(res, 200, format, exportResponse(format, decoded.rejected, decoded.errorMessage()));
  }
}

function formatOf(contentType: string | undefined): OtlpFormat | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** 429 or 503 with Retry-After in whole seconds, at least 1. */
export function retryLater(res: ServerResponse, status: 429 | 503, format: OtlpFormat, retryAfterMs: number, message: string, close = false): number {
  const code = status === 429 ? GRPC_CODE.RESOURCE_EXHAUSTED : GRPC_CODE.UNAVAILABLE;
  const headers: Record<string, string> = { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
  if (close) headers.connection = 'close';
  return send(res, status, format, statusBody(format, code, message), headers);
}

/** Writes the answer in the request's format. */
export function send(res: ServerResponse, status: number, format: OtlpFormat, body: Buffer, headers: Record<string, string> = {}): number {
  res.writeHead(status, { 'content-type': CONTENT_TYPES[format], 'content-length': String(body.length), ...headers });
  res.end(body);
  return status;
}
