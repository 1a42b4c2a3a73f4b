// Retention of run rows: without it the store grows by every run forever (a 5-minute schedule is
// ~100,000 runs a year per pair), and /api/runs, start-up and backups slow with it.
// Per suite × environment, the newest `keep` runs stay and none older than `maxAge` — except that the
// newest run and the newest successful run of a pair always stay: they are what /metrics restores
// after a restart (vigil_last_run_*, vigil_last_success_timestamp_seconds).
// Failures and per-test rows go with their run (ON DELETE CASCADE).
import type { DatabaseSync } from 'node:sqlite';

export interface RetentionPolicy {
  /** Newest runs kept per suite × environment. */
  keep: number;
  /** Runs that started longer ago than this are removed. */
  maxAgeMs: number;
  now: Date;
}

// Deleted in batches, each its own short transaction: a `vigil serve` saving a run meanwhile waits
// for one batch at most, never for the whole clean-up of a store that never had retention.
const BATCH = 2_000;

export function createRunRetention(db: DatabaseSync) {
  const doomed = db.prepare(`
    SELECT run_id FROM (
      SELECT run_id, started_at, status IN ('passed', 'flaky') AS ok,
        ROW_NUMBER() OVER (PARTITION BY suite, environment ORDER BY started_at DESC, rowid DESC) AS n,
        ROW_NUMBER() OVER (PARTITION BY suite, environment, status IN ('passed', 'flaky') ORDER BY finished_at DESC, rowid DESC) AS n_same
      FROM runs)
    WHERE n > 1 AND NOT (ok AND n_same = 1) AND (n > ? OR started_at < ?)`);
  const remove = db.prepare('DELETE FROM runs WHERE run_id = ?');

  /** Removes what the policy no longer keeps; returns how many runs went. */
  return function retain(policy: RetentionPolicy): number {
    const cutoff = new Date(policy.now.getTime() - policy.maxAgeMs).toISOString();
    const keep = Math.max(1, Math.trunc(policy.keep));
    // One ranking pass (it reads every row); then the deletes, batch by batch.
    const all = (doomed.all(keep, cutoff) as Array<{ run_id: string }>).map((r) => r.run_id);
    let removed = 0;
    for (let at = 0; at < all.length; at += BATCH) {
      const ids = all.slice(at, at + BATCH);
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const id of ids) remove.run(id);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
      removed += ids.length;
    }
    return removed;
  };
}
