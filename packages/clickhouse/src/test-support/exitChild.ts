/**
 * An app that exports spans through a SimpleSpanProcessor and ends without calling shutdown().
 * Run by the exit test: `node --import tsx --conditions=@genai-cost/source exitChild.ts <server url> <shutdownTimeoutMs>`.
 */
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { GenAICostSpanProcessor } from '@genai-cost/otel';
import { ClickHouseSpanExporter } from '../ClickHouseSpanExporter.js';
import { CHAT_ATTRS, TEST_PRICES } from './tracing.js';

diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.ERROR);
const [url, timeout] = process.argv.slice(2);
const client = createClient({ url: url!, log: { level: ClickHouseLogLevel.OFF } });
const exporter = new ClickHouseSpanExporter({ client, retryInitialMs: 10, retryMaxMs: 50, shutdownTimeoutMs: Number(timeout) });
const provider = new BasicTracerProvider({ spanProcessors: [new GenAICostSpanProcessor({ prices: TEST_PRICES }), new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('exit-test');
for (let i = 0; i < 5; i++) tracer.startSpan(`chat ${i}`, { attributes: CHAT_ATTRS }).end();
process.stdout.write('ended\n');
