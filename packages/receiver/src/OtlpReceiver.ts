import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanRowMapper } from '@genai-cost/clickhouse';
import { AttributionReader } from './attribution.js';
import { BearerAuth } from './http/auth.js';
import { ReceiverMetrics } from './metrics.js';
import type { ReceiverStats } from './metrics.js';
import { resolveReceiverOptions } from './options.js';
import type { ResolvedReceiverOptions } from './options.js';
import { RecentModelCalls } from './RecentModelCalls.js';
import { RequestPricer } from './RequestPricer.js';
import { TraceHandler, retryLater, send } from './TraceHandler.js';
import type { OtlpReceiverOptions } from './types.js';

const TRACES_PATH = '/v1/traces';
const ROUTES = new Set([TRACES_PATH, '/healthz', '/readyz', '/metrics']);

/**
 * An OTLP/HTTP trace receiver (`POST /v1/traces`, protobuf and JSON) that prices and attributes
 * GenAI spans with the same code as the in-process span processor and stores them through the
 * durable `SpanQueue`, plus `GET /healthz` (alive), `GET /readyz` (can store) and optionally
 * `GET /metrics`. Its only state between requests is a bounded memory of recent model-call spans
 * (duplicates across requests), so any number of instances can run behind an HTTP load balancer.
 */
export class OtlpReceiver {
  private readonly options: ResolvedReceiverOptions;
  private readonly pricer: RequestPricer;
  private readonly metrics: ReceiverMetrics;
  private readonly handler: TraceHandler;
  private readonly server: Server;
  private readonly inFlight = new Set<Promise<unknown>>();
  private draining = false;
  private shutdownOnce: Promise<void> | undefined;

  /** Throws `ReceiverConfigError` (or the processor's `GenAICostConfigError`) for invalid options. */
  constructor(options: OtlpReceiverOptions) {
    this.options = resolveReceiverOptions(options);
    const o = this.options;
    const attribution = new AttributionReader({ attributeKeys: o.attributeKeys, extraAttributeKeys: o.extraAttributeKeys ?? {}, headerKeys: o.headerKeys });
    const recent = o.recentModelCalls.maxSpans === 0 ? undefined : new RecentModelCalls(o.recentModelCalls.maxSpans, o.recentModelCalls.maxAgeMs);
    this.pricer = new RequestPricer({ pricing: { ...o.pricing, attributeKeys: o.attributeKeys }, attribution, keepAllSpans: o.keepAllSpans, recent });
    this.metrics = new ReceiverMetrics(o.meterProvider, () => o.queue.getStats().queuedSpans);
    this.handler = new TraceHandler({
      options: o,
      pricer: this.pricer,
      mapper: new SpanRowMapper({ attributeKeys: o.attributeKeys, inputExcludesCacheScopes: o.inputExcludesCacheScopes, maxTokensPerSpan: o.maxTokensPerSpan }),
      queue: o.queue,
      metrics: this.metrics,
      attribution,
      auth: o.bearerToken === undefined ? undefined : new BearerAuth(o.bearerToken),
      draining: () => this.draining,
    });
    const listener = (req: IncomingMessage, res: ServerResponse): void => this.track(this.route(req, res));
    this.server = o.tls === undefined ? createServer(listener) : createTlsServer({ cert: o.tls.cert, key: o.tls.key }, listener);
  }

