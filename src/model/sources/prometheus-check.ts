// Prometheus checks from a snapshot → CheckStatus. Pure.
// A query check: every series the query returns must satisfy `condition`; one that does not is
// CRITICAL (WARNING when it satisfies `warning`). No series at all is `missing`: an absent series —
// a target gone, a metric renamed, a typo in a label — must never read as green.
// An alert check: the alerting rule must be loaded (else `missing`); firing is CRITICAL, pending is
// WARNING, loaded and quiet is OK, judged fresh by the rule's last evaluation.
import { STATE_RANK as RANK } from '../../core/index.ts';
import { satisfies, sampleValue, type Condition } from '../../config/model-condition.ts';
import type { SeriesPick } from '../../config/model-schema.ts';
import type { CheckStatus, State } from '../types.ts';
import { DEFAULT_FRESHNESS_MS, formatAge } from './nagios-check.ts';
import type { PromQueryResult, PromSample } from './prometheus-api.ts';
import { oldestScrapeBehind, samplesTakenAt } from './prometheus-evidence.ts';
import type { PrometheusRead } from './prometheus-read.ts';
import { unknownStatus } from './unknown-status.ts';

interface Ctx {
  nowMs: number;
  freshnessMs?: number;
}

export interface QuerySpec {
  query: string;
  condition: Condition;
  warning?: Condition;
  series?: SeriesPick;
}

export interface AlertSpec {
  alert: string;
  labels?: Record<string, string>;
}

const labelText = (labels: Record<string, string>) =>
  `{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(',')}}`;

export const prometheusQueryId = (spec: QuerySpec): string =>
  `prometheus:${spec.query} ${spec.condition.text}${spec.series ? ` [${spec.series.label}=${JSON.stringify(spec.series.value)}]` : ''}`;

export const prometheusAlertId = (spec: AlertSpec): string =>
  `prometheus:alert:${spec.alert}${spec.labels && Object.keys(spec.labels).length ? labelText(spec.labels) : ''}`;

/** `up{instance="app-0:80",job="app"}`: the series as Prometheus writes it. */
const seriesName = (labels: Record<string, string>) => {
  const { __name__: name = '', ...rest } = labels;
  return Object.keys(rest).length ? `${name}${labelText(rest)}` : name || '{}';
};

const MIN_RULE_FRESHNESS_MS = 30_000;

const isoOrNull = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : null);

// Discovered members each pick their series out of the same answer: indexed once per answer and label,
// not filtered once per member (1,000 members over 1,000 series: 21 ms → 5 ms, npm run bench).
const indexes = new WeakMap<PromQueryResult, Map<string, Map<string, PromSample[]>>>();

function seriesWith(result: PromQueryResult, pick: SeriesPick): PromSample[] {
  let byLabel = indexes.get(result);
  if (!byLabel) indexes.set(result, (byLabel = new Map()));
  let byValue = byLabel.get(pick.label);
  if (!byValue) {
    byValue = new Map();
    for (const s of result.samples) {
      const v = s.labels[pick.label];
      if (v === undefined) continue;
      const list = byValue.get(v);
      if (list) list.push(s);
      else byValue.set(v, [s]);
    }
    byLabel.set(pick.label, byValue);
  }
  return byValue.get(pick.value) ?? [];
}

function unusable(
  id: string,
  reason: 'unreachable' | 'missing' | 'pending',
  detail: string,
  ctx: Ctx,
  freshnessMs = ctx.freshnessMs ?? DEFAULT_FRESHNESS_MS,
): CheckStatus {
  return unknownStatus({ id, source: 'prometheus', reason, detail, freshnessMs });
}

