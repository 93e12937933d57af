import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MeterProvider as ApiMeterProvider } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** A meter provider whose metrics are read in Prometheus text format by `handler`. */
export interface PrometheusMetrics {
  meterProvider: ApiMeterProvider;
  /** Answers a scrape (`GET /metrics`). */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry metrics served in the Prometheus text format from the receiver's own port (the
 * exporter's server is not started): one port to open, one to scrape.
 */
export function prometheusMetrics(serviceName = 'genai-cost-receiver'): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), readers: [exporter] });
  return {
    meterProvider: provider,
    handler: (req, res) => exporter.getMetricsRequestHandler(req, res),
    shutdown: () => provider.shutdown(),
  };
}
