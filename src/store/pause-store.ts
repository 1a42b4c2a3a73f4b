// Pauses of suite × environment pairs set through the API or `vigil pause`: kept in the store so a
// restart (or another process sharing the store, `vigil pause` without --server) sees them. One pause
// per pair; setting it again replaces it. Maintenance windows are config, not rows here.
import type { DatabaseSync } from 'node:sqlite';

export interface Pause {
  suite: string;
  environment: string;
  /** ISO 8601: the pause ends by itself then. */
  until: string;
  reason: string;
  createdAt: string;
}

export interface PauseStore {
  set(pause: Pause): void;
  /** True when there was one to remove. */
  remove(suite: string, environment: string): boolean;
  /** Pauses whose `until` is after `now` (all of them without `now`), by suite and environment. */
  list(now?: Date): Pause[];
  /** Drops pauses that ended by `now` (nothing else would); how many. */
  expire(now: Date): number;
}

export function createPauseStore(db: DatabaseSync): PauseStore {
  const upsert = db.prepare(`
    INSERT INTO pauses (suite, environment, until, reason, created_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (suite, environment) DO UPDATE SET until = excluded.until, reason = excluded.reason, created_at = excluded.created_at`);
  const del = db.prepare('DELETE FROM pauses WHERE suite = ? AND environment = ?');
  const all = db.prepare('SELECT * FROM pauses ORDER BY suite, environment');
  // ISO 8601 UTC strings of one format compare as their instants.
  const current = db.prepare('SELECT * FROM pauses WHERE until > ? ORDER BY suite, environment');
  const expire = db.prepare('DELETE FROM pauses WHERE until <= ?');
  type Row = { suite: string; environment: string; until: string; reason: string; created_at: string };
  return {
    set(p) {
      upsert.run(p.suite, p.environment, p.until, p.reason, p.createdAt);
    },
    remove(suite, environment) {
      return Number(del.run(suite, environment).changes) > 0;
    },
    expire(now) {
      return Number(expire.run(now.toISOString()).changes);
    },
    list(now) {
      return ((now ? current.all(now.toISOString()) : all.all()) as unknown as Row[]).map((r) => ({ suite: r.suite, environment: r.environment, until: r.until, reason: r.reason, createdAt: r.created_at }));
    },
  };
}