export function resolvePrometheusQuery(spec: QuerySpec, read: PrometheusRead | undefined, ctx: Ctx): CheckStatus {
  const id = prometheusQueryId(spec);
  if (!read) return unusable(id, 'unreachable', 'no Prometheus source is configured (model.sources.prometheus)', ctx);
  const answer = read.queries.get(spec.query);
  if (!answer) return unusable(id, 'unreachable', `the query was not run (${spec.query})`, ctx);
  if (!answer.ok) return unusable(id, 'unreachable', answer.error, ctx);
  const { resultType } = answer.result;
  if (resultType !== 'vector' && resultType !== 'scalar') {
    return unusable(
      id,
      'unreachable',
      `the query returns a ${resultType === 'matrix' ? 'range vector' : resultType}; a check needs an instant vector or a scalar`,
      ctx,
    );
  }
  const pick = spec.series;
  const samples = pick ? seriesWith(answer.result, pick) : answer.result.samples;
  if (samples.length === 0) {
    const what = pick ? `no series with ${pick.label}=${JSON.stringify(pick.value)}` : 'no series';
    return unusable(id, 'missing', `the query returned ${what}: an absent series is not green (target not scraped, metric or label renamed?)`, ctx);
  }

  const judged = samples.map((s) => {
    const value = sampleValue(s.value);
    const state: State = satisfies(value, spec.condition) ? 'OK' : spec.warning && satisfies(value, spec.warning) ? 'WARNING' : 'CRITICAL';
    return { sample: s, state };
  });
  const worst = judged.reduce((a, b) => (RANK[b.state] > RANK[a.state] ? b : a));
  const state = worst.state;
  const failing = judged.filter((j) => j.state !== 'OK');
  const shown = (list: typeof judged) =>
    list
      .slice(0, 3)
      .map((j) => `${seriesName(j.sample.labels)} = ${j.sample.value}`)
      .join(', ') + (list.length > 3 ? `, … ${list.length - 3} more` : '');
  const output = failing.length
    ? `${failing.length} of ${judged.length} series not ${spec.condition.text}: ${shown(failing)}`
    : judged.length === 1
      ? `${shown(judged)} (${spec.condition.text})`
      : `${judged.length} series, all ${spec.condition.text}`;

  // An instant query's sample carries the evaluation time; the oldest one is what freshness judges.
  const oldest = Math.min(...samples.map((s: PromSample) => s.atMs));
  const freshnessMs = ctx.freshnessMs ?? DEFAULT_FRESHNESS_MS;
  const ageMs = ctx.nowMs - oldest;
  const fresh = ageMs <= freshnessMs;
  const result: CheckStatus = {
    id,
    source: 'prometheus',
    state,
    raw: worst.sample.value,
    reason: fresh ? 'fresh' : 'stale',
    downtime: false,
    acknowledged: false,
    output,
    lastCheck: new Date(oldest).toISOString(),
    freshnessMs,
    green: fresh && state === 'OK',
    red: fresh && state === 'CRITICAL',
  };
  if (!fresh) result.detail = `sample ${formatAge(ageMs)} old, older than its freshness ${formatAge(freshnessMs)}`;
  if (read.targets) result.takenAt = isoOrNull(samplesTakenAt(read, spec.query, samples));
  return result;
}

export function resolvePrometheusAlert(spec: AlertSpec, read: PrometheusRead | undefined, ctx: Ctx): CheckStatus {
  const id = prometheusAlertId(spec);
  if (!read) return unusable(id, 'unreachable', 'no Prometheus source is configured (model.sources.prometheus)', ctx);
  if (!read.rules) return unusable(id, 'unreachable', 'the alerting rules were not read', ctx);
  if (!read.rules.ok) return unusable(id, 'unreachable', read.rules.error, ctx);
  const rules = read.rules.rules.filter((r) => r.name === spec.alert);
  if (rules.length === 0) {
    return unusable(id, 'missing', `no alerting rule ${JSON.stringify(spec.alert)} is loaded in Prometheus: an alert that cannot fire is not green`, ctx);
  }
  const wanted = Object.entries(spec.labels ?? {});
  const alerts = rules.flatMap((r) => r.alerts).filter((a) => wanted.every(([k, v]) => a.labels[k] === v));
  const firing = alerts.filter((a) => a.state === 'firing');
  const pendingAlerts = alerts.filter((a) => a.state === 'pending');
  const broken = rules.find((r) => r.health === 'err');
  const state: State = firing.length ? 'CRITICAL' : broken ? 'UNKNOWN' : pendingAlerts.length ? 'WARNING' : 'OK';
  const raw = firing.length ? 'firing' : pendingAlerts.length ? 'pending' : 'inactive';
  const list = (xs: typeof alerts) =>
    xs
      .slice(0, 3)
      .map((a) => labelText(a.labels))
      .join(', ') + (xs.length > 3 ? `, … ${xs.length - 3} more` : '');
  const output = firing.length
    ? `${firing.length} alert${firing.length === 1 ? '' : 's'} firing: ${list(firing)}`
    : broken
      ? `rule cannot be evaluated: ${broken.lastError ?? 'health err'}`
      : pendingAlerts.length
        ? `${pendingAlerts.length} alert${pendingAlerts.length === 1 ? '' : 's'} pending: ${list(pendingAlerts)}`
        : 'rule loaded, not firing';

  // Like an active check: two missed evaluations are too many. The floor keeps a 1s test interval (or a
  // Prometheus busy for a moment) from turning every poll stale.
  const interval = Math.max(...rules.map((r) => r.intervalMs));
  const freshnessMs = ctx.freshnessMs ?? (interval > 0 ? Math.max(2 * interval, MIN_RULE_FRESHNESS_MS) : DEFAULT_FRESHNESS_MS);
  // Every rule of that name must have been evaluated; the least recent one decides.
  const evaluated = Math.min(...rules.map((r) => r.lastEvaluationMs));
  if (evaluated === 0) return unusable(id, 'pending', 'Prometheus has not evaluated the rule yet', ctx, freshnessMs);
  const ageMs = ctx.nowMs - evaluated;
  const fresh = ageMs <= freshnessMs;
  const result: CheckStatus = {
    id,
    source: 'prometheus',
    state,
    raw,
    reason: fresh ? 'fresh' : 'stale',
    downtime: false,
    acknowledged: false,
    output,
    lastCheck: new Date(evaluated).toISOString(),
    freshnessMs,
    green: fresh && state === 'OK',
    red: fresh && state === 'CRITICAL',
  };
  if (!fresh)
    result.detail = `rule last evaluated ${formatAge(ageMs)} ago, older than its freshness ${formatAge(freshnessMs)} (is Prometheus evaluating rules?)`;
  if (read.targets) result.takenAt = isoOrNull(oldestScrapeBehind(read, evaluated));
  return result;
}
