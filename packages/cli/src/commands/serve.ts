import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { SpanQueue } from '@genai-cost/clickhouse';
import type { SpanQueueOptions } from '@genai-cost/clickhouse';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_RECENT_MODEL_CALLS, OtlpReceiver, diagLogger, jsonLogger, prometheusMetrics } from '@genai-cost/receiver';
import type { OtlpReceiverOptions } from '@genai-cost/receiver';
import type { ServeCommand } from '../args.js';
import { loadConfig } from '../config.js';
import type { ServeFileSettings } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { Env } from '../connect.js';
import type { CliContext } from '../context.js';
import { usageError } from '../errors.js';

const MB = 1024 * 1024;
/** The queue's share of a SIGTERM: with the receiver's 10 s drain, within the 30 s most orchestrators allow. */
const QUEUE_SHUTDOWN_MS = 15_000;

/** What `serve` takes from flags, the environment and the plan file (the client, catalog and metrics come later). */
export interface ServeSettings {
  receiver: Pick<OtlpReceiverOptions, 'host' | 'port' | 'bearerToken' | 'tls' | 'maxBodyBytes' | 'keepAllSpans' | 'acceptWhileUnavailable' | 'recentModelCalls'>;
  queue: Pick<SpanQueueOptions, 'maxQueueBytes' | 'spoolDir' | 'maxSpoolBytes'>;
}

const set = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/**
 * The composition root of `serve`: maps flags, `GENAI_COST_SERVE_*` variables and the plan file's
 * `serve:` section onto receiver and queue options, in that order of precedence. A bad value is a
 * usage error naming the variable. Relative paths are taken from `cwd`.
 */
export function serveSettings(cmd: ServeCommand, env: Env, file: ServeFileSettings = {}, cwd = process.cwd()): ServeSettings {
  const keepAll = set(env.GENAI_COST_SERVE_KEEP_ALL_SPANS);
  if (keepAll !== undefined && keepAll !== 'true' && keepAll !== 'false') {
    throw usageError(`genai-cost serve: GENAI_COST_SERVE_KEEP_ALL_SPANS: expected true or false, got "${keepAll}"`);
  }
  const token = set(env.GENAI_COST_SERVE_TOKEN);
  if (token !== undefined && token.length < 16) throw usageError('genai-cost serve: GENAI_COST_SERVE_TOKEN: expected a token of at least 16 characters');
  const envCert = set(env.GENAI_COST_SERVE_TLS_CERT);
  const envKey = set(env.GENAI_COST_SERVE_TLS_KEY);
  if ((envCert === undefined) !== (envKey === undefined)) throw usageError('genai-cost serve: set both GENAI_COST_SERVE_TLS_CERT and GENAI_COST_SERVE_TLS_KEY (PEM files), or neither');
  const tls =
    envCert !== undefined
      ? { cert: envCert, key: envKey!, names: ['GENAI_COST_SERVE_TLS_CERT', 'GENAI_COST_SERVE_TLS_KEY'] }
      : file.tlsCert !== undefined
        ? { cert: file.tlsCert, key: file.tlsKey!, names: ['serve.tlsCert', 'serve.tlsKey'] }
        : undefined;
  const spoolDir = cmd.spoolDir ?? set(env.GENAI_COST_SERVE_SPOOL_DIR) ?? file.spoolDir;
  const maxBodyMb = number(env, 'GENAI_COST_SERVE_MAX_BODY_MB', 1, 1024) ?? file.maxBodyMb;
  const maxQueueMb = number(env, 'GENAI_COST_SERVE_MAX_QUEUE_MB', 1, 65_536) ?? file.maxQueueMb;
  const maxSpoolMb = number(env, 'GENAI_COST_SERVE_MAX_SPOOL_MB', 1, 1_048_576) ?? file.maxSpoolMb;
  const recent = file.recentModelCalls;

  const receiver: ServeSettings['receiver'] = {
    host: cmd.host ?? set(env.GENAI_COST_SERVE_HOST) ?? file.host ?? DEFAULT_HOST,
    port: cmd.port ?? number(env, 'GENAI_COST_SERVE_PORT', 0, 65_535) ?? file.port ?? DEFAULT_PORT,
    keepAllSpans: cmd.keepAllSpans || (keepAll === undefined ? (file.keepAllSpans ?? false) : keepAll === 'true'),
    // On disk, exports can be taken while ClickHouse is away; in memory they are refused, so clients keep them.
    acceptWhileUnavailable: spoolDir !== undefined,
  };
  if (maxBodyMb !== undefined) receiver.maxBodyBytes = maxBodyMb * MB;
  if (token !== undefined) receiver.bearerToken = token;
  if (tls !== undefined) receiver.tls = { cert: pemFile(tls.names[0]!, resolve(cwd, tls.cert)), key: pemFile(tls.names[1]!, resolve(cwd, tls.key)) };
  if (recent !== undefined) {
    receiver.recentModelCalls = {
      maxSpans: recent.maxSpans ?? DEFAULT_RECENT_MODEL_CALLS.maxSpans,
      maxAgeMs: recent.maxAgeSeconds === undefined ? DEFAULT_RECENT_MODEL_CALLS.maxAgeMs : recent.maxAgeSeconds * 1000,
    };
  }
  const queue: ServeSettings['queue'] = {};
  if (spoolDir !== undefined) queue.spoolDir = resolve(cwd, spoolDir);
  if (maxQueueMb !== undefined) queue.maxQueueBytes = maxQueueMb * MB;
  if (maxSpoolMb !== undefined) queue.maxSpoolBytes = maxSpoolMb * MB;
  return { receiver, queue };
}

