// Pauses of suite × environment pairs set through the API or `vigil pause`: kept in the store so a
// restart (or another process sharing the store, `vigil pause` without --server) sees them. One pause
// per pair; setting it again replaces it. Maintenance windows are config, not rows here.
import type { SqlDb } from './sql.ts';

export interface Pause {
  suite: string;
  environment: string;
  /** ISO 8601: the pause ends by itself then. */
  until: string;
  reason: string;
  createdAt: string;
}

export interface PauseStore {
  set(pause: Pause): Promise<void>;
  /** True when there was one to remove. */
  remove(suite: string, environment: string): Promise<boolean>;
  /** Pauses whose `until` is after `now` (all of them without `now`), by suite and environment. */
  list(now?: Date): Promise<Pause[]>;
  /** Drops pauses that ended by `now` (nothing else would); how many. */
  expire(now: Date): Promise<number>;
}

const UPSERT = `
  INSERT INTO pauses (suite, environment, until, reason, created_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (suite, environment) DO UPDATE SET until = excluded.until, reason = excluded.reason, created_at = excluded.created_at`;

type Row = { suite: string; environment: string; until: string; reason: string; created_at: string };

export function createPauseStore(db: SqlDb): PauseStore {
  return {
    async set(p) {
      await db.run(UPSERT, [p.suite, p.environment, p.until, p.reason, p.createdAt]);
    },
    async remove(suite, environment) {
      return (await db.run('DELETE FROM pauses WHERE suite = ? AND environment = ?', [suite, environment])) > 0;
    },
    async expire(now) {
      return db.run('DELETE FROM pauses WHERE until <= ?', [now.toISOString()]);
    },
    async list(now) {
      // ISO 8601 UTC strings of one format compare as their instants.
      const rows = now
        ? await db.all<Row>('SELECT * FROM pauses WHERE until > ? ORDER BY suite, environment', [now.toISOString()])
        : await db.all<Row>('SELECT * FROM pauses ORDER BY suite, environment');
      return rows.map((r) => ({ suite: r.suite, environment: r.environment, until: r.until, reason: r.reason, createdAt: r.created_at }));
    },
  };
}
