// The per-test rows of runs (table run_tests): written with the run, read back for its page, and
// queried across runs for the suite page's per-test duration chart.
import type { TestResult } from '../core/index.ts';
import { insertMany, type SqlDb, type SqlOps } from './sql.ts';
import type { TestHistoryPoint, TestHistoryQuery } from './types.ts';

interface Row {
  title: string;
  file: string;
  line: number;
  project: string | null;
  outcome: TestResult['outcome'];
  duration_ms: number;
  retries: number;
  error: string | null;
  snippet: string | null;
}

// The newest `runs` runs of the pair that recorded tests, then their rows: one query, bounded.
const HISTORY = `
  SELECT r.run_id, r.started_at, t.title, t.project, t.outcome, t.duration_ms
  FROM (SELECT run_id, started_at, finished_at FROM runs WHERE suite = ? AND environment = ?
          AND run_id IN (SELECT run_id FROM run_tests)
        ORDER BY started_at DESC, finished_at DESC, run_id DESC LIMIT ?) r
  JOIN run_tests t ON t.run_id = r.run_id
  ORDER BY r.started_at, r.finished_at, r.run_id, t.seq`;

const COLUMNS = ['run_id', 'seq', 'title', 'file', 'line', 'project', 'outcome', 'duration_ms', 'retries', 'error', 'snippet'] as const;

export function createTestRows(db: SqlDb) {
  return {
    /** Called inside the run's transaction. */
    async replace(tx: SqlOps, runId: string, tests: readonly TestResult[]): Promise<void> {
      await tx.run('DELETE FROM run_tests WHERE run_id = ?', [runId]);
      await insertMany(
        tx,
        'run_tests',
        COLUMNS,
        tests.map((t, seq) => [
          runId,
          seq,
          t.title,
          t.file,
          Math.trunc(t.line) || 0,
          t.project ?? null,
          t.outcome,
          Math.max(0, Math.round(t.durationMs)) || 0,
          Math.max(0, Math.trunc(t.retries)) || 0,
          t.error ?? null,
          t.snippet ?? null,
        ]),
      );
    },

    async of(runId: string): Promise<TestResult[]> {
      return (await db.all<Row>('SELECT * FROM run_tests WHERE run_id = ? ORDER BY seq', [runId])).map((r) => ({
        title: r.title,
        file: r.file,
        line: Number(r.line),
        ...(r.project ? { project: r.project } : {}),
        outcome: r.outcome,
        durationMs: Number(r.duration_ms),
        retries: Number(r.retries),
        ...(r.error ? { error: r.error } : {}),
        ...(r.snippet ? { snippet: r.snippet } : {}),
      }));
    },

    /** Oldest first. */
    async history(query: TestHistoryQuery): Promise<TestHistoryPoint[]> {
      const rows = await db.all<{
        run_id: string;
        started_at: string;
        title: string;
        project: string | null;
        outcome: TestResult['outcome'];
        duration_ms: number;
      }>(HISTORY, [query.suite, query.environment, Math.max(1, Math.trunc(query.runs ?? 30))]);
      return rows.map((r) => ({
        runId: r.run_id,
        startedAt: r.started_at,
        title: r.title,
        ...(r.project ? { project: r.project } : {}),
        outcome: r.outcome,
        durationMs: Number(r.duration_ms),
      }));
    },
  };
}
