// The undos scenarios owe (migration 9), in the shape of the tenant ledger: a row before the action
// starts, gone once its undo ran. Who may run a row's undo is decided as for a run's slot (cluster-
// store.ts): its owner while the lease holds; past it, the one process whose conditional UPDATE claims
// it — or, at start-up, the owner's own name from before a restart (that process is gone).
// A scenario run has a row of its own there too, from its start until it is recorded (RunMarker): no
// undo to run (undo_action is ''), its file, feature, line, fire and the step it started last as JSON
// in `params`. Leased and claimed like an undo, it lets a pass record a run killed outright even when
// it owed no undo (no migration: the table already has every column such a row needs).
import type { SqlDb } from './sql.ts';
import type { OwedUndo, RunMarker, UndoLedger } from './types.ts';

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

// What a run's row keeps in `params` (an undo's row keeps the step's placeholders there).
type MarkerParams = Pick<RunMarker, 'file' | 'feature' | 'line' | 'fire' | 'at'>;

const toMarker = (r: Row): RunMarker => {
  const p = JSON.parse(r.params) as MarkerParams;
  return {
    id: r.id,
    runId: r.run_id,
    scenario: r.scenario,
    ...(r.schedule !== null ? { schedule: r.schedule } : {}),
    ...(p.fire ? { fire: p.fire } : {}),
    file: p.file,
    feature: p.feature,
    line: Number(p.line),
    ...(p.at ? { at: p.at } : {}),
    owner: r.owner,
    leaseUntil: r.lease_until,
    createdAt: r.created_at,
  };
};

const UNDOS = "undo_action <> ''";
const RUNS = "undo_action = ''";

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
      const rows = await db.all<Row>(`SELECT * FROM scenario_undos WHERE ${UNDOS} AND (lease_until < ? OR owner = ?) ORDER BY created_at, id`, [
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
      return (await db.all<Row>(`SELECT * FROM scenario_undos WHERE ${UNDOS} ORDER BY created_at, id`)).map(toOwed);
    },
    ...runRows(db),
  };
}

// The runs' own rows: same table, same lease and claim, nothing to run.
function runRows(db: SqlDb): Pick<UndoLedger, 'begin' | 'progress' | 'ended' | 'runsDue' | 'runs'> {
  return {
    async begin(m) {
      const created = m.createdAt.toISOString();
      const params: MarkerParams = { file: m.file, feature: m.feature, line: m.line, ...(m.fire ? { fire: m.fire } : {}) };
      await db.run(INSERT, [
        m.id,
        '',
        '',
        JSON.stringify(params),
        m.runId,
        m.scenario,
        m.schedule ?? null,
        m.owner,
        m.leaseUntil.toISOString(),
        created,
        created,
      ]);
    },
    async progress(id, at) {
      const [row] = await db.all<Row>(`SELECT * FROM scenario_undos WHERE id = ? AND ${RUNS}`, [id]);
      if (!row) return;
      const params: MarkerParams = { ...(JSON.parse(row.params) as MarkerParams), at };
      await db.run('UPDATE scenario_undos SET params = ?, updated_at = ? WHERE id = ?', [JSON.stringify(params), new Date().toISOString(), id]);
    },
    async ended(id) {
      await db.run(`DELETE FROM scenario_undos WHERE id = ? AND ${RUNS}`, [id]);
    },
    async runsDue(now, formerSelf) {
      const rows = await db.all<Row>(`SELECT * FROM scenario_undos WHERE ${RUNS} AND (lease_until < ? OR owner = ?) ORDER BY created_at, id`, [
        now.toISOString(),
        formerSelf ?? '',
      ]);
      return rows.map(toMarker);
    },
    async runs() {
      return (await db.all<Row>(`SELECT * FROM scenario_undos WHERE ${RUNS} ORDER BY created_at, id`)).map(toMarker);
    },
  };
}
