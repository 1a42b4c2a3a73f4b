// The undos scenarios owe (migration 9), in the shape of the tenant ledger: a row before the action
// starts, gone once its undo ran. Who may run a row's undo is decided as for a run's slot (cluster-
// store.ts): its owner while the lease holds; past it, the one process whose conditional UPDATE claims
// it — or, at start-up, the owner's own name from before a restart (that process is gone).
import type { SqlDb } from './sql.ts';
import type { OwedUndo, UndoLedger } from './types.ts';

interface Row {
  id: string;
  undo_action: string;
  action: string;
  params: string;
  run_id: string;
  scenario: string;
  schedule: string | null;
  owner: string;
  lease_until: string;
  attempts: number;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

const toOwed = (r: Row): OwedUndo => ({
  id: r.id,
  undo: r.undo_action,
  action: r.action,
  params: JSON.parse(r.params) as Record<string, string>,
  runId: r.run_id,
  scenario: r.scenario,
  ...(r.schedule !== null ? { schedule: r.schedule } : {}),
  owner: r.owner,
  leaseUntil: r.lease_until,
  attempts: Number(r.attempts),
  ...(r.last_error !== null ? { lastError: r.last_error } : {}),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const INSERT = `
  INSERT INTO scenario_undos (id, undo_action, action, params, run_id, scenario, schedule, owner, lease_until, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function createUndoLedger(db: SqlDb): UndoLedger {
  return {
    async owe(u) {
      const created = u.createdAt.toISOString();
      await db.run(INSERT, [
        u.id,
        u.undo,
        u.action,
        JSON.stringify(u.params),
        u.runId,
        u.scenario,
        u.schedule ?? null,
        u.owner,
        u.leaseUntil.toISOString(),
        created,
        created,
      ]);
    },
    async paid(id) {
      await db.run('DELETE FROM scenario_undos WHERE id = ?', [id]);
    },
    async failed(id, error, retryAt) {
      await db.run('UPDATE scenario_undos SET attempts = attempts + 1, last_error = ?, lease_until = ?, updated_at = ? WHERE id = ?', [
        error,
        retryAt.toISOString(),
        new Date().toISOString(),
        id,
      ]);
    },
    async renew(owner, ids, until) {
      if (!ids.length) return;
      await db.run(`UPDATE scenario_undos SET lease_until = ? WHERE owner = ? AND id IN (${ids.map(() => '?').join(', ')})`, [
        until.toISOString(),
        owner,
        ...ids,
      ]);
    },
    async due(now, formerSelf) {
      const rows = await db.all<Row>('SELECT * FROM scenario_undos WHERE lease_until < ? OR owner = ? ORDER BY created_at, id', [
        now.toISOString(),
        formerSelf ?? '',
      ]);
      return rows.map(toOwed);
    },
    async claim(id, now, formerSelf, by) {
      const claimed = await db.run('UPDATE scenario_undos SET owner = ?, lease_until = ? WHERE id = ? AND (lease_until < ? OR owner = ?)', [
        by.owner,
        by.until.toISOString(),
        id,
        now.toISOString(),
        formerSelf ?? '',
      ]);
      return claimed === 1;
    },
    async list() {
      return (await db.all<Row>('SELECT * FROM scenario_undos ORDER BY created_at, id')).map(toOwed);
    },
  };
}
