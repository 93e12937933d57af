import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCommand } from '../../packages/cli/src/args.js';
import type { DemoCommand } from '../../packages/cli/src/args.js';
import { ACCEPTED_ENCODINGS } from '../../packages/receiver/src/http/body.js';

/*
 * The Collector binary is not available here, so its configuration is checked against the
 * documented schema of the components it uses (opentelemetry-collector exporter/otlphttpexporter
 * and exporter/exporterhelper READMEs, contrib extension/storage/filestorage): known keys only,
 * valid values, and every reference resolving. A key the Collector does not know would stop it.
 */
const ROOT = join(import.meta.dirname, '../..');
const config = parse(readFileSync(join(ROOT, 'collector/otel-collector.yaml'), 'utf8'));
const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'));

const OTLP_HTTP_KEYS = [
  'endpoint', 'traces_endpoint', 'metrics_endpoint', 'logs_endpoint', 'profiles_endpoint', 'encoding', 'compression', 'compression_params',
  'headers', 'timeout', 'tls', 'auth', 'proxy_url', 'read_buffer_size', 'write_buffer_size', 'max_idle_conns', 'max_idle_conns_per_host',
  'max_conns_per_host', 'idle_conn_timeout', 'disable_keep_alives', 'http2_read_idle_timeout', 'http2_ping_timeout', 'cookies',
  'retry_on_failure', 'sending_queue',
];
const RETRY_KEYS = ['enabled', 'initial_interval', 'randomization_factor', 'multiplier', 'max_interval', 'max_elapsed_time'];
const QUEUE_KEYS = ['enabled', 'num_consumers', 'queue_size', 'blocking', 'block_on_overflow', 'sizer', 'storage', 'wait_for_result', 'batch'];
const FILE_STORAGE_KEYS = ['directory', 'timeout', 'create_directory', 'directory_permissions', 'fsync', 'compaction'];
/** Go durations as the Collector parses them. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;
/** What the receiver decodes among the compressions the Collector's HTTP client offers (gzip, zstd, snappy, zlib, deflate, lz4, none). */
const RECEIVER_COMPRESSIONS = ['none', ...ACCEPTED_ENCODINGS.filter((e) => e === 'gzip' || e === 'deflate'), 'zlib'];

const exporterName = 'otlp_http/genai_cost';
const exporter = config.exporters[exporterName];

describe('the Collector recipe (collector/otel-collector.yaml)', () => {
  it('exports traces with otlp_http (not the deprecated otlphttp) using only documented keys', () => {
    expect(Object.keys(config.exporters)).toEqual([exporterName]);
    for (const key of Object.keys(exporter)) expect(OTLP_HTTP_KEYS, key).toContain(key);
    expect(exporter.encoding).toBe('proto');
    expect(RECEIVER_COMPRESSIONS).toContain(exporter.compression);
    expect(exporter.timeout).toMatch(DURATION);
  });

  it('retries with backoff and without a deadline, from a persistent queue on file_storage', () => {
    for (const key of Object.keys(exporter.retry_on_failure)) expect(RETRY_KEYS, key).toContain(key);
    expect(exporter.retry_on_failure.enabled).toBe(true);
    for (const key of ['initial_interval', 'max_interval', 'max_elapsed_time']) expect(exporter.retry_on_failure[key]).toMatch(DURATION);
    for (const key of Object.keys(exporter.sending_queue)) expect(QUEUE_KEYS, key).toContain(key);
    expect(exporter.sending_queue).toMatchObject({ enabled: true, storage: 'file_storage/queue' });
    const storage = config.extensions[exporter.sending_queue.storage];
    for (const key of Object.keys(storage)) expect(FILE_STORAGE_KEYS, key).toContain(key);
    expect(config.service.extensions).toContain(exporter.sending_queue.storage);
  });

  it('wires a traces pipeline whose components are all defined', () => {
    const pipeline = config.service.pipelines.traces;
    for (const r of pipeline.receivers) expect(config.receivers).toHaveProperty([r]);
    for (const p of pipeline.processors) expect(config.processors).toHaveProperty([p]);
    for (const e of pipeline.exporters) expect(config.exporters).toHaveProperty([e]);
    for (const x of config.service.extensions) expect(config.extensions).toHaveProperty([x]);
    // memory_limiter first, as the Collector documents, so it can refuse data before it is batched.
    expect(pipeline.processors[0]).toBe('memory_limiter');
    expect(config.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
  });

  it('runs in docker compose in front of the serve service, with the queue on a volume', () => {
    const collector = compose.services.collector;
    const serve = compose.services.serve;
    expect(collector.image).toMatch(/^otel\/opentelemetry-collector-contrib:\d+\.\d+\.\d+$/);
    expect(collector.volumes).toEqual(['./collector/otel-collector.yaml:/etc/otelcol-contrib/config.yaml:ro', `collector-queue:${config.extensions['file_storage/queue'].directory}`]);
    expect(collector.environment.GENAI_COST_SERVE_URL).toBe('http://serve:4318');
    expect(exporter.endpoint).toBe('${env:GENAI_COST_SERVE_URL}');
    // Not waiting for serve to be healthy: the queue on disk holds what serve cannot take yet.
    expect(collector.depends_on).toEqual({ serve: { condition: 'service_started' } });
    expect(collector.ports).toEqual(['127.0.0.1:4317:4317', '127.0.0.1:4318:4318']);
    expect(serve.environment).toMatchObject({ GENAI_COST_SERVE_HOST: '0.0.0.0', CLICKHOUSE_URL: 'http://clickhouse:8123', CLICKHOUSE_USER: 'genai_cost_writer' });
    expect(serve.command).toEqual(['genai-cost', 'serve']);
    expect(serve.healthcheck.test.join(' ')).toContain('http://localhost:4318/readyz');
  });

  it('carries part of the demo\'s live traffic from the demo through the Collector to serve, into the database the dashboards read', () => {
    const demo = compose.services.demo;
    const serve = compose.services.serve;
    const [bin, ...args] = demo.command as string[];
    expect(bin).toBe('genai-cost');
    const parsed = [parseCommand(args, Date.now())];
    // Only the demo touches the schema: it refuses a database it did not create, so nothing may run migrate first.
    expect(parsed).toMatchObject([{ name: 'demo', continuous: true, database: 'genai_cost', otlp: { endpoint: 'http://collector:4318', share: 0.5 } }]);
    const run = parsed[0] as DemoCommand;
    expect(JSON.stringify(Object.values(compose.services).map((s) => (s as { command?: unknown }).command))).not.toContain('migrate');
    expect(demo.depends_on).toMatchObject({ collector: { condition: 'service_started' } });
    // The demo's endpoint is the Collector's OTLP/HTTP receiver, which exports to serve.
    expect(new URL(run.otlp!.endpoint).port).toBe(config.receivers.otlp.protocols.http.endpoint.split(':')[1]);
    expect(config.service.pipelines.traces.exporters).toEqual([exporterName]);
    // serve and the demo write the database that Grafana's data source and alert rules read.
    const datasource = parse(readFileSync(join(ROOT, 'grafana/provisioning/datasources/clickhouse.yaml'), 'utf8')).datasources[0];
    expect(serve.environment.CLICKHOUSE_DATABASE).toBe(datasource.jsonData.defaultDatabase);
    expect(run.database).toBe(datasource.jsonData.defaultDatabase);
    expect(readFileSync(join(ROOT, 'grafana/provisioning/alerting/genai-cost-rules.yaml'), 'utf8')).toContain(`FROM ${datasource.jsonData.defaultDatabase}.genai_spans`);
  });
});
