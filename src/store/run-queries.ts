// The run store's reads across runs: the runs list with its filters, the newest run of each pair and
// of each location, when each pair last succeeded, and a pair's runs per status. Every query that picks
// the newest run picks it by the same order (NEWEST_FIRST), ties included.
import { byCodeUnits, SUCCESS_SQL as SUCCESS, type RunResult } from '../core/index.ts';
import type { SqlDb, SqlValue } from './sql.ts';
import type { RunQuery, RunStore, SuiteSummary } from './types.ts';

const DEFAULT_LIMIT = 50;
// Newest first; runs that started in the same millisecond by when they finished, then by id.
const NEWEST_FIRST = 'started_at DESC, finished_at DESC, run_id DESC';
const NEWEST_FIRST_X = 'x.started_at DESC, x.finished_at DESC, x.run_id DESC';
// The newest run of each pair (and of each location of each pair): one index seek per pair
// (runs_newest, runs_newest_by_location: migration 8), not a window over the whole table.
const LAST_RUNS = `
  SELECT result FROM runs WHERE run_id IN (
    SELECT (SELECT x.run_id FROM runs x WHERE x.suite = p.suite AND x.environment = p.environment
            ORDER BY ${NEWEST_FIRST_X} LIMIT 1)
    FROM (SELECT DISTINCT suite, environment FROM runs) p)`;
const lastByLocation = (onePair: boolean) => `
  SELECT result FROM runs WHERE run_id IN (
    SELECT (SELECT x.run_id FROM runs x WHERE x.suite = p.suite AND x.environment = p.environment AND x.location = p.location
            ORDER BY ${NEWEST_FIRST_X} LIMIT 1)
    FROM (SELECT DISTINCT suite, environment, location FROM runs WHERE location <> ''${onePair ? ' AND suite = ? AND environment = ?' : ''}) p)
  ORDER BY suite, environment, location`;
const LAST_SUCCESSES = `
  SELECT p.suite, p.environment,
    (SELECT MAX(x.finished_at) FROM runs x WHERE x.suite = p.suite AND x.environment = p.environment AND x.status IN ${SUCCESS}) AS at
  FROM (SELECT DISTINCT suite, environment FROM runs) p`;

export const parseRun = (row: unknown): RunResult => JSON.parse((row as { result: string }).result) as RunResult;

export async function listRuns(db: SqlDb, query: RunQuery = {}): Promise<RunResult[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  for (const [column, value] of [
    ['suite', query.suite],
    ['environment', query.environment],
    ['status', query.status],
    ['location', query.location],
  ] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  const limit = Math.max(1, Math.trunc(query.limit ?? DEFAULT_LIMIT));
  const sql = `SELECT result FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${NEWEST_FIRST} LIMIT ?`;
  return (await db.all(sql, [...params, limit])).map(parseRun);
}

export async function lastRunsByLocation(db: SqlDb, pair?: { suite: string; environment: string }): Promise<RunResult[]> {
  return (await db.all(lastByLocation(pair !== undefined), pair ? [pair.suite, pair.environment] : [])).map(parseRun);
}

export async function lastRunBySuite(db: SqlDb): Promise<SuiteSummary[]> {
  const successAt = new Map<string, string>();
  for (const row of await db.all<{ suite: string; environment: string; at: string }>(LAST_SUCCESSES)) {
    successAt.set(JSON.stringify([row.suite, row.environment]), row.at);
  }
  return (
    (await db.all(LAST_RUNS))
      .map(parseRun)
      .map((last): SuiteSummary => {
        const at = successAt.get(JSON.stringify([last.suite, last.environment]));
        return { suite: last.suite, environment: last.environment, last, ...(at ? { lastSuccessAt: at } : {}) };
      })
      // Code-unit order (core/order.ts): serve calls this at start-up.
      .sort((a, b) => byCodeUnits(a.suite, b.suite) || byCodeUnits(a.environment, b.environment))
  );
}

export async function statusCounts(db: SqlDb, query: Parameters<RunStore['statusCounts']>[0]): ReturnType<RunStore['statusCounts']> {
  const rows = await db.all<{ status: string; n: number }>(
    'SELECT status, COUNT(*) AS n FROM runs WHERE suite = ? AND environment = ? AND finished_at >= ? GROUP BY status',
    [query.suite, query.environment, query.since.toISOString()],
  );
  const counts = { passed: 0, flaky: 0, failed: 0, error: 0 };
  for (const r of rows) if (r.status in counts) counts[r.status as keyof typeof counts] = Number(r.n);
  return counts;
}
