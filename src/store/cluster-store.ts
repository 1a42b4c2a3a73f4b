// What replicas sharing one store agree on, in SQL only — no leader, no lock of our own: a primary key
// decides who took a scheduled fire (INSERT … ON CONFLICT DO NOTHING: one row, one replica), another
// which run a pair has going, and a conditional DELETE decides who records a run whose replica stopped
// renewing its lease. Both engines run the same statements; PostgreSQL makes each atomic across
// replicas, SQLite across the processes sharing its file. A run starts only where no scheduled scenario
// holds its environment, checked under that environment's lock (scenario-holds.ts).
import {
  createScenarioHoldStore,
  environmentHold,
  environmentHoldKey,
  HELD_ENVIRONMENT,
  underEnvironmentLock,
  type ScenarioHoldRow,
  type ScenarioHoldStore,
} from './scenario-holds.ts';
import type { SqlDb } from './sql.ts';

export interface ActiveRunRow {
  pairKey: string;
  runId: string;
  suite: string;
  environment: string;
  location: string;
  trigger: string;
  replica: string;
  startedAt: string;
  leaseUntil: string;
}

export interface ReplicaRow {
  name: string;
  location: string;
  url?: string;
  startedAt: string;
  seenAt: string;
}

export interface ClusterStore extends ScenarioHoldStore {
  /** True when this replica took the fire; false when another already had (each fire runs once). */
  takeFire(fire: { pairKey: string; fireAt: string; replica: string; runId: string; at: Date }): Promise<boolean>;
  /**
   * The pair's one run slot, cluster-wide: taken, or who holds it — the pair's run, or a scheduled
   * scenario holding the environment (scenario-holds.ts).
   */
  startRun(run: ActiveRunRow): Promise<{ ok: true } | { ok: false; holder: ActiveRunRow } | { ok: false; scenario: ScenarioHoldRow }>;
  /** Extends every lease `replica` holds; the run ids it still holds (a missing one was taken over). */
  renew(replica: string, until: Date): Promise<string[]>;
  finishRun(runId: string): Promise<void>;
  /** Runs whose lease ran out before `now`. */
  expired(now: Date): Promise<ActiveRunRow[]>;
  /**
   * True for the one replica that claims the row first: it records the run, then removes the row
   * (finishRun). Claimed — the row becomes `by.replica`'s until `by.until`, renewed with its other
   * leases — not removed: a recorder killed before the run is saved leaves the row to be taken over
   * again once that lease runs out, instead of a run nobody can find. Only an expired lease — or any
   * lease of `formerSelf`, this replica's own name from before a restart (that process is gone).
   */
  takeOver(runId: string, now: Date, formerSelf: string | undefined, by: { replica: string; until: Date }): Promise<boolean>;
  /** Rows to take over: expired ones, and any of `formerSelf`. */
  stale(now: Date, formerSelf?: string): Promise<ActiveRunRow[]>;
  /** Every run going in the cluster, oldest first. */
  active(): Promise<ActiveRunRow[]>;
  holder(pairKey: string): Promise<ActiveRunRow | undefined>;
  /** Says this replica is up (and where); `seenAt` tells the others how recently. */
  announce(replica: Omit<ReplicaRow, 'seenAt'>, at: Date): Promise<void>;
  replicas(): Promise<ReplicaRow[]>;
  leave(name: string): Promise<void>;
  /** Fires older than `before` are history nobody asks for; how many went. */
  pruneFires(before: Date): Promise<number>;
}

interface ActiveRow {
  pair_key: string;
  run_id: string;
  suite: string;
  environment: string;
  location: string;
  trigger: string;
  replica: string;
  started_at: string;
  lease_until: string;
}

const toActive = (r: ActiveRow): ActiveRunRow => ({
  pairKey: r.pair_key,
  runId: r.run_id,
  suite: r.suite,
  environment: r.environment,
  location: r.location,
  trigger: r.trigger,
  replica: r.replica,
  startedAt: r.started_at,
  leaseUntil: r.lease_until,
});

export function createClusterStore(db: SqlDb): ClusterStore {
  return { ...fireRows(db), ...activeRunRows(db), ...replicaRows(db), ...createScenarioHoldStore(db) };
}

/** Scheduled fires: each taken once cluster-wide (a primary key), kept a day for who ran which. */
function fireRows(db: SqlDb): Pick<ClusterStore, 'takeFire' | 'pruneFires'> {
  return {
    async takeFire(f) {
      const taken = await db.run(
        'INSERT INTO fires (pair_key, fire_at, replica, run_id, claimed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (pair_key, fire_at) DO NOTHING',
        [f.pairKey, f.fireAt, f.replica, f.runId, f.at.toISOString()],
      );
      return taken === 1;
    },
    async pruneFires(before) {
      return db.run('DELETE FROM fires WHERE claimed_at < ?', [before.toISOString()]);
    },
  };
}