function number(env: Env, name: string, min: number, max: number): number | undefined {
  const v = set(env[name]);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Number.NaN;
  if (!(n >= min && n <= max)) throw usageError(`genai-cost serve: ${name}: expected a whole number from ${min} to ${max}, got "${v}"`);
  return n;
}

function pemFile(name: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw usageError(`genai-cost serve: ${name}: cannot read "${path}" (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * `genai-cost serve`: an OTLP/HTTP receiver pricing with the plan file's catalog and storing into
 * the plan's (or the environment's) ClickHouse through a `SpanQueue`, until SIGINT or SIGTERM;
 * then it stops accepting, finishes the requests in progress, sends what is queued (what it cannot
 * send in time stays in the spool, if any) and exits 0. Logs are JSON lines on stderr.
 */
export async function runServe(cmd: ServeCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const options = connectionOptions(config, ctx.env, cmd.database);
  const settings = serveSettings(cmd, ctx.env, config.serve, ctx.cwd);
  const logger = jsonLogger((line) => ctx.stderr.write(line));
  diag.setLogger(diagLogger(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const prometheus = prometheusMetrics();
  // Global, so the pricing's and the queue's own counters are scraped from /metrics too.
  metrics.setGlobalMeterProvider(prometheus.meterProvider);
  try {
    return await withClickHouse('serve', options, async ({ client, database }) => {
      const queue = new SpanQueue({ ...settings.queue, client, database, shutdownTimeoutMs: QUEUE_SHUTDOWN_MS, meterProvider: prometheus.meterProvider });
      const replayed = queue.getStats().replayedSpans;
      let receiver: OtlpReceiver;
      let url: string;
      try {
        receiver = new OtlpReceiver({
          ...settings.receiver,
          queue,
          ping: () => client.ping().then((r) => r.success),
          pricing: { catalog: config.catalog },
          logger,
          meterProvider: prometheus.meterProvider,
          metricsHandler: prometheus.handler,
        });
        ({ url } = await receiver.start());
      } catch (err) {
        // The spool's lock and the queue's exit watch must not outlive a receiver that never ran.
        await queue.shutdown();
        throw err;
      }
      const spool = settings.queue.spoolDir === undefined ? 'queue in memory' : `queue spooled in ${settings.queue.spoolDir}${replayed > 0 ? ` (${replayed} spans replayed from it)` : ''}`;
      ctx.stdout.write(`genai-cost serve: OTLP/HTTP traces at ${url}/v1/traces, prices from ${config.source}, storing into ${describeTarget(options)}, ${spool}\n`);
      if (!ctx.stop.aborted) await once(ctx.stop, 'abort');
      await receiver.shutdown();
      const s = receiver.getStats();
      const q = queue.getStats();
      const left = q.queuedSpans === 0 ? '' : settings.queue.spoolDir === undefined ? `, ${q.droppedSpans.shutdown} lost at shutdown` : `, ${q.queuedSpans} left in the spool`;
      ctx.stdout.write(
        `genai-cost serve: stopped; ${s.acceptedSpans} spans accepted (${s.pricedSpans} priced, ${s.unpricedSpans} unpriced, ${s.duplicateSpans} duplicates of earlier requests' calls), ` +
          `${s.droppedSpans} non-GenAI dropped, ${s.rejectedSpans} rejected; ${q.storedSpans} stored in ClickHouse${left}\n`,
      );
      return 0;
    });
  } finally {
    await prometheus.shutdown();
    metrics.disable();
    diag.disable();
  }
}
