// What a run does to the series, and what the exporter remembers per pair to decide it: the counters
// every run moves, the pair's "last …" gauges from its newest run, and, for a suite run from several
// locations, each location's gauges and the pair's state judged from them. publish
// (prometheus-exporter.ts) and the restore from the store (restore.ts) both write through here, so a
// restored pair and a published one look the same.
import { isSuccess, judgeLocations, pairStreak, type LocationRule, type RunResult, type RunStatus } from '../../core/index.ts';
import { PHASES, RUN_STATUSES, TEST_OUTCOMES, type Families } from './families.ts';
import { pairKey } from './label-scope.ts';
import type { Target } from './sources.ts';

// Spooled results are published again after a restart or retry; a run must count once.
const SEEN_RUN_IDS = 1000;

/** A suite run from several locations: each location's newest run and failure streak. */
export interface Located {
  rule: LocationRule;
  suite: string;
  environment: string;
  newest: Map<string, RunResult>;
  streaks: Map<string, number>;
}

export interface PairState {
  /** Last finishedAt seen per pair: a spooled result published late must not roll the gauges back. */
  newest: Map<string, number>;
  /** Failed runs in a row per pair (vigil_consecutive_failures). */
  streak: Map<string, number>;
  /** The last SEEN_RUN_IDS run ids counted. */
  seen: Set<string>;
  /** Per pair with locations. */
  located: Map<string, Located>;
}

export function createPairState(targets: Target[] | undefined): PairState {
  const located = new Map<string, Located>();
  for (const t of targets ?? []) {
    if (t.locations) located.set(pairKey(t), { rule: t.locations, suite: t.suite, environment: t.environment, newest: new Map(), streaks: new Map() });
  }
  return { newest: new Map(), streak: new Map(), seen: new Set(), located };
}

/** True the first time a run id is seen (and remembers it); false for a run already counted. */
export function firstSighting(state: PairState, runId: string): boolean {
  const { seen } = state;
  if (seen.has(runId)) return false;
  seen.add(runId);
  if (seen.size > SEEN_RUN_IDS) seen.delete(seen.values().next().value as string);
  return true;
}

/** The counters and the phase histogram: every run counts, however old. */
export function countRun(families: Families, result: RunResult): void {
  const { runs, phaseDuration, runErrors, createFailures, destroyFailures } = families;
  const { suite, environment } = result;
  runs.inc(suite, environment, 1, result.status);
  for (const phase of PHASES) {
    const seconds = result.phases[phase];
    if (Number.isFinite(seconds) && seconds >= 0) phaseDuration.observe({ phase }, seconds);
  }
  if (result.status === 'error') runErrors.inc(suite, environment, 1, result.errorPhase ?? 'unknown');
  if (result.errorPhase === 'tenant_setup' || result.tenant?.state === 'create_failed') {
    createFailures.inc({ environment: result.environment });
  }
  if (result.tenant?.state === 'teardown_failed') destroyFailures.inc({ environment: result.environment });
  for (const check of result.errorChecks ?? []) {
    if (check.error !== undefined) families.errorQueryFailures.inc({ suite, environment, query: check.name });
  }
}

/** The gauges of a published run: its location's, and the pair's where it is the newest run. */
export function takeRun(families: Families, state: PairState, result: RunResult, clock: () => Date): void {
  const key = pairKey(result);
  const pair = state.located.get(key);
  if (pair) setLocation(families, pair, result, (previous) => nextStreak(previous, result.status));
  const finished = Date.parse(result.finishedAt);
  if (finished >= (state.newest.get(key) ?? -Infinity)) {
    state.newest.set(key, finished);
    state.streak.set(key, nextStreak(state.streak.get(key) ?? 0, result.status));
    const ok = isSuccess(result.status);
    setLast(families, state, result, ok ? result.finishedAt : undefined);
  }
  if (pair) applyVerdict(families, pair, clock);
}

/** The pair's "last …" gauges from its newest run; the streak is the one held in `state`. */
export function setLast(families: Families, state: PairState, result: RunResult, lastSuccessAt: string | undefined): void {
  const { probeSuccess, probeDuration, lastRun, lastSuccess, lastStatus, tests, consecutiveFailures } = families;
  const { suite, environment } = result;
  const finished = Date.parse(result.finishedAt);
  const started = Date.parse(result.startedAt);
  const ok = isSuccess(result.status);
  probeSuccess.set(suite, environment, ok ? 1 : 0);
  if (Number.isFinite(finished) && Number.isFinite(started)) {
    probeDuration.set(suite, environment, Math.max(0, (finished - started) / 1000));
  }
  if (Number.isFinite(finished)) lastRun.set(suite, environment, finished / 1000);
  const successAt = lastSuccessAt ? Date.parse(lastSuccessAt) : NaN;
  if (Number.isFinite(successAt)) lastSuccess.set(suite, environment, successAt / 1000);
  for (const status of RUN_STATUSES) lastStatus.set(suite, environment, status === result.status ? 1 : 0, status);
  for (const outcome of TEST_OUTCOMES) tests.set(suite, environment, result.tests[outcome] ?? 0, outcome);
  consecutiveFailures.set(suite, environment, state.streak.get(pairKey(result)) ?? 0);
  // Only a query that was asked moves its gauge: a failed run or an unreachable Prometheus leaves the last value.
  for (const check of result.errorChecks ?? []) {
    if (check.value === undefined) continue;
    families.errorQueryValue.set({ suite, environment, query: check.name }, check.value);
    families.errorQueryExceeded.set({ suite, environment, query: check.name, severity: check.severity }, check.exceeded ? 1 : 0);
  }
}

function nextStreak(previous: number, status: RunStatus): number {
  if (status === 'failed') return previous + 1;
  if (status === 'error') return previous;
  return 0;
}

/** A location's newest run (with its streak): its own gauges. False when it is not newer than the one held. */
export function setLocation(families: Families, pair: Located, result: RunResult, streakOf: (previous: number) => number): boolean {
  const location = result.location;
  if (!location || !pair.rule.locations.includes(location)) return false;
  const held = pair.newest.get(location);
  if (held && Date.parse(held.finishedAt) > Date.parse(result.finishedAt)) return false;
  if (held?.runId === result.runId) return false;
  pair.newest.set(location, result);
  pair.streaks.set(location, streakOf(pair.streaks.get(location) ?? 0));
  const labels = { suite: pair.suite, environment: pair.environment, location };
  families.locationProbeSuccess.set(labels, isSuccess(result.status) ? 1 : 0);
  const finished = Date.parse(result.finishedAt);
  if (Number.isFinite(finished)) families.locationLastRun.set(labels, finished / 1000);
  families.locationConsecutiveFailures.set(labels, pair.streaks.get(location)!);
  return true;
}

/** The pair's state from its locations' newest runs: probe_success, last_status and the streak follow the rule. */
export function applyVerdict(families: Families, pair: Located, clock: () => Date): void {
  if (pair.newest.size === 0) return;
  const verdict = judgeLocations(pair.newest, pair.rule, clock());
  const { suite, environment } = pair;
  families.probeSuccess.set(suite, environment, isSuccess(verdict.status) ? 1 : 0);
  for (const status of RUN_STATUSES) families.lastStatus.set(suite, environment, status === verdict.status ? 1 : 0, status);
  families.consecutiveFailures.set(suite, environment, pairStreak([...pair.streaks.values()], pair.rule.minFailed));
}