/** One run in flight per pair, on a lease its replica renews; a run whose lease ran out is taken over. */
function activeRunRows(db: SqlDb): Pick<ClusterStore, 'startRun' | 'renew' | 'finishRun' | 'expired' | 'takeOver' | 'stale' | 'active' | 'holder'> {
  return {
    async startRun(run) {
      // Not where a scheduled scenario holds the environment — in the same statement, under the
      // environment's lock on PostgreSQL: a scenario taking it on another replica now sees this run, or this sees its hold.
      const inserted = await underEnvironmentLock(db, [run.environment], (tx) =>
        tx.run(
          `INSERT INTO active_runs (pair_key, run_id, suite, environment, location, trigger, replica, started_at, lease_until)
           SELECT ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (${HELD_ENVIRONMENT})
           ON CONFLICT (pair_key) DO NOTHING`,
          [
            run.pairKey,
            run.runId,
            run.suite,
            run.environment,
            run.location,
            run.trigger,
            run.replica,
            run.startedAt,
            run.leaseUntil,
            environmentHoldKey(run.environment),
            run.startedAt,
          ],
        ),
      );
      if (inserted === 1) return { ok: true };
      const scenario = await environmentHold(db, run.environment, run.startedAt);
      if (scenario) return { ok: false, scenario };
      const row = await db.get<ActiveRow>('SELECT * FROM active_runs WHERE pair_key = ?', [run.pairKey]);
      // Gone between the two statements: the holder finished just now; the caller may try again.
      return row ? { ok: false, holder: toActive(row) } : { ok: false, holder: { ...run, runId: '', replica: '' } };
    },
    async renew(replica, until) {
      await db.run('UPDATE active_runs SET lease_until = ? WHERE replica = ?', [until.toISOString(), replica]);
      return (await db.all<{ run_id: string }>('SELECT run_id FROM active_runs WHERE replica = ?', [replica])).map((r) => r.run_id);
    },
    async finishRun(runId) {
      await db.run('DELETE FROM active_runs WHERE run_id = ?', [runId]);
    },
    async expired(now) {
      return (await db.all<ActiveRow>('SELECT * FROM active_runs WHERE lease_until < ? ORDER BY lease_until', [now.toISOString()])).map(toActive);
    },
    async takeOver(runId, now, formerSelf, by) {
      return (
        (await db.run('UPDATE active_runs SET replica = ?, lease_until = ? WHERE run_id = ? AND (lease_until < ? OR replica = ?)', [
          by.replica,
          by.until.toISOString(),
          runId,
          now.toISOString(),
          formerSelf ?? '',
        ])) === 1
      );
    },
    async stale(now, formerSelf) {
      return (
        await db.all<ActiveRow>('SELECT * FROM active_runs WHERE lease_until < ? OR replica = ? ORDER BY lease_until', [now.toISOString(), formerSelf ?? ''])
      ).map(toActive);
    },
    async active() {
      return (await db.all<ActiveRow>('SELECT * FROM active_runs ORDER BY started_at, run_id')).map(toActive);
    },
    async holder(pairKey) {
      const row = await db.get<ActiveRow>('SELECT * FROM active_runs WHERE pair_key = ?', [pairKey]);
      return row && toActive(row);
    },
  };
}

/** The replicas that announced themselves: name, location, URL, last seen. */
function replicaRows(db: SqlDb): Pick<ClusterStore, 'announce' | 'replicas' | 'leave'> {
  return {
    async announce(r, at) {
      await db.run(
        `INSERT INTO replicas (name, location, url, started_at, seen_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET location = excluded.location, url = excluded.url, started_at = excluded.started_at, seen_at = excluded.seen_at`,
        [r.name, r.location, r.url ?? null, r.startedAt, at.toISOString()],
      );
    },
    async replicas() {
      const rows = await db.all<{ name: string; location: string; url: string | null; started_at: string; seen_at: string }>(
        'SELECT * FROM replicas ORDER BY name',
      );
      return rows.map((r) => ({ name: r.name, location: r.location, ...(r.url ? { url: r.url } : {}), startedAt: r.started_at, seenAt: r.seen_at }));
    },
    async leave(name) {
      await db.run('DELETE FROM replicas WHERE name = ?', [name]);
    },
  };
}
