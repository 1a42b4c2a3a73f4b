// Whether a suite × environment is paused now, and until when: a pause set through the API or
// `vigil pause` (rows in the store, so a restart keeps them), or a maintenance window of the config
// (cron + duration). A paused pair's scheduled fires are skipped and counted; the exporters say
// "paused" instead of paging. Resuming is explicit (DELETE / `vigil resume`) or the pause's end.
// The stored pauses are read into memory by refresh() — at start, on every watcher tick (a pause set
// through another replica or process counts from the next tick) and after a change made here — so
// the scheduler's fire asks synchronously.
import cron, { type ScheduledTask } from 'node-cron';
import type { MaintenanceWindow } from '../config/maintenance-schema.ts';

export interface PauseState {
  suite: string;
  environment: string;
  /** ISO 8601. */
  until: string;
  reason: string;
  source: 'manual' | 'window';
}

/** What this layer needs of the store's pause rows (the scheduler does not import the store layer). */
export interface PauseRows {
  set(pause: { suite: string; environment: string; until: string; reason: string; createdAt: string }): Promise<void>;
  remove(suite: string, environment: string): Promise<boolean>;
  list(now?: Date): Promise<Array<{ suite: string; environment: string; until: string; reason: string }>>;
}

type PauseRow = Awaited<ReturnType<PauseRows['list']>>[number];

export interface PausesDeps {
  store: { pauses: Pick<PauseRows, 'list'> };
  windows?: readonly MaintenanceWindow[];
  /** api.timezone: the windows' cron expressions are read in it, like the schedules. */
  timezone?: string;
  clock?: () => Date;
}

const MINUTE = 60_000;

export function createPauses(deps: PausesDeps) {
  const clock = deps.clock ?? (() => new Date());
  // One stopped task per window, only for its matcher (node-cron's public `match`).
  const windows = (deps.windows ?? []).map((w) => ({ w, task: cron.createTask(w.schedule, () => {}, { timezone: deps.timezone }) as ScheduledTask }));
  // A window's state changes at most once a minute; scanning back over its duration costs ~10 ms a day.
  const openCache = new Map<number, { minute: number; until?: number }>();

  /** End of the window `i` if it is open at `now`: the latest opening within its duration, plus the duration. */
  function windowOpenUntil(i: number, now: Date): number | undefined {
    const minute = Math.floor(now.getTime() / MINUTE) * MINUTE;
    const cached = openCache.get(i);
    if (cached?.minute === minute) return cached.until !== undefined && cached.until > now.getTime() ? cached.until : undefined;
    const { w, task } = windows[i];
    let until: number | undefined;
    for (let at = minute; at > minute - w.duration; at -= MINUTE) {
      if (task.match(new Date(at))) {
        until = at + w.duration;
        break;
      }
    }
    openCache.set(i, { minute, until });
    return until !== undefined && until > now.getTime() ? until : undefined;
  }

  const applies = (pattern: string, name: string) => pattern === '*' || pattern === name;
  // Every stored pause (ended ones are skipped by time below): as of the last refresh().
  let stored: PauseRow[] = [];

  /** The pause in force for a pair, the one that ends last when several are. */
  function pausedNow(suite: string, environment: string, now = clock()): PauseState | undefined {
    const manual = stored.filter((p) => Date.parse(p.until) > now.getTime());
    let found: PauseState | undefined;
    const consider = (p: PauseState) => {
      if (!found || Date.parse(p.until) > Date.parse(found.until)) found = p;
    };
    for (const p of manual) {
      if (p.suite === suite && p.environment === environment) consider({ suite, environment, until: p.until, reason: p.reason, source: 'manual' });
    }
    windows.forEach(({ w }, i) => {
      if (!applies(w.suite, suite) || !applies(w.environment, environment)) return;
      const until = windowOpenUntil(i, now);
      if (until !== undefined) consider({ suite, environment, until: new Date(until).toISOString(), reason: w.reason, source: 'window' });
    });
    return found;
  }

  return {
    /** Reads the stored pauses again (they may have been set by another process). */
    async refresh(): Promise<void> {
      stored = await deps.store.pauses.list();
    },
    pausedNow,
    /** Every paused pair among `pairs`. */
    all(pairs: ReadonlyArray<{ suite: string; environment: string }>, now = clock()): PauseState[] {
      return pairs.map((p) => pausedNow(p.suite, p.environment, now)).filter((p): p is PauseState => p !== undefined);
    },
    async close(): Promise<void> {
      for (const { task } of windows) await task.destroy();
    },
  };
}

export type Pauses = ReturnType<typeof createPauses>;
