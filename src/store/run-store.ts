import { SUCCESS_SQL as SUCCESS, type RunResult } from '../core/index.ts';
import { createRunRetention } from './run-retention.ts';
import { insertMany, type SqlDb, type SqlValue } from './sql.ts';
import { createTestRows } from './test-rows.ts';
import type { RunQuery, RunStore, SuiteSummary } from './types.ts';

const DEFAULT_LIMIT = 50;
// Newest first; runs that started in the same millisecond by when they finished, then by id.
const NEWEST_FIRST = 'started_at DESC, finished_at DESC, run_id DESC';
const NEWEST_FIRST_X = 'x.started_at DESC, x.finished_at DESC, x.run_id DESC';

const UPSERT = `
  INSERT INTO runs (run_id, suite, environment, trigger, status, error_phase, started_at, finished_at, result, handed_over, location)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (run_id) DO UPDATE SET
    suite = excluded.suite, environment = excluded.environment, trigger = excluded.trigger,
    status = excluded.status, error_phase = excluded.error_phase, started_at = excluded.started_at,
    finished_at = excluded.finished_at, result = excluded.result, handed_over = excluded.handed_over,
    location = excluded.location`;
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

export function createRunStore(db: SqlDb): RunStore {
  const parse = (row: unknown): RunResult => JSON.parse((row as { result: string }).result) as RunResult;
  const testRows = createTestRows(db);

  return {
    async save(result, opts = {}) {
      // Per-test rows live in run_tests: the JSON stays the small record lastBySuite() and list() parse.
      const { testResults, ...summary } = result;
      await db.transaction(async (tx) => {
        await tx.run(UPSERT, [
          result.runId,
          result.suite,
          result.environment,
          result.trigger,
          result.status,
          result.errorPhase ?? null,
          result.startedAt,
          result.finishedAt,
          JSON.stringify(summary),
          opts.handedOver === false ? 0 : 1,
          result.location ?? '',
        ]);
        await tx.run('DELETE FROM run_failures WHERE run_id = ?', [result.runId]);
        await insertMany(
          tx,
          'run_failures',
          ['run_id', 'seq', 'title', 'file', 'line', 'error'],
          result.failures.map((f, seq) => [result.runId, seq, f.title, f.file, Math.trunc(f.line) || 0, f.error]),
        );
        await testRows.replace(tx, result.runId, testResults ?? []);
      });
    },

    async handedOver(runId) {
      await db.run('UPDATE runs SET handed_over = 1 WHERE run_id = ?', [runId]);
    },

    async notHandedOver(before, limit = 100) {
      const now = new Date().toISOString();
      return (
        await db.all('SELECT result FROM runs WHERE handed_over = 0 AND finished_at < ? AND (handover_claim IS NULL OR handover_claim < ?) ORDER BY finished_at LIMIT ?', [
          before.toISOString(),
          now,
          limit,
        ])
      ).map(parse);
    },

    async claimHandOver(runId, until) {
      const now = new Date().toISOString();
      const taken = await db.run('UPDATE runs SET handover_claim = ? WHERE run_id = ? AND handed_over = 0 AND (handover_claim IS NULL OR handover_claim < ?)', [
        until.toISOString(),
        runId,
        now,
      ]);
      return taken === 1;
    },

    async get(runId) {
      const row = await db.get('SELECT result FROM runs WHERE run_id = ?', [runId]);
      if (!row) return undefined;
      const result = parse(row);
      const tests = await testRows.of(runId);
      return tests.length ? { ...result, testResults: tests } : result;
    },

    testHistory: (query) => testRows.history(query),

    async statusCounts(query) {
      const rows = await db.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM runs WHERE suite = ? AND environment = ? AND finished_at >= ? GROUP BY status', [
        query.suite,
        query.environment,
        query.since.toISOString(),
      ]);
      const counts = { passed: 0, flaky: 0, failed: 0, error: 0 };
      for (const r of rows) if (r.status in counts) counts[r.status as keyof typeof counts] = Number(r.n);
      return counts;
    },

    retain: createRunRetention(db),

    async list(query: RunQuery = {}) {
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
      return (await db.all(sql, [...params, limit])).map(parse);
    },

    async lastByLocation(pair) {
      return (await db.all(lastByLocation(pair !== undefined), pair ? [pair.suite, pair.environment] : [])).map(parse);
    },

    async lastBySuite() {
      const successAt = new Map<string, string>();
      for (const row of await db.all<{ suite: string; environment: string; at: string }>(LAST_SUCCESSES)) {
        successAt.set(JSON.stringify([row.suite, row.environment]), row.at);
      }
      return (
        (await db.all(LAST_RUNS))
          .map(parse)
          .map((last): SuiteSummary => {
            const at = successAt.get(JSON.stringify([last.suite, last.environment]));
            return { suite: last.suite, environment: last.environment, last, ...(at ? { lastSuccessAt: at } : {}) };
          })
          // Plain code-unit order: names are ASCII (NAME_PATTERN), and localeCompare would load ICU's
          // collation data (~2 MB that stays resident) into `vigil serve`, which calls this at start-up.
          .sort((a, b) => compare(a.suite, b.suite) || compare(a.environment, b.environment))
      );
    },
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
