// What a scheduled scenario holds across replicas (docs/scenarios.md, "Across replicas"): its entry —
// one run of an entry at a time cluster-wide — and the environments it acts on, where no suite run
// starts while it holds them. Each is a row of scenario_holds (the primary key decides between two
// scenarios), leased like a run. Between a scenario and suite runs the check and the insert must be one
// step: a hold taken and a suite run started at once on two replicas would each miss the other. Both
// run in a transaction that first takes the environment's lock — PostgreSQL's pg_advisory_xact_lock,
// given back at commit; SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
import type { SqlDb, SqlOps } from './sql.ts';

export interface ScenarioHoldRow {
  holdKey: string;
  fireId: string;
  entry: string;
  replica: string;
  startedAt: string;
  leaseUntil: string;
}

export interface ScenarioHoldStore {
  /**
   * Takes the entry and its environments for one fire, or says which hold is in the way (the entry's
   * own first). Rows no longer in force (past their lease, no undo of theirs owed) are dropped on the way.
   */
  holdScenario(hold: {
    fireId: string;
    entry: string;
    environments: readonly string[];
    replica: string;
    now: Date;
    leaseUntil: Date;
  }): Promise<{ ok: true } | { ok: false; holder: ScenarioHoldRow }>;
  releaseScenario(fireId: string): Promise<void>;
  /**
   * Extends the leases of the holds of these fires of `replica` (the ones its process is running: not
   * a previous process's under the same name, nor one it failed to release); those it still holds by
   * their lease.
   */
  renewHolds(replica: string, fireIds: readonly string[], until: Date, now: Date): Promise<string[]>;
  /** Deletes the holds no longer in force (past their lease, no undo of their entry owed). */
  pruneHolds(now: Date): Promise<number>;
  /** Drops the holds of `replica` (this replica's own name from before a restart: that process is gone). */
  dropHolds(replica: string): Promise<number>;
  /** Holds in force at `now`. */
  holds(now: Date): Promise<ScenarioHoldRow[]>;
  /** Suite runs going on these environments, on any replica. */
  suiteRunsOn(environments: readonly string[]): Promise<Array<{ runId: string; suite: string; environment: string; replica: string }>>;
}

export const entryHoldKey = (entry: string): string => `scenario:${entry}`;
export const environmentHoldKey = (environment: string): string => `environment:${environment}`;

interface HoldRow {
  hold_key: string;
  fire_id: string;
  entry: string;
  replica: string;
  started_at: string;
  lease_until: string;
}

const toHold = (r: HoldRow): ScenarioHoldRow => ({
  holdKey: r.hold_key,
  fireId: r.fire_id,
  entry: r.entry,
  replica: r.replica,
  startedAt: r.started_at,
  leaseUntil: r.lease_until,
});

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * Runs `fn` holding the environments' locks: on PostgreSQL a transaction that first waits for each
 * (always in the same order, so two holders of overlapping sets cannot deadlock); on SQLite `fn` alone,
 * whose statements each run alone (one writer at a time) — `fn` must then need no more than one.
 */
export async function underEnvironmentLock<T>(db: SqlDb, environments: readonly string[], fn: (tx: SqlOps) => Promise<T>): Promise<T> {
  if (db.engine !== 'postgres') return fn(db);
  return db.transaction(async (tx) => {
    for (const environment of [...new Set(environments)].sort())
      await tx.get('SELECT pg_advisory_xact_lock(hashtext(?))', [`vigil:${environmentHoldKey(environment)}`]);
    return fn(tx);
  });
}

/**
 * A hold is in force while its lease runs, and past it while its entry still owes an undo (a row of
 * scenario_undos with an undo to run): a replica killed mid-scenario leaves the member it destroyed
 * down until another replica pays the undo, and a suite run started there meanwhile would fail on
 * Vigil's own damage. Parameter: now.
 */
const OWES_UNDO = `EXISTS (SELECT 1 FROM scenario_undos u WHERE u.schedule = scenario_holds.entry AND u.undo_action <> '')`;
const IN_FORCE = `(scenario_holds.lease_until >= ? OR ${OWES_UNDO})`;

/** A condition for `WHERE NOT EXISTS (…)`, parameters: the environment's hold key, now. */
export const HELD_ENVIRONMENT = `SELECT 1 FROM scenario_holds WHERE hold_key = ? AND ${IN_FORCE}`;

