// Scenario runs (migration 3): what `vigil scenario run` recorded, for its metrics and the UI.
import type { SqlDb } from './sql.ts';
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

const UPSERT = `
  INSERT INTO scenario_runs (id, scenario, file, status, started_at, finished_at, result) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET scenario = excluded.scenario, file = excluded.file, status = excluded.status,
    started_at = excluded.started_at, finished_at = excluded.finished_at, result = excluded.result`;
const NEWEST_FIRST = 'started_at DESC, finished_at DESC, id DESC';
const NEWEST = `
  SELECT * FROM (
    SELECT *, ROW_NUMBER() OVER (PARTITION BY scenario ORDER BY ${NEWEST_FIRST}) AS n FROM scenario_runs) ranked
  WHERE n = 1 ORDER BY scenario`;

export function createScenarioRunStore(db: SqlDb): ScenarioRunStore {
  return {
    async save(record) {
      await db.run(UPSERT, [record.id, record.scenario, record.file, record.status, record.startedAt, record.finishedAt, JSON.stringify(record.result)]);
    },
    async list(query = {}) {
      const limit = query.limit ?? DEFAULT_LIMIT;
      const rows =
        query.scenario === undefined
          ? await db.all<Row>(`SELECT * FROM scenario_runs ORDER BY ${NEWEST_FIRST} LIMIT ?`, [limit])
          : await db.all<Row>(`SELECT * FROM scenario_runs WHERE scenario = ? ORDER BY ${NEWEST_FIRST} LIMIT ?`, [query.scenario, limit]);
      return rows.map(toRecord);
    },
    async totals() {
      const rows = await db.all<{ scenario: string; status: string; count: number }>(
        'SELECT scenario, status, COUNT(*) AS count FROM scenario_runs GROUP BY scenario, status ORDER BY scenario, status',
      );
      return rows.map((r) => ({ ...r, count: Number(r.count) }));
    },
    async latest() {
      const success = new Map(
        (
          await db.all<{ scenario: string; at: string }>(`SELECT scenario, MAX(finished_at) AS at FROM scenario_runs WHERE status = 'passed' GROUP BY scenario`)
        ).map((r) => [r.scenario, r.at]),
      );
      return (await db.all<Row>(NEWEST)).map((row) => {
        const at = success.get(row.scenario);
        return { last: toRecord(row), ...(at ? { lastSuccessAt: at } : {}) };
      });
    },
  };
}
