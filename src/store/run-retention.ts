// Retention of run rows: without it the store grows by every run forever (a 5-minute schedule is
// ~100,000 runs a year per pair), and /api/runs, start-up and backups slow with it.
// Per suite × environment, the newest `keep` runs stay and none older than `maxAge` — except that the
// newest run and the newest successful run of a pair always stay: they are what /metrics restores
// after a restart (vigil_last_run_*, vigil_last_success_timestamp_seconds).
// Failures and per-test rows go with their run (ON DELETE CASCADE).
import { SUCCESS_SQL } from '../core/index.ts';
import type { SqlDb } from './sql.ts';

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

const DOOMED = `
  SELECT run_id FROM (
    SELECT run_id, started_at, CASE WHEN status IN ${SUCCESS_SQL} THEN 1 ELSE 0 END AS ok,
      ROW_NUMBER() OVER (PARTITION BY suite, environment ORDER BY started_at DESC, finished_at DESC, run_id DESC) AS n,
      ROW_NUMBER() OVER (PARTITION BY suite, environment, CASE WHEN status IN ${SUCCESS_SQL} THEN 1 ELSE 0 END
                         ORDER BY finished_at DESC, run_id DESC) AS n_same
    FROM runs) ranked
  WHERE n > 1 AND NOT (ok = 1 AND n_same = 1) AND (n > ? OR started_at < ?)`;

export function createRunRetention(db: SqlDb) {
  /** Removes what the policy no longer keeps; returns how many runs went. */
  return async function retain(policy: RetentionPolicy): Promise<number> {
    const cutoff = new Date(policy.now.getTime() - policy.maxAgeMs).toISOString();
    const keep = Math.max(1, Math.trunc(policy.keep));
    // One ranking pass (it reads every row); then the deletes, batch by batch.
    const all = (await db.all<{ run_id: string }>(DOOMED, [keep, cutoff])).map((r) => r.run_id);
    let removed = 0;
    for (let at = 0; at < all.length; at += BATCH) {
      const ids = all.slice(at, at + BATCH);
      await db.transaction(async (tx) => {
        // In chunks of bound values both engines take.
        for (let i = 0; i < ids.length; i += 500) {
          const chunk = ids.slice(i, i + 500);
          await tx.run(`DELETE FROM runs WHERE run_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
        }
      });
      removed += ids.length;
    }
    return removed;
  };
}
