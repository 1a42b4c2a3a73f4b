// Pausing and resuming a suite × environment — or a scheduled scenario on one of its environments,
// `scenario:<name>` — by hand (API, `vigil pause`): checked like a trigger,
// stored, and noticed at once (the watcher tells the exporters). Maintenance windows are config: a
// resume lifts a stored pause only, and says when a window still holds the pair.
import { pauseTargetProblem } from '../core/index.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { PauseRows, PauseState, Pauses } from './pauses.ts';

export type PauseOutcome = { kind: 'paused'; pause: PauseState } | { kind: 'unknown' | 'invalid'; message: string };
export type ResumeOutcome = { kind: 'resumed' | 'not_paused'; stillPaused?: PauseState } | { kind: 'unknown'; message: string };

export interface PauseControlDeps {
  config: Pick<VigilConfig, 'suites' | 'environments' | 'scenarios'>;
  store: { pauses: PauseRows };
  pauses: Pick<Pauses, 'pausedNow' | 'all' | 'refresh'>;
  /** The pairs this process runs (a shard's own). */
  pairs: () => ReadonlyArray<{ suite: string; environment: string }>;
  /** Called after every change (the watcher's tick). */
  changed?: () => void;
  clock?: () => Date;
}

// Long enough for a migration weekend, short enough that a forgotten pause does not silence a pair for good.
export const MAX_PAUSE_MS = 30 * 86_400_000;

export function createPauseControl(deps: PauseControlDeps) {
  const clock = deps.clock ?? (() => new Date());
  return {
    /** Pauses in force now, manual and windows. */
    list: (): PauseState[] => deps.pauses.all(deps.pairs(), clock()),

    async pause(request: { suite: string; environment: string; until: Date; reason?: string }): Promise<PauseOutcome> {
      const problem = pauseTargetProblem(deps.config, request.suite, request.environment);
      if (problem) return { kind: 'unknown', message: problem };
      const now = clock();
      const ms = request.until.getTime() - now.getTime();
      if (!Number.isFinite(ms) || ms <= 0)
        return { kind: 'invalid', message: `the pause must end in the future (until ${request.until.toISOString()} is not after ${now.toISOString()})` };
      if (ms > MAX_PAUSE_MS) return { kind: 'invalid', message: 'a pause may last at most 30 days: resume, or declare a maintenance window in the config' };
      await deps.store.pauses.set({
        suite: request.suite,
        environment: request.environment,
        until: request.until.toISOString(),
        reason: request.reason?.trim() || 'paused by hand',
        createdAt: now.toISOString(),
      });
      await deps.pauses.refresh();
      deps.changed?.();
      return { kind: 'paused', pause: deps.pauses.pausedNow(request.suite, request.environment, now)! };
    },

    async resume(suite: string, environment: string): Promise<ResumeOutcome> {
      const problem = pauseTargetProblem(deps.config, suite, environment);
      if (problem) return { kind: 'unknown', message: problem };
      const removed = await deps.store.pauses.remove(suite, environment);
      await deps.pauses.refresh();
      deps.changed?.();
      const stillPaused = deps.pauses.pausedNow(suite, environment, clock());
      return { kind: removed ? 'resumed' : 'not_paused', ...(stillPaused ? { stillPaused } : {}) };
    },
  };
}

export type PauseControl = ReturnType<typeof createPauseControl>;
