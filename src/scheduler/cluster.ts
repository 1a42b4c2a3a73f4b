// This replica among the others on one store: the scheduler's ClusterSlots (a fire taken once, a pair
// run once at a time cluster-wide) over the store's rows, and the leases of its runs, renewed every
// quarter lease. A run missing from its own renewal was taken over — another replica saw the lease run
// out and recorded the run as interrupted — so it is stopped here (onLost). The replica also says it
// is up (the replicas table, for the one view) on every renewal.
import { targetKey, type Trigger } from '../core/index.ts';
import type { Log } from '../shared/log.ts';
import type { ClusterStore } from '../store/cluster-store.ts';
import type { ClusterSlots } from './scheduler.ts';

/** The store's rows this needs. */
export type ClusterRows = Pick<ClusterStore, 'takeFire' | 'startRun' | 'renew' | 'finishRun' | 'announce' | 'leave'>;

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
      if (!taken.ok) return { ok: false, runId: taken.holder.runId, replica: taken.holder.replica };
      mine.add(run.runId);
      return { ok: true };
    },
    async finishRun(runId) {
      mine.delete(runId);
      await o.rows.finishRun(runId);
    },
  };

  async function renew(onLost: (runId: string) => void): Promise<void> {
    const now = clock();
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
    replica: o.replica,
    location: o.location,
    leaseMs,
    /** Announces this replica and renews its leases every quarter lease until stop(). */
    async start(onLost: (runId: string) => void, url?: string): Promise<void> {
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
