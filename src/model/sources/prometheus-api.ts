// The Prometheus HTTP API client moved to src/shared/ (runs/ asks it too, for a run's error queries);
// the model's sources keep importing it from here.
export {
  createPrometheusApi,
  PrometheusApiError,
  type PrometheusApi,
  type PrometheusConnection,
  type PromAlertRule,
  type PromQueryResult,
  type PromSample,
  type PromTarget,
} from '../../shared/prometheus-api.ts';
