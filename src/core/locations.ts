// A suite run from several locations has one state per pair, judged from each location's newest run —
// the question an operator asks first: down from everywhere, or down from Frankfurt? At least
// `minFailed` locations failing is CRITICAL; fewer is WARNING, naming them. A location with no answer
// (its newest run was a runner fault, it has none, or none recent) makes the pair UNKNOWN only where
// its answer could change the state: the state is judged once with the silent locations passing and
// once with them failing, and when the two differ Vigil does not pretend to know (docs/deploy.md).
// Nagios (the pair's check) and Prometheus (the pair's gauges) both read this one verdict.
import { ERROR_PHASE_WORDING, type RunResult, type RunStatus } from './run-result.ts';

export interface LocationRule {
  /** Where the suite runs from, as replicas name their `--location`. */
  locations: readonly string[];
  /** CRITICAL once this many locations' newest runs failed (1 … locations.length). */
  minFailed: number;
  /** A newest run older than this is no answer. */
  staleAfterMs: number;
}

/** 1 hour: the shipped VigilStale alert's threshold, so a location goes quiet on the same clock. */
export const DEFAULT_LOCATION_STALE_AFTER_MS = 3_600_000;

export type LocationAnswer = 'passed' | 'flaky' | 'failed' | 'unknown';

export interface LocationView {
  location: string;
  answer: LocationAnswer;
  /** The location's newest run, when it has one (also when stale). */
  run?: RunResult;
  /** Why an unknown location is: no run, its runner fault, or how old its newest run is. */
  why?: string;
}

export interface LocationsVerdict {
  /** The pair's status: passed (OK), flaky (WARNING), failed (CRITICAL), error (UNKNOWN). */
  status: RunStatus;
  failing: string[];
  flaky: string[];
  unknown: string[];
  views: LocationView[];
  /** One line for a person: `failing from us-east (1 of 3 locations, CRITICAL from 2)`. */
  sentence: string;
  /** The newest finishedAt among the locations' runs (the newest evidence the verdict holds). */
  newestAt?: string;
}

const age = (ms: number): string =>
  ms >= 2 * 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;

/** Each location's answer from its newest run. `newest` may hold runs of locations outside the rule: ignored. */
export function viewLocations(newest: ReadonlyMap<string, RunResult>, rule: LocationRule, now: Date): LocationView[] {
  return rule.locations.map((location): LocationView => {
    const run = newest.get(location);
    if (!run) return { location, answer: 'unknown', why: 'no run yet' };
    const finished = Date.parse(run.finishedAt);
    const old = now.getTime() - finished;
    if (!Number.isFinite(finished) || old > rule.staleAfterMs) return { location, answer: 'unknown', run, why: `no run for ${age(old)}` };
    if (run.status === 'error')
      return { location, answer: 'unknown', run, why: `runner fault${run.errorPhase ? `: ${ERROR_PHASE_WORDING[run.errorPhase]}` : ''}` };
    return { location, answer: run.status, run };
  });
}

export function judgeLocations(newest: ReadonlyMap<string, RunResult>, rule: LocationRule, now: Date): LocationsVerdict {
  const views = viewLocations(newest, rule, now);
  const named = (answer: LocationAnswer) => views.filter((v) => v.answer === answer).map((v) => v.location);
  const failing = named('failed');
  const flaky = named('flaky');
  const unknown = named('unknown');
  const n = Math.max(1, Math.min(rule.minFailed, rule.locations.length));
  const judge = (silentFail: boolean): RunStatus => {
    const f = failing.length + (silentFail ? unknown.length : 0);
    if (f >= n) return 'failed';
    if (f >= 1 || flaky.length > 0) return 'flaky';
    return 'passed';
  };
  const best = judge(false);
  const worst = judge(true);
  const status: RunStatus = best === worst ? best : 'error';

  const total = rule.locations.length;
  const of = (k: number) => `${k} of ${total} location${total === 1 ? '' : 's'}`;
  const threshold = n > 1 ? `, CRITICAL from ${n}` : '';
  const parts: string[] = [];
  if (failing.length)
    parts.push(`failing from ${failing.join(', ')}${status === 'flaky' && failing.length < n ? ' only' : ''} (${of(failing.length)}${threshold})`);
  if (unknown.length && status === 'error') {
    parts.push(
      `no answer from ${views
        .filter((v) => v.answer === 'unknown')
        .map((v) => `${v.location} (${v.why})`)
        .join(', ')}, which could change the state`,
    );
  }
  if (flaky.length && !failing.length) parts.push(`flaky from ${flaky.join(', ')}`);
  if (!parts.length) parts.push(`passed from ${total === 1 ? rule.locations[0] : `all ${total} locations`}`);

  let newestAt: string | undefined;
  for (const v of views) if (v.run && (!newestAt || v.run.finishedAt > newestAt)) newestAt = v.run.finishedAt;
  return { status, failing, flaky, unknown, views, sentence: parts.join('; '), ...(newestAt ? { newestAt } : {}) };
}

/**
 * The pair's consecutive failures under the rule: the `minFailed`-th longest streak among its
 * locations — how many runs in a row at least that many locations have been failing.
 */
export function pairStreak(streaks: readonly number[], minFailed: number): number {
  const sorted = [...streaks].sort((a, b) => b - a);
  return sorted[Math.max(0, minFailed - 1)] ?? 0;
}

/** A suite's rule from its configuration; undefined for a suite without `locations`. */
export function locationRuleOf(
  suite: { locations?: readonly string[]; minFailedLocations?: number; locationStaleAfter?: number } | undefined,
): LocationRule | undefined {
  if (!suite?.locations?.length) return undefined;
  return { locations: suite.locations, minFailed: suite.minFailedLocations ?? 1, staleAfterMs: suite.locationStaleAfter ?? DEFAULT_LOCATION_STALE_AFTER_MS };
}
