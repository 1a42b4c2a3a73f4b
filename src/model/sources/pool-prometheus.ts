// A pool read from Prometheus (`pool: { prometheus: { query, label } }`): the members are the values of
// `label` in the answer, e.g. HAProxy's own exporter scraped by Prometheus,
// `haproxy_server_status{proxy="app"} == 1` → one series per server, label `server`, its state in label
// `state` (UP, DOWN, MAINT, DRAIN, NOLB; HAProxy 2.6 exports one series per state, 1 for the current).
// Prometheus that does not answer, a query it refuses, or an answer with no series at all is not an
// empty pool: it throws, and coverage says it cannot tell. A scrape that stopped makes HAProxy's
// series stale, which answers nothing — "no server takes traffic" is never concluded from silence.
import { createPrometheusApi, type PrometheusConnection } from './prometheus-api.ts';
import type { PoolServer } from './haproxy-runtime.ts';

export class PoolPrometheusError extends Error {}

export async function readPoolPrometheus(connection: PrometheusConnection, spec: { query: string; label: string; timeoutMs: number }): Promise<PoolServer[]> {
  const api = createPrometheusApi({ url: connection.url, timeoutMs: Math.min(connection.timeoutMs, spec.timeoutMs) });
  const answer = await api.query(spec.query);
  if (answer.resultType !== 'vector') throw new PoolPrometheusError(`the query answers a ${answer.resultType}, not series: ${spec.query}`);
  if (answer.samples.length === 0) {
    throw new PoolPrometheusError(`no series answer ${spec.query} (a typo, or the exporter is not scraped): an empty pool is not believed`);
  }
  const servers = new Map<string, PoolServer>();
  for (const sample of answer.samples) {
    const name = sample.labels[spec.label];
    if (!name) throw new PoolPrometheusError(`a series of the answer has no label ${JSON.stringify(spec.label)}: ${describeLabels(sample.labels)}`);
    // One series per state (a query without `== 1`): the one whose value is not 0 says the state.
    const state = sample.labels.state ?? 'listed';
    if (!servers.has(name) || Number(sample.value) !== 0) servers.set(name, { name, state });
  }
  return [...servers.values()];
}

const describeLabels = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
