import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { DiagLogLevel, diag, metrics } from '@opentelemetry/api';
import { ClickHouseRowStore, DEFAULT_HOST, DEFAULT_PORT, OtlpReceiver, diagLogger, jsonLogger, prometheusMetrics } from '@genai-cost/receiver';
import type { OtlpReceiverOptions } from '@genai-cost/receiver';
import type { ServeCommand } from '../args.js';
import { loadConfig } from '../config.js';
import { connectionOptions, describeTarget, withClickHouse } from '../connect.js';
import type { Env } from '../connect.js';
import type { CliContext } from '../context.js';
import { usageError } from '../errors.js';

/** The receiver settings `serve` takes from flags and the environment (the store and pricing come later). */
export type ServeSettings = Pick<OtlpReceiverOptions, 'host' | 'port' | 'bearerToken' | 'tls' | 'maxBodyBytes' | 'keepAllSpans'>;

const set = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/**
 * The composition root of `serve`: maps flags and `GENAI_COST_SERVE_*` variables onto receiver
 * options (flags first). A bad value is a usage error naming the variable.
 */
export function serveSettings(cmd: ServeCommand, env: Env): ServeSettings {
  const port = cmd.port ?? number(env, 'GENAI_COST_SERVE_PORT', 0, 65_535) ?? DEFAULT_PORT;
  const maxBodyMb = number(env, 'GENAI_COST_SERVE_MAX_BODY_MB', 1, 1024);
  const keepAll = set(env.GENAI_COST_SERVE_KEEP_ALL_SPANS);
  if (keepAll !== undefined && keepAll !== 'true' && keepAll !== 'false') {
    throw usageError(`genai-cost serve: GENAI_COST_SERVE_KEEP_ALL_SPANS: expected true or false, got "${keepAll}"`);
  }
  const token = set(env.GENAI_COST_SERVE_TOKEN);
  if (token !== undefined && token.length < 16) throw usageError('genai-cost serve: GENAI_COST_SERVE_TOKEN: expected a token of at least 16 characters');
  const cert = set(env.GENAI_COST_SERVE_TLS_CERT);
  const key = set(env.GENAI_COST_SERVE_TLS_KEY);
  if ((cert === undefined) !== (key === undefined)) throw usageError('genai-cost serve: set both GENAI_COST_SERVE_TLS_CERT and GENAI_COST_SERVE_TLS_KEY (PEM files), or neither');
  const settings: ServeSettings = {
    host: cmd.host ?? set(env.GENAI_COST_SERVE_HOST) ?? DEFAULT_HOST,
    port,
    keepAllSpans: cmd.keepAllSpans || keepAll === 'true',
  };
  if (maxBodyMb !== undefined) settings.maxBodyBytes = maxBodyMb * 1024 * 1024;
  if (token !== undefined) settings.bearerToken = token;
  if (cert !== undefined && key !== undefined) settings.tls = { cert: pemFile('GENAI_COST_SERVE_TLS_CERT', cert), key: pemFile('GENAI_COST_SERVE_TLS_KEY', key) };
  return settings;
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
 * the plan's (or the environment's) ClickHouse, until SIGINT or SIGTERM; then it stops accepting,
 * finishes the requests in progress and exits 0. Logs are JSON lines on stderr.
 */
export async function runServe(cmd: ServeCommand, ctx: CliContext): Promise<number> {
  const config = loadConfig(cmd.config, { cwd: ctx.cwd, env: ctx.env });
  const options = connectionOptions(config, ctx.env, cmd.database);
  const settings = serveSettings(cmd, ctx.env);
  const logger = jsonLogger((line) => ctx.stderr.write(line));
  diag.setLogger(diagLogger(logger), { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  const prometheus = prometheusMetrics();
  // Global, so the span processor's own counters are scraped from /metrics too.
  metrics.setGlobalMeterProvider(prometheus.meterProvider);
  try {
    return await withClickHouse('serve', options, async ({ client, database }) => {
      const receiver = new OtlpReceiver({
        ...settings,
        store: new ClickHouseRowStore({ client, database }),
        pricing: { catalog: config.catalog },
        logger,
        meterProvider: prometheus.meterProvider,
        metricsHandler: prometheus.handler,
      });
      const { url } = await receiver.start();
      ctx.stdout.write(`genai-cost serve: OTLP/HTTP traces at ${url}/v1/traces, prices from ${config.source}, storing into ${describeTarget(options)}\n`);
      if (!ctx.stop.aborted) await once(ctx.stop, 'abort');
      await receiver.shutdown();
      const s = receiver.getStats();
      ctx.stdout.write(`genai-cost serve: stopped; ${s.storedSpans} spans stored (${s.pricedSpans} priced, ${s.unpricedSpans} unpriced), ${s.droppedSpans} non-GenAI dropped, ${s.rejectedSpans} rejected\n`);
      return 0;
    });
  } finally {
    await prometheus.shutdown();
    metrics.disable();
    diag.disable();
  }
}
