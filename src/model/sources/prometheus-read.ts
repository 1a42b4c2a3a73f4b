// The Prometheus source: one instant query per distinct query in the model (checks and discoveries
// sharing a query share its answer), and the alerting rules once when an `alert` check asks. Queries
// run a few at a time: a model with many checks should not open hundreds of connections at once.
// Reading never throws; each answer carries its own error, so one bad query does not blind the rest.
// With a `since` (evidence newer than the question), each query is asked once more as `timestamp(q)` —
// the scrape time of each series' sample — and the targets are read for their last scrapes.
import type { PrometheusSourceConfig } from '../../config/model-schema.ts';
import { messageOf } from '../../shared/errors.ts';
import { createPrometheusApi, type PromAlertRule, type PromQueryResult, type PromTarget } from './prometheus-api.ts';

export type PromAnswer = { ok: true; result: PromQueryResult } | { ok: false; error: string };

export interface PrometheusRead {
  url: string;
  queries: Map<string, PromAnswer>;
  /** Present when an alert check asked for the rules. */
  rules?: { ok: true; rules: PromAlertRule[] } | { ok: false; error: string };
  /** With a since: `timestamp(q)` per query, keyed by q. */
  sampleTimes?: Map<string, PromAnswer>;
  /** With a since: the active scrape targets. */
  targets?: { ok: true; targets: PromTarget[] } | { ok: false; error: string };
}

export interface PrometheusUses {
  queries: Set<string>;
  alerts: boolean;
  /** Read what tells how old the samples are (a question with a since). */
  sampleTimes?: boolean;
}

const CONCURRENT_QUERIES = 8;

const settle = <T>(p: Promise<T>) =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (err: unknown) => ({ ok: false as const, error: messageOf(err) }),
  );

export async function readPrometheus(config: PrometheusSourceConfig, uses: PrometheusUses): Promise<PrometheusRead> {
  const api = createPrometheusApi(config);
  const read: PrometheusRead = { url: config.url, queries: new Map() };
  if (uses.sampleTimes) read.sampleTimes = new Map();
  const pending = [...uses.queries].flatMap((expr) => [
    { expr, into: read.queries, ask: expr },
    ...(read.sampleTimes ? [{ expr, into: read.sampleTimes, ask: `timestamp(${expr})` }] : []),
  ]);
  const worker = async () => {
    for (let job = pending.shift(); job !== undefined; job = pending.shift()) {
      const answer = await settle(api.query(job.ask));
      job.into.set(job.expr, answer.ok ? { ok: true, result: answer.value } : answer);
    }
  };
  const rules = uses.alerts ? settle(api.alertRules()) : undefined;
  const targets = uses.sampleTimes ? settle(api.targets()) : undefined;
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_QUERIES, pending.length) }, worker));
  if (rules) {
    const r = await rules;
    read.rules = r.ok ? { ok: true, rules: r.value } : r;
  }
  if (targets) {
    const t = await targets;
    read.targets = t.ok ? { ok: true, targets: t.value } : t;
  }
  return read;
}
