import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { RunResult } from '../core/index.ts';
import { createRunRetention } from './run-retention.ts';
import { createTestRows } from './test-rows.ts';
import type { RunQuery, RunStore, SuiteSummary } from './types.ts';

const DEFAULT_LIMIT = 50;
// A status that means the application worked, for "last success" (flaky tests passed on retry).
const SUCCESS = `('passed', 'flaky')`;

export function createRunStore(db: DatabaseSync): RunStore {
  const upsert = db.prepare(`
    INSERT INTO runs (run_id, suite, environment, trigger, status, error_phase, started_at, finished_at, result, handed_over)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id) DO UPDATE SET
      suite = excluded.suite, environment = excluded.environment, trigger = excluded.trigger,
      status = excluded.status, error_phase = excluded.error_phase, started_at = excluded.started_at,
      finished_at = excluded.finished_at, result = excluded.result, handed_over = excluded.handed_over`);
  const markHandedOver = db.prepare('UPDATE runs SET handed_over = 1 WHERE run_id = ?');
  const notHandedOver = db.prepare('SELECT result FROM runs WHERE handed_over = 0 AND finished_at < ? ORDER BY finished_at LIMIT ?');
  const clearFailures = db.prepare('DELETE FROM run_failures WHERE run_id = ?');
  const insertFailure = db.prepare(
    'INSERT INTO run_failures (run_id, seq, title, file, line, error) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const byId = db.prepare('SELECT result FROM runs WHERE run_id = ?');
  const lastRuns = db.prepare(`
    SELECT result FROM (
      SELECT result, ROW_NUMBER() OVER (PARTITION BY suite, environment ORDER BY started_at DESC, rowid DESC) AS n
      FROM runs)
    WHERE n = 1`);
  const lastSuccesses = db.prepare(`
    SELECT suite, environment, MAX(finished_at) AS at FROM runs WHERE status IN ${SUCCESS}
    GROUP BY suite, environment`);

  const statusCounts = db.prepare('SELECT status, COUNT(*) AS n FROM runs WHERE suite = ? AND environment = ? AND finished_at >= ? GROUP BY status');
  const parse = (row: unknown): RunResult => JSON.parse((row as { result: string }).result) as RunResult;
  const testRows = createTestRows(db);

  return {
    save(result, opts = {}) {
      // Per-test rows live in run_tests: the JSON stays the small record lastBySuite() and list() parse.
      const { testResults, ...summary } = result;
      db.exec('BEGIN');
      try {
        upsert.run(
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
        );
        clearFailures.run(result.runId);
        result.failures.forEach((f, seq) =>
          insertFailure.run(result.runId, seq, f.title, f.file, Math.trunc(f.line) || 0, f.error),
        );
        testRows.replace(result.runId, testResults ?? []);
        db.exec('COMMIT');
      } catch (err) {
        db.exec('ROLLBACK');
        throw err;
      }
    },

    handedOver(runId) {
      markHandedOver.run(runId);
    },

    notHandedOver(before, limit = 100) {
      return notHandedOver.all(before.toISOString(), limit).map(parse);
    },

    get(runId) {
      const row = byId.get(runId);
      if (!row) return undefined;
      const result = parse(row);
      const tests = testRows.of(runId);
      return tests.length ? { ...result, testResults: tests } : result;
    },

    testHistory: (query) => testRows.history(query),

    statusCounts(query) {
      const rows = statusCounts.all(query.suite, query.environment, query.since.toISOString()) as Array<{ status: string; n: number }>;
      const counts = { passed: 0, flaky: 0, failed: 0, error: 0 };
      for (const r of rows) if (r.status in counts) counts[r.status as keyof typeof counts] = Number(r.n);
      return counts;
    },

    retain: createRunRetention(db),

    list(query: RunQuery = {}) {
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      for (const [column, value] of [
        ['suite', query.suite],
        ['environment', query.environment],
        ['status', query.status],
      ] as const) {
        if (value === undefined) continue;
        where.push(`${column} = ?`);
        params.push(value);
      }
      const limit = Math.max(1, Math.trunc(query.limit ?? DEFAULT_LIMIT));
      const sql =
        `SELECT result FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
        'ORDER BY started_at DESC, rowid DESC LIMIT ?';
      return db
        .prepare(sql)
        .all(...params, limit)
        .map(parse);
    },

    lastBySuite() {
      const successAt = new Map<string, string>();
      for (const row of lastSuccesses.all() as Array<{ suite: string; environment: string; at: string }>) {
        successAt.set(JSON.stringify([row.suite, row.environment]), row.at);
      }
      return lastRuns
        .all()
        .map(parse)
        .map((last): SuiteSummary => {
          const at = successAt.get(JSON.stringify([last.suite, last.environment]));
          return { suite: last.suite, environment: last.environment, last, ...(at ? { lastSuccessAt: at } : {}) };
        })
        // Plain code-unit order: names are ASCII (NAME_PATTERN), and localeCompare would load ICU's
        // collation data (~2 MB that stays resident) into `vigil serve`, which calls this at start-up.
        .sort((a, b) => compare(a.suite, b.suite) || compare(a.environment, b.environment));
    },
  };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