  /** Starts listening; resolves to the bound address (the port chosen when 0 was asked). */
  start(): Promise<{ host: string; port: number; url: string }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        const { address, port } = this.server.address() as AddressInfo;
        const host = address.includes(':') ? `[${address}]` : address;
        const url = `${this.options.tls === undefined ? 'http' : 'https'}://${host}:${port}`;
        this.options.logger.log('info', 'genai-cost receiver listening', { url, traces: `${url}${TRACES_PATH}`, auth: this.options.bearerToken !== undefined, tls: this.options.tls !== undefined });
        resolve({ host: address, port, url });
      });
    });
  }

  /**
   * Stops accepting connections and exports (503 with Retry-After to those still arriving on open
   * connections), waits up to `drainTimeoutMs` for requests in progress, then shuts the queue down:
   * it sends what it holds, within its own `shutdownTimeoutMs`, and leaves the rest in its spool.
   * Runs once; later calls return the same promise.
   */
  shutdown(): Promise<void> {
    this.shutdownOnce ??= this.drain();
    return this.shutdownOnce;
  }

  /** A copy of the receiver's counters. */
  getStats(): ReceiverStats {
    return this.metrics.getStats();
  }

  private async drain(): Promise<void> {
    const started = Date.now();
    this.draining = true;
    this.options.logger.log('info', 'genai-cost receiver draining', { requestsInFlight: this.inFlight.size });
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    const deadline = sleep(this.options.drainTimeoutMs, undefined, { ref: false });
    await Promise.race([Promise.allSettled([...this.inFlight]), deadline]);
    this.server.closeAllConnections();
    await closed;
    await this.options.queue.shutdown();
    const queue = this.options.queue.getStats();
    this.options.logger.log('info', 'genai-cost receiver stopped', {
      drainMs: Date.now() - started,
      stats: this.metrics.getStats(),
      queue: { storedSpans: queue.storedSpans, queuedSpans: queue.queuedSpans, deadLetteredSpans: queue.deadLetteredSpans, droppedSpans: queue.droppedSpans },
    });
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    let status: number;
    try {
      status = await this.dispatch(path, req, res);
    } catch (err) {
      // A bug, not bad data: 503 keeps the data in the client's retry queue where 500 would drop it.
      this.metrics.refuse('internal_error');
      this.options.logger.log('error', 'unexpected failure handling a request', { path, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      status = res.headersSent ? res.statusCode : retryLater(res, 503, 'json', this.options.retryAfterSeconds * 1000, 'internal error');
    }
    if (!res.writableEnded) res.end();
    // Unknown paths share one label, so probes of random URLs cannot grow the metric without bound.
    this.metrics.request(req.method, ROUTES.has(path) ? path : 'other', status, (performance.now() - started) / 1000);
  }

  private async dispatch(path: string, req: IncomingMessage, res: ServerResponse): Promise<number> {
    if (path === TRACES_PATH) {
      if (req.method === 'POST') return this.handler.handle(req, res);
      return text(res, 405, 'use POST for /v1/traces\n', { allow: 'POST' });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed\n', { allow: 'GET' });
    if (path === '/healthz') return text(res, 200, 'ok\n');
    if (path === '/readyz') {
      const why = await this.notReady();
      return why === undefined ? text(res, 200, 'ready\n') : text(res, 503, `${why}\n`);
    }
    if (path === '/metrics' && this.options.metricsHandler !== undefined) {
      // The handler answers asynchronously (it collects first): wait for it to finish the answer.
      const answered = new Promise((resolve) => {
        res.once('finish', resolve);
        res.once('close', resolve);
      });
      this.options.metricsHandler(req, res);
      await answered;
      return res.statusCode;
    }
    return text(res, 404, 'not found\n');
  }

  /** Why an export sent now would be refused, or undefined when it would be taken. */
  private async notReady(): Promise<string | undefined> {
    if (this.draining) return 'shutting down';
    const r = this.options.queue.readiness();
    if (!r.accepting) return 'the queue is shut down';
    if (r.fill >= 1) return 'the queue is full';
    if (r.clickhouse === 'failing' && !this.options.acceptWhileUnavailable) return `cannot write to ClickHouse${r.lastError === undefined ? '' : `: ${r.lastError}`}`;
    if (r.clickhouse === 'unknown' && this.options.ping !== undefined && !(await this.options.ping().catch(() => false))) return 'cannot reach ClickHouse';
    return undefined;
  }
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): number {
  return send(res, status, 'json', Buffer.from(body), { ...headers, 'content-type': 'text/plain; charset=utf-8' });
}
