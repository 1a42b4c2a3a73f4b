// The Prometheus source: one instant query per distinct query in the model (checks and discoveries
// sharing a query share its answer), and the alerting rules once when an `alert` check asks. Queries
// run a few at a time: a model with many checks should not open hundreds of connections at once.
// Reading never throws; each answer carries its own error, so one bad query does not blind the rest.
import type { PrometheusSourceConfig } from '../../config/model-schema.ts';
import { messageOf } from '../../shared/errors.ts';
import { createPrometheusApi, type PromAlertRule, type PromQueryResult } from './prometheus-api.ts';

export type PromAnswer = { ok: true; result: PromQueryResult } | { ok: false; error: string };

export interface PrometheusRead {
  url: string;
  queries: Map<string, PromAnswer>;
  /** Present when an alert check asked for the rules. */
  rules?: { ok: true; rules: PromAlertRule[] } | { ok: false; error: string };
}

export interface PrometheusUses {
  queries: Set<string>;
  alerts: boolean;
}

const CONCURRENT_QUERIES = 8;

export async function readPrometheus(config: PrometheusSourceConfig, uses: PrometheusUses): Promise<PrometheusRead> {
  const api = createPrometheusApi(config);
  const read: PrometheusRead = { url: config.url, queries: new Map() };
  const pending = [...uses.queries];
  const worker = async () => {
    for (let expr = pending.shift(); expr !== undefined; expr = pending.shift()) {
      try {
        read.queries.set(expr, { ok: true, result: await api.query(expr) });
      } catch (err) {
        read.queries.set(expr, { ok: false, error: messageOf(err) });
      }
    }
  };
  const rules = uses.alerts
    ? api.alertRules().then(
        (list) => ({ ok: true as const, rules: list }),
        (err: unknown) => ({ ok: false as const, error: messageOf(err) }),
      )
    : undefined;
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_QUERIES, pending.length) }, worker));
  if (rules) read.rules = await rules;
  return read;
}
