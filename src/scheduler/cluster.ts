// This replica among the others on one store: the scheduler's ClusterSlots (a fire taken once, a pair
// run once at a time cluster-wide) over the store's rows, and the leases of its runs, renewed every
// quarter lease. A run missing from its own renewal was taken over — another replica saw the lease run
// out and recorded the run as interrupted — so it is stopped here (onLost). The replica also says it
// is up (the replicas table, for the one view) on every renewal. A scheduled scenario's holds (its
// entry, its environments) are leased and renewed the same way; holds that ran out stop the scenario.
import { targetKey, type Trigger } from '../core/index.ts';
import type { Log } from '../shared/log.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import { entryHoldKey, environmentHoldKey } from '../store/scenario-holds.ts';
import type { ClusterSlots } from './scheduler.ts';

/** The store's rows this needs. */
export type ClusterRows = Pick<
  ClusterStore,
  | 'takeFire'
  | 'startRun'
  | 'renew'
  | 'finishRun'
  | 'announce'
  | 'leave'
  | 'holdScenario'
  | 'releaseScenario'
  | 'renewHolds'
  | 'pruneHolds'
  | 'dropHolds'
  | 'suiteRunsOn'
  | 'holds'
>;

/**
 * A scheduled scenario's holds across replicas (docs/scenarios.md, "Across replicas"): its entry and
 * its environments, leased and renewed with this replica's runs.
 */
export interface ScenarioHolds {
  /** Taken, or the scenario in the way (`entry`: the same entry, or another on a shared environment). */
  hold(
    fire: { fireId: string; entry: string; environments: readonly string[] },
    onLost: () => void,
  ): Promise<{ ok: true } | { ok: false; entry: string; replica: string }>;
  release(fireId: string): Promise<void>;
  /** Suite runs going on these environments, on any replica. */
  suiteRunsOn(environments: readonly string[]): Promise<Array<{ runId: string; suite: string; environment: string; replica: string }>>;
  /** The hold in force on the entry, or on one of its environments, by another replica (the entry's own first). */
  heldElsewhere(entry: string, environments: readonly string[]): Promise<{ entry: string; replica: string; fireId: string } | undefined>;
}

export interface ClusterOptions {
  rows: ClusterRows;
  replica: string;
  /** '' when replicas have no locations. */
  location: string;
  /**
   * Suites that list locations run once per location: their fires and run slots are keyed with this
   * replica's location. Every other suite runs once cluster-wide, wherever the replica is.
   */
  located?: (suite: string) => boolean;
  /** How long a run's slot is its replica's without a renewal. Default 60 s. */
  leaseMs?: number;
  log: Log;
  clock?: () => Date;
}

export const DEFAULT_LEASE_MS = 60_000;

/** A pair's key in the cluster's rows: `suite@environment`, and `@location` for a suite run once per location. */
export const clusterPairKey = (suite: string, environment: string, location: string): string =>
  location ? `${targetKey(suite, environment)}@${location}` : targetKey(suite, environment);

/** Who holds a pair's slot: its run on another replica, or a scheduled scenario holding the environment. */
const refusal = (taken: Exclude<Awaited<ReturnType<ClusterStore['startRun']>>, { ok: true }>) =>
  'scenario' in taken
    ? { ok: false as const, runId: taken.scenario.fireId, replica: taken.scenario.replica, scenario: taken.scenario.entry }
    : { ok: false as const, runId: taken.holder.runId, replica: taken.holder.replica };

