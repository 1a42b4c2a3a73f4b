// Prometheus' HTTP API, the calls the model and a run's error queries make: an instant query (POST
// /api/v1/query, a form body so long queries never hit a URL limit; at a given time for a run's
// window), the loaded rules (GET /api/v1/rules?type=alert) and the scrape targets (GET
// /api/v1/targets?state=active: how old the samples behind an answer are). In shared/ because both
// model/ and runs/ ask it. Failures throw PrometheusApiError with Prometheus' own error text
// ("bad_data: 1:6: parse error: …").
import { parseDuration } from './duration.ts';
import { messageOf, VigilError } from './errors.ts';

export class PrometheusApiError extends VigilError {}

/** Where Prometheus is and how long one call may take. */
export interface PrometheusConnection {
  /** Prometheus' base URL, e.g. http://prometheus:9090 (the API is under /api/v1). */
  url: string;
  timeoutMs: number;
}

export interface PromSample {
  labels: Record<string, string>;
  /** As Prometheus sends it: "1", "0.25", "NaN", "+Inf". */
  value: string;
  /** The sample's timestamp in the answer, epoch ms (for an instant query: the evaluation time). */
  atMs: number;
}

export interface PromQueryResult {
  resultType: 'vector' | 'scalar' | 'matrix' | 'string';
  samples: PromSample[];
}

export interface PromAlertRule {
  name: string;
  group: string;
  state: 'firing' | 'pending' | 'inactive';
  health: string;
  lastError?: string;
  /** Epoch ms; 0 when the rule was never evaluated. */
  lastEvaluationMs: number;
  /** The group's evaluation interval. */
  intervalMs: number;
  alerts: Array<{ labels: Record<string, string>; state: 'firing' | 'pending'; activeAt?: string }>;
}

/** A scrape target, for judging how old the samples behind an answer are (docs/model.md, Evidence). */
export interface PromTarget {
  scrapeUrl: string;
  /** The target's `job` label, when it has one. */
  job?: string;
  /** Epoch ms of the last scrape's start (the samples' timestamp); 0 when never scraped. */
  lastScrapeMs: number;
  /** 0 when Prometheus did not say. */
  intervalMs: number;
}

export interface PrometheusApi {
  url: string;
  /** At `atMs` (epoch ms) when given, else Prometheus' now. */
  query(expr: string, atMs?: number): Promise<PromQueryResult>;
  alertRules(): Promise<PromAlertRule[]>;
  targets(): Promise<PromTarget[]>;
}

type Envelope = { status?: string; data?: unknown; errorType?: string; error?: string };

/** One call of the HTTP API: its JSON envelope opened, every failure a PrometheusApiError saying why. */
async function call(config: PrometheusConnection, path: string, init: RequestInit = {}): Promise<unknown> {
  const url = new URL(path, config.url.endsWith('/') ? config.url : `${config.url}/`);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(config.timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${config.timeoutMs}ms` : (cause?.code ?? cause?.message ?? messageOf(err));
    throw new PrometheusApiError(`cannot reach Prometheus at ${config.url}: ${why}`);
  }
  const text = await res.text();
  let body: Envelope | undefined;
  try {
    body = JSON.parse(text) as Envelope;
  } catch {
    body = undefined;
  }
  if (body?.status === 'error')
    throw new PrometheusApiError(`Prometheus answered ${res.status}: ${body.errorType ? `${body.errorType}: ` : ''}${body.error ?? 'error'}`);
  if (!res.ok || body?.status !== 'success') {
    throw new PrometheusApiError(`Prometheus at ${config.url} answered ${res.status} to ${url.pathname}: ${text.replace(/\s+/g, ' ').trim().slice(0, 200)}`);
  }
  return body.data;
}

function jobOf(target: Record<string, unknown>): { job?: string } {
  const job = (target.labels as Record<string, string> | undefined)?.job ?? target.scrapePool;
  return typeof job === 'string' && job ? { job } : {};
}

export function createPrometheusApi(config: PrometheusConnection): PrometheusApi {
  const get = (path: string, init?: RequestInit) => call(config, path, init);
  return {
    url: config.url,
    async query(expr, atMs) {
      const form = new URLSearchParams({ query: expr });
      if (atMs !== undefined) form.set('time', (atMs / 1000).toFixed(3));
      const data = (await get('api/v1/query', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      })) as { resultType: PromQueryResult['resultType']; result: unknown };
      const toSample = (labels: Record<string, string>, pair: [number, string]): PromSample => ({ labels, value: pair[1], atMs: Math.round(pair[0] * 1000) });
      if (data.resultType === 'vector') {
        const series = data.result as Array<{ metric: Record<string, string>; value: [number, string] }>;
        return { resultType: 'vector', samples: series.map((s) => toSample(s.metric, s.value)) };
      }
      if (data.resultType === 'scalar') return { resultType: 'scalar', samples: [toSample({}, data.result as [number, string])] };
      return { resultType: data.resultType, samples: [] };
    },
    async targets() {
      const data = (await get('api/v1/targets?state=active')) as { activeTargets?: Array<Record<string, unknown>> };
      return (data.activeTargets ?? []).map((t): PromTarget => {
        const last = typeof t.lastScrape === 'string' ? Date.parse(t.lastScrape) : Number.NaN;
        return {
          scrapeUrl: String(t.scrapeUrl ?? ''),
          ...jobOf(t),
          // Go's zero time for a target not scraped yet.
          lastScrapeMs: Number.isFinite(last) && last > 0 ? last : 0,
          intervalMs: (typeof t.scrapeInterval === 'string' ? parseDuration(t.scrapeInterval) : undefined) ?? 0,
        };
      });
    },
    async alertRules() {
      const data = (await get('api/v1/rules?type=alert')) as {
        groups: Array<{ name: string; interval: number; rules: Array<Record<string, unknown>> }>;
      };
      return data.groups.flatMap((g) =>
        g.rules
          .filter((r) => r.type === 'alerting')
          .map((r): PromAlertRule => {
            const last = typeof r.lastEvaluation === 'string' ? Date.parse(r.lastEvaluation) : NaN;
            return {
              name: String(r.name),
              group: g.name,
              state: (r.state as PromAlertRule['state']) ?? 'inactive',
              health: String(r.health ?? 'unknown'),
              ...(typeof r.lastError === 'string' && r.lastError ? { lastError: r.lastError } : {}),
              // Go's zero time ("0001-01-01T00:00:00Z") for a rule not evaluated yet.
              lastEvaluationMs: Number.isFinite(last) && last > 0 ? last : 0,
              intervalMs: Math.round((g.interval ?? 0) * 1000),
              alerts: ((r.alerts as PromAlertRule['alerts'] | undefined) ?? []).map((a) => ({ labels: a.labels ?? {}, state: a.state, activeAt: a.activeAt })),
            };
          }),
      );
    },
  };
}
