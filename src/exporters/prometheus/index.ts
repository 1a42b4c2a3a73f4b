export { createPrometheusExporter, PHASE_BUCKETS } from './prometheus-exporter.ts';
export type { ModelNodeSample, PrometheusExporter, PrometheusExporterOptions } from './prometheus-exporter.ts';
export type { LastResult, LastResults, OrphanLedger, ReapCounts, Target } from './sources.ts';
export { metricsHandler } from './metrics-handler.ts';
export { startMetricsServer } from './metrics-server.ts';
export type { MetricsServer, MetricsServerOptions } from './metrics-server.ts';
export { writeTextfile } from '../../shared/textfile.ts';
export { pushToGateway } from './pushgateway.ts';
export type { PushOptions } from './pushgateway.ts';
