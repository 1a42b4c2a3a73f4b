// Scenario runs (migration 3): what `vigil scenario run` recorded, for its metrics and the UI.
import type { DatabaseSync } from 'node:sqlite';
import type { ScenarioRunRecord, ScenarioRunStore } from './types.ts';

const DEFAULT_LIMIT = 50;

interface Row {
  id: string;
  scenario: string;
  file: string;
  status: string;
  started_at: string;
  finished_at: string;
  result: string;
}

const toRecord = (row: Row): ScenarioRunRecord => ({
  id: row.id,
  scenario: row.scenario,
  file: row.file,
  status: row.status,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  result: JSON.parse(row.result) as unknown,
});

export function createScenarioRunStore(db: DatabaseSync): ScenarioRunStore {
  const insert = db.prepare(`
    INSERT OR REPLACE INTO scenario_runs (id, scenario, file, status, started_at, finished_at, result)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const all = db.prepare('SELECT * FROM scenario_runs ORDER BY started_at DESC, rowid DESC LIMIT ?');
  const byScenario = db.prepare('SELECT * FROM scenario_runs WHERE scenario = ? ORDER BY started_at DESC, rowid DESC LIMIT ?');
  const totals = db.prepare('SELECT scenario, status, COUNT(*) AS count FROM scenario_runs GROUP BY scenario, status ORDER BY scenario, status');
  const newest = db.prepare(`
    SELECT * FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY scenario ORDER BY started_at DESC, rowid DESC) AS n FROM scenario_runs)
    WHERE n = 1 ORDER BY scenario`);
  const successes = db.prepare(`SELECT scenario, MAX(finished_at) AS at FROM scenario_runs WHERE status = 'passed' GROUP BY scenario`);

  return {
    save(record) {
      insert.run(record.id, record.scenario, record.file, record.status, record.startedAt, record.finishedAt, JSON.stringify(record.result));
    },
    list(query = {}) {
      const limit = query.limit ?? DEFAULT_LIMIT;
      const rows = query.scenario === undefined ? all.all(limit) : byScenario.all(query.scenario, limit);
      return (rows as unknown as Row[]).map(toRecord);
    },
    totals: () => (totals.all() as Array<{ scenario: string; status: string; count: number }>).map((r) => ({ ...r, count: Number(r.count) })),
    latest() {
      const success = new Map((successes.all() as Array<{ scenario: string; at: string }>).map((r) => [r.scenario, r.at]));
      return (newest.all() as unknown as Row[]).map((row) => {
        const at = success.get(row.scenario);
        return { last: toRecord(row), ...(at ? { lastSuccessAt: at } : {}) };
      });
    },
  };
}