/** A scheduled scenario's holds, taken and renewed by this replica; a hold found gone stops its scenario. */
function scenarioHolds(o: ClusterOptions, clock: () => Date, leaseMs: number) {
  const holding = new Map<string, () => void>(); // fire id → what to do when its holds are lost
  const holds: ScenarioHolds = {
    async hold(fire, onLost) {
      const now = clock();
      const taken = await o.rows.holdScenario({ ...fire, replica: o.replica, now, leaseUntil: new Date(now.getTime() + leaseMs) });
      if (!taken.ok) return { ok: false, entry: taken.holder.entry, replica: taken.holder.replica };
      holding.set(fire.fireId, onLost);
      return { ok: true };
    },
    async release(fireId) {
      holding.delete(fireId);
      await o.rows.releaseScenario(fireId);
    },
    suiteRunsOn: (environments) => o.rows.suiteRunsOn(environments),
    async heldElsewhere(entry, environments) {
      const keys = new Set([entryHoldKey(entry), ...environments.map(environmentHoldKey)]);
      const elsewhere = (await o.rows.holds(clock())).filter((h) => keys.has(h.holdKey) && h.replica !== o.replica);
      const found = elsewhere.find((h) => h.holdKey === entryHoldKey(entry)) ?? elsewhere[0];
      return found && { entry: found.entry, replica: found.replica, fireId: found.fireId };
    },
  };

  /**
   * A scenario whose holds ran out (this process or its database stalled) is stopped: suite runs may be
   * starting there. A failure is logged, not thrown: it must not cost the suite runs their leases.
   */
  async function renewHolds(now: Date): Promise<void> {
    // Only holds taken before this renewal looked: one taken meanwhile is not in its answer.
    const asked = [...holding.keys()];
    let held: Set<string>;
    try {
      held = new Set(await o.rows.renewHolds(o.replica, asked, new Date(now.getTime() + leaseMs), now));
      await o.rows.pruneHolds(now);
    } catch (err) {
      o.log.error({ err: String(err) }, "cannot renew the scheduled scenarios' holds in the store; a scenario stops if this lasts its lease");
      return;
    }
    for (const fireId of asked) {
      const onLost = holding.get(fireId);
      if (!onLost || held.has(fireId)) continue;
      holding.delete(fireId);
      o.log.error({ fireId, replica: o.replica }, "this scheduled scenario's holds ran out (this process or its database stalled); stopping it");
      onLost();
    }
  }

  return { holds, renewHolds };
}

export function createCluster(o: ClusterOptions) {
  const clock = o.clock ?? (() => new Date());
  const leaseMs = o.leaseMs ?? DEFAULT_LEASE_MS;
  const startedAt = clock().toISOString();
  const mine = new Set<string>(); // run ids whose slot this replica took
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> | undefined;
  const keyOf = (suite: string, environment: string) => clusterPairKey(suite, environment, o.located?.(suite) ? o.location : '');

  const slots: ClusterSlots = {
    takeFire: (suite, environment, fireAt, runId) =>
      o.rows.takeFire({ pairKey: keyOf(suite, environment), fireAt: fireAt.toISOString(), replica: o.replica, runId, at: clock() }),
    async startRun(run: { runId: string; suite: string; environment: string; trigger: Trigger; startedAt: Date }) {
      const taken = await o.rows.startRun({
        pairKey: keyOf(run.suite, run.environment),
        runId: run.runId,
        suite: run.suite,
        environment: run.environment,
        location: o.location,
        trigger: run.trigger,
        replica: o.replica,
        startedAt: run.startedAt.toISOString(),
        leaseUntil: new Date(clock().getTime() + leaseMs).toISOString(),
      });
      if (!taken.ok) return refusal(taken);
      mine.add(run.runId);
      return { ok: true };
    },
    async finishRun(runId) {
      mine.delete(runId);
      await o.rows.finishRun(runId);
    },
  };
  const { holds, renewHolds } = scenarioHolds(o, clock, leaseMs);

  async function renew(onLost: (runId: string) => void): Promise<void> {
    const now = clock();
    await renewHolds(now);
    const held = new Set(await o.rows.renew(o.replica, new Date(now.getTime() + leaseMs)));
    for (const runId of [...mine]) {
      if (held.has(runId)) continue;
      mine.delete(runId);
      o.log.error(
        { runId, replica: o.replica },
        'this run was taken over by another replica (its lease ran out: the database or this process stalled); stopping it',
      );
      onLost(runId);
    }
    await o.rows.announce({ name: o.replica, location: o.location, startedAt }, now);
  }

  return {
    slots,
    holds,
    replica: o.replica,
    location: o.location,
    leaseMs,
    /** Announces this replica and renews its leases every quarter lease until stop(). */
    async start(onLost: (runId: string) => void, url?: string): Promise<void> {
      // Holds under this name are a previous process's (killed under the same name): it holds nothing now.
      await o.rows.dropHolds(o.replica);
      await o.rows.announce({ name: o.replica, location: o.location, startedAt, ...(url ? { url } : {}) }, clock());
      timer = setInterval(
        () => {
          renewing ??= renew(onLost)
            .catch((err) => o.log.error({ err: String(err) }, 'cannot renew leases in the store; another replica takes the runs over if this lasts a lease'))
            .finally(() => (renewing = undefined));
        },
        Math.max(1_000, Math.floor(leaseMs / 4)),
      );
      timer.unref();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await renewing;
      await o.rows.leave(o.replica).catch(() => {});
    },
  };
}

export type Cluster = ReturnType<typeof createCluster>;
