// Notices pauses beginning and ending — set through the API or `vigil pause` (possibly by another
// process sharing the store), or a maintenance window opening and closing — and tells the exporters:
// Prometheus's vigil_paused, Nagios's "paused until …" result (and downtime). `vigil serve` ticks it
// every few seconds and right after the API changed a pause.
import { targetKey } from '../core/index.ts';
import type { PauseState, Pauses } from './pauses.ts';

export interface PauseWatcherDeps {
  pauses: Pick<Pauses, 'all'>;
  /** The pairs this replica runs. */
  pairs: () => ReadonlyArray<{ suite: string; environment: string }>;
  /** A pause began, or its end or reason changed. */
  onPause: (pause: PauseState) => void;
  /** A pause ended: `early` when lifted before its `until` (explicit resume), else it ran out. */
  onResume: (pause: PauseState, early: boolean) => void;
  clock?: () => Date;
}

export function createPauseWatcher(deps: PauseWatcherDeps) {
  const clock = deps.clock ?? (() => new Date());
  let current = new Map<string, PauseState>();
  return {
    tick(): void {
      const now = clock();
      const next = new Map(deps.pauses.all(deps.pairs(), now).map((p) => [targetKey(p.suite, p.environment), p]));
      for (const [key, pause] of next) {
        const before = current.get(key);
        if (!before || before.until !== pause.until || before.reason !== pause.reason) deps.onPause(pause);
      }
      for (const [key, pause] of current) {
        if (!next.has(key)) deps.onResume(pause, Date.parse(pause.until) > now.getTime());
      }
      current = next;
    },
    /** As of the last tick. */
    current: (): PauseState[] => [...current.values()],
  };
}

export type PauseWatcher = ReturnType<typeof createPauseWatcher>;