/** The hold in force on an environment, read inside the transaction that holds its lock. */
export async function environmentHold(tx: SqlOps, environment: string, now: string): Promise<ScenarioHoldRow | undefined> {
  const row = await tx.get<HoldRow>(`SELECT * FROM scenario_holds WHERE hold_key = ? AND ${IN_FORCE}`, [environmentHoldKey(environment), now]);
  return row && toHold(row);
}

// Thrown inside the transaction to roll back a partial insert (another scenario took a key meanwhile).
class Taken extends Error {}

export function createScenarioHoldStore(db: SqlDb): ScenarioHoldStore {
  return {
    async holdScenario(h) {
      const keys = [entryHoldKey(h.entry), ...[...new Set(h.environments)].map(environmentHoldKey)];
      const now = h.now.toISOString();
      try {
        const take = async (tx: SqlOps) => {
          await tx.run(`DELETE FROM scenario_holds WHERE hold_key IN (${marks(keys.length)}) AND NOT ${IN_FORCE}`, [...keys, now]);
          const rows = keys.map((k) => [k, h.fireId, h.entry, h.replica, now, h.leaseUntil.toISOString()]);
          let inserted = 0;
          for (const row of rows)
            inserted += await tx.run(
              'INSERT INTO scenario_holds (hold_key, fire_id, entry, replica, started_at, lease_until) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hold_key) DO NOTHING',
              row,
            );
          if (inserted !== rows.length) throw new Taken();
          return { ok: true as const };
        };
        // Several statements: under the environments' locks in PostgreSQL's transaction, in a transaction of its own on SQLite.
        return await (db.engine === 'postgres' ? underEnvironmentLock(db, h.environments, take) : db.transaction(take));
      } catch (err) {
        if (!(err instanceof Taken)) throw err;
      }
      const held = await db.all<HoldRow>(`SELECT * FROM scenario_holds WHERE hold_key IN (${marks(keys.length)}) AND ${IN_FORCE} ORDER BY hold_key DESC`, [
        ...keys,
        now,
      ]);
      // 'scenario:' sorts after 'environment:': the entry's own row first. Gone meanwhile: the holder just ended.
      const holder = held[0] ? toHold(held[0]) : { holdKey: keys[0], fireId: '', entry: h.entry, replica: '', startedAt: now, leaseUntil: now };
      return { ok: false, holder };
    },
    async releaseScenario(fireId) {
      await db.run('DELETE FROM scenario_holds WHERE fire_id = ?', [fireId]);
    },
    async renewHolds(replica, fireIds, until, now) {
      if (!fireIds.length) return [];
      const these = `replica = ? AND fire_id IN (${marks(fireIds.length)}) AND lease_until >= ?`;
      // Only holds still in force by their lease: one that ran out may already have let a suite run start
      // elsewhere (one kept past it only for an undo owed is no longer its holder's to act under).
      await db.run(`UPDATE scenario_holds SET lease_until = ? WHERE ${these}`, [until.toISOString(), replica, ...fireIds, now.toISOString()]);
      const rows = await db.all<{ fire_id: string }>(`SELECT DISTINCT fire_id FROM scenario_holds WHERE ${these}`, [replica, ...fireIds, now.toISOString()]);
      return rows.map((r) => r.fire_id);
    },
    async pruneHolds(now) {
      return db.run(`DELETE FROM scenario_holds WHERE NOT ${IN_FORCE}`, [now.toISOString()]);
    },
    async dropHolds(replica) {
      // Not while its entry still owes an undo (the start-up pass could not pay it): they hold until it is paid.
      return db.run(`DELETE FROM scenario_holds WHERE replica = ? AND NOT ${OWES_UNDO}`, [replica]);
    },
    async holds(now) {
      return (await db.all<HoldRow>(`SELECT * FROM scenario_holds WHERE ${IN_FORCE} ORDER BY started_at, hold_key`, [now.toISOString()])).map(toHold);
    },
    async suiteRunsOn(environments) {
      if (!environments.length) return [];
      return db.all<{ runId: string; suite: string; environment: string; replica: string }>(
        `SELECT run_id AS "runId", suite, environment, replica FROM active_runs WHERE environment IN (${marks(environments.length)}) ORDER BY started_at`,
        [...environments],
      );
    },
  };
}
