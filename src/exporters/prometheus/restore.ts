// The pairs' newest runs taken from the store into the gauges: at start-up (a restart keeps the
// gauges) and, with replicas, every few seconds (runs other replicas ran: every replica exports the
// cluster's last state). Counters are never touched here: each replica counts what it ran itself.
import { isSuccess, type RunResult } from '../../core/index.ts';
import { messageOf } from '../../shared/errors.ts';
import type { Log } from '../../shared/log.ts';
import type { Families } from './families.ts';
import { pairKey, type LabelScope } from './label-scope.ts';
import { applyVerdict, setLast, setLocation, type PairState } from './pair-gauges.ts';
import type { LastResult, LastResults } from './sources.ts';

export interface RestoreDeps {
  families: Families;
  state: PairState;
  acceptsPair: LabelScope['acceptsPair'];
  log: Log;
  clock: () => Date;
}

/**
 * Takes each pair's newest run from the store where it is newer than what this process saw; `what`
 * (restore, sync) names the pass in the logs. Returns how many pairs changed.
 */
export async function restoreFromStore(deps: RestoreDeps, source: LastResults, what = 'restore'): Promise<number> {
  let entries: LastResult[];
  try {
    entries = await source.lastBySuite();
  } catch (err) {
    deps.log.error({ err: messageOf(err) }, `prometheus: could not ${what} last results from the store`);
    return 0;
  }
  let changed = await restorePairs(deps, source, entries);
  if (deps.state.located.size && source.lastByLocation) changed += await restoreLocations(deps, source, what);
  // Each pass, even without a new run: a location that went quiet turns into no answer on time.
  for (const pair of deps.state.located.values()) applyVerdict(deps.families, pair, deps.clock);
  return changed;
}

/** The pairs' own newest runs, with their failure streaks walked back from the store. */
async function restorePairs(deps: RestoreDeps, source: LastResults, entries: LastResult[]): Promise<number> {
  const { families, state, acceptsPair, log } = deps;
  let changed = 0;
  for (const entry of entries) {
    const result = entry.last;
    if (!acceptsPair(result.suite, result.environment)) continue;
    if (Date.parse(result.finishedAt) <= (state.newest.get(pairKey(result)) ?? -Infinity)) continue;
    changed++;
    try {
      state.streak.set(pairKey(result), await restoreStreak(source, result));
    } catch (err) {
      log.warn({ err: messageOf(err), suite: result.suite }, 'prometheus: could not restore failure streak');
    }
    state.newest.set(pairKey(result), Date.parse(result.finishedAt));
    // The fan-out may publish this run again after the restart (a spooled delivery).
    state.seen.add(result.runId);
    setLast(families, state, result, entry.lastSuccessAt);
  }
  return changed;
}

/** Each location's newest run of the pairs with locations; a failure leaves the ones taken so far. */
async function restoreLocations(deps: RestoreDeps, source: LastResults, what: string): Promise<number> {
  let changed = 0;
  try {
    for (const run of await source.lastByLocation!()) {
      const pair = deps.state.located.get(pairKey(run));
      if (!pair || !run.location || pair.newest.get(run.location)?.runId === run.runId) continue;
      const streakNow = await restoreStreak(source, run, run.location);
      if (setLocation(deps.families, pair, run, () => streakNow)) changed++;
    }
  } catch (err) {
    deps.log.error({ err: messageOf(err) }, `prometheus: could not ${what} the locations' last results from the store`);
  }
  return changed;
}

// The streak is not stored: walk back through recent runs until one passed.
const STREAK_LOOKBACK = 100;
async function restoreStreak(source: LastResults, last: RunResult, location?: string): Promise<number> {
  const history = (await source.list?.({ suite: last.suite, environment: last.environment, ...(location ? { location } : {}), limit: STREAK_LOOKBACK })) ?? [
    last,
  ];
  let count = 0;
  for (const run of history) {
    if (isSuccess(run.status)) break;
    if (run.status === 'failed') count++;
  }
  return count;
}
