// One row per suite × environment of this replica's shard (also those other locations run): schedule, next fire, last result and what is
// queued or running now. Read by GET /api/suites and the UI's grid.
import { activeRuns } from './cluster-view.ts';
import { judgeLocations, type LocationAnswer, type RunResult, type RunStatus } from '../core/index.ts';
import type { Store } from '../store/types.ts';
import type { RunControl } from './run-control.ts';

export interface ResultBrief {
  runId: string;
  status: RunStatus;
  errorPhase?: RunResult['errorPhase'];
  trigger: RunResult['trigger'];
  startedAt: string;
  finishedAt: string;
  tests: RunResult['tests'];
  location?: string;
}

export interface SuiteRow {
  suite: string;
  environment: string;
  schedule: string | null;
  nextRun: string | null;
  last: ResultBrief | null;
  lastSuccessAt: string | null;
  running: { runId: string; since: string } | null;
  queued: { runId: string; since: string } | null;
  /** Newest first; only when asked for (`history`). */
  history?: ResultBrief[];
  /** False when this replica does not run the pair: the suite runs from other locations only. */
  here: boolean;
  /** A suite run from several locations: the pair's state by its rule, and each location's newest run. */
  locations?: LocationsRow;
}

export interface LocationsRow {
  /** The pair's state: passed (OK), flaky (WARNING), failed (CRITICAL), error (UNKNOWN). */
  status: RunStatus;
  sentence: string;
  minFailed: number;
  views: Array<{ location: string; answer: LocationAnswer; why?: string; last?: ResultBrief }>;
}

export const brief = (r: RunResult): ResultBrief => ({
  runId: r.runId,
  status: r.status,
  ...(r.errorPhase ? { errorPhase: r.errorPhase } : {}),
  trigger: r.trigger,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
  tests: r.tests,
  ...(r.location ? { location: r.location } : {}),
});

export async function suiteOverview(deps: {
  store: Pick<Store, 'runs'> & Partial<Pick<Store, 'cluster'>>;
  control: RunControl;
  history?: number;
}): Promise<SuiteRow[]> {
  const lastBy = new Map((await deps.store.runs.lastBySuite()).map((s) => [`${s.suite}@${s.environment}`, s]));
  const schedules = deps.control.schedules();
  const histories = deps.history
    ? await Promise.all(schedules.map(({ suite, environment }) => deps.store.runs.list({ suite, environment, limit: deps.history })))
    : undefined;
  const status = await activeRuns(deps);
  const now = new Date();
  const located = await Promise.all(
    schedules.map(async ({ suite, environment, locations }): Promise<LocationsRow | undefined> => {
      if (!locations) return undefined;
      const newest = new Map((await deps.store.runs.lastByLocation({ suite, environment })).map((r) => [r.location!, r]));
      const verdict = judgeLocations(newest, locations, now);
      return {
        status: verdict.status,
        sentence: verdict.sentence,
        minFailed: locations.minFailed,
        views: verdict.views.map((v) => ({
          location: v.location,
          answer: v.answer,
          ...(v.why ? { why: v.why } : {}),
          ...(v.run ? { last: brief(v.run) } : {}),
        })),
      };
    }),
  );
  const holding = (list: typeof status.running, suite: string, environment: string, since: 'startedAt' | 'queuedAt') => {
    const r = list.find((x) => x.suite === suite && x.environment === environment);
    return r ? { runId: r.runId, since: r[since] ?? r.queuedAt } : null;
  };
  return schedules.map(({ suite, environment, schedule, nextRun, here }, i): SuiteRow => {
    const summary = lastBy.get(`${suite}@${environment}`);
    return {
      suite,
      environment,
      schedule: schedule ?? null,
      nextRun: nextRun ?? null,
      last: summary ? brief(summary.last) : null,
      lastSuccessAt: summary?.lastSuccessAt ?? null,
      running: holding(status.running, suite, environment, 'startedAt'),
      queued: holding(status.queued, suite, environment, 'queuedAt'),
      ...(histories ? { history: histories[i].map(brief) } : {}),
      here,
      ...(located[i] ? { locations: located[i] } : {}),
    };
  });
}
