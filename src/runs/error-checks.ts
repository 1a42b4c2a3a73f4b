// After a run whose tests passed: the errors its tests cannot see, from Prometheus. Each of the suite's
// and environment's `errorQueries` is asked at one instant after the suite ended, over the run's own
// window (`{{window}}`: from the run's start to that instant), once the targets it reads have been
// scraped since the suite ended — before that, the requests of the suite's last seconds are not in any
// sample yet. A query that cannot be asked is recorded with its error and changes nothing: the suite
// did test the app (docs/configuration.md, "errorQueries").
import { isSuccess, type ErrorCheck, type RunResult } from '../core/index.ts';
import type { ErrorQueryConfig } from '../config/error-query-schema.ts';
import type { VigilConfig } from '../config/schema.ts';
import { messageOf } from '../shared/errors.ts';
import { createPrometheusApi, type PrometheusApi } from '../shared/prometheus-api.ts';
import type { RunContext } from './run-context.ts';

const POLL_MS = 250;

/** The queries for a run: the environment's, with the suite's over those of the same name. */
export function errorQueriesFor(config: VigilConfig, suite: string, environment: string): ErrorQueryConfig[] {
  const own = config.suites[suite]?.errorQueries ?? [];
  const inherited = (config.environments[environment]?.errorQueries ?? []).filter((q) => !own.some((o) => o.name === q.name));
  return [...inherited, ...own];
}

/** Asks every error query of a passed or flaky run; fills `result.errorChecks`. Never throws. */
export async function checkErrors(ctx: RunContext, result: RunResult, suiteEndedMs: number, signal?: AbortSignal): Promise<void> {
  const queries = errorQueriesFor(ctx.config, result.suite, result.environment);
  if (!queries.length || !isSuccess(result.status)) return;
  const startedMs = Date.parse(result.startedAt);
  const waitStart = performance.now();
  result.errorChecks = await Promise.all(queries.map((q) => ask(ctx, q, { startedMs, suiteEndedMs, signal })));
  ctx.log.info(
    {
      runId: result.runId,
      waitedMs: Math.round(performance.now() - waitStart),
      checks: result.errorChecks.map((c) => ({ name: c.name, value: c.value, exceeded: c.exceeded, error: c.error })),
    },
    'error queries asked',
  );
}

interface Times {
  startedMs: number;
  suiteEndedMs: number;
  signal?: AbortSignal;
}

async function ask(ctx: RunContext, q: ErrorQueryConfig, times: Times): Promise<ErrorCheck> {
  const api = createPrometheusApi({ url: q.prometheus, timeoutMs: q.timeout });
  const base = { name: q.name, above: q.above, severity: q.severity, exceeded: false };
  let atMs = ctx.clock().getTime();
  let window = windowOf(times.startedMs, atMs);
  let query = q.query.replaceAll('{{window}}', window);
  try {
    await settle(ctx, api, q, times);
    atMs = ctx.clock().getTime();
    window = windowOf(times.startedMs, atMs);
    query = q.query.replaceAll('{{window}}', window);
    const value = largestValue(await api.query(query, atMs));
    return { ...base, query, value, exceeded: value > q.above, window, at: new Date(atMs).toISOString(), link: graphLink(q.prometheus, query, atMs, window) };
  } catch (err) {
    const error = messageOf(err);
    ctx.log.warn({ query: q.name, err: ctx.redact(error) }, 'an error query could not be asked; the run keeps its status');
    return { ...base, query, window, at: new Date(atMs).toISOString(), link: graphLink(q.prometheus, query, atMs, window), error };
  }
}

/** "93s": the run so far, rounded up to whole seconds (a range must not start after the run did). */
export const windowOf = (startedMs: number, atMs: number) => `${Math.max(1, Math.ceil((atMs - startedMs) / 1000))}s`;

/**
 * Waits until every active target (of `job`, when given) was scraped after the suite ended, at most
 * `settle` from the suite's end. A job with no active target is an error: the query would read nothing.
 */
async function settle(ctx: RunContext, api: PrometheusApi, q: ErrorQueryConfig, times: Times): Promise<void> {
  const deadline = times.suiteEndedMs + q.settle;
  for (;;) {
    const targets = (await api.targets()).filter((t) => q.job === undefined || t.job === q.job);
    if (q.job !== undefined && targets.length === 0) throw new Error(`Prometheus at ${q.prometheus} has no active target of job "${q.job}"`);
    const behind = targets.filter((t) => t.lastScrapeMs <= times.suiteEndedMs);
    if (behind.length === 0) return;
    if (ctx.clock().getTime() >= deadline || times.signal?.aborted) {
      ctx.log.warn(
        { query: q.name, behind: behind.map((t) => t.scrapeUrl) },
        'asking an error query before every target was scraped after the run: the last seconds of the run may be missing',
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** The answer's largest value (the worst series), 0 for no series: nothing counted is no error. */
function largestValue(answer: Awaited<ReturnType<PrometheusApi['query']>>): number {
  if (answer.resultType !== 'vector' && answer.resultType !== 'scalar')
    throw new Error(`the query answered a ${answer.resultType}, not a number (use an instant vector or a scalar)`);
  const values = answer.samples.map((s) => Number(s.value)).filter((v) => !Number.isNaN(v));
  return values.length ? Math.max(...values) : 0;
}

/** Prometheus' graph page, table tab, at the evaluation time: the query as it was asked. */
export function graphLink(prometheus: string, query: string, atMs: number, window: string): string {
  const moment = new Date(atMs).toISOString().slice(0, 19).replace('T', ' ');
  const params = new URLSearchParams({ 'g0.expr': query, 'g0.tab': '1', 'g0.moment_input': moment, 'g0.range_input': window });
  return `${prometheus.replace(/\/+$/, '')}/graph?${params.toString()}`;
}
