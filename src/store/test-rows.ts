// The per-test rows of runs (table run_tests): written with the run, read back for its page, and
// queried across runs for the suite page's per-test duration chart.
import type { DatabaseSync } from 'node:sqlite';
import type { TestResult } from '../core/index.ts';
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

export function createTestRows(db: DatabaseSync) {
  const clear = db.prepare('DELETE FROM run_tests WHERE run_id = ?');
  const insert = db.prepare(`
    INSERT INTO run_tests (run_id, seq, title, file, line, project, outcome, duration_ms, retries, error, snippet)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const ofRun = db.prepare('SELECT * FROM run_tests WHERE run_id = ? ORDER BY seq');
  // The newest `runs` runs of the pair that recorded tests, then their rows: one query, bounded.
  const history = db.prepare(`
    SELECT r.run_id, r.started_at, t.title, t.project, t.outcome, t.duration_ms
    FROM (SELECT run_id, started_at FROM runs WHERE suite = ? AND environment = ?
            AND run_id IN (SELECT run_id FROM run_tests)
          ORDER BY started_at DESC, rowid DESC LIMIT ?) r
    JOIN run_tests t ON t.run_id = r.run_id
    ORDER BY r.started_at, t.seq`);

  return {
    /** Called inside the run's transaction. */
    replace(runId: string, tests: readonly TestResult[]): void {
      clear.run(runId);
      tests.forEach((t, seq) =>
        insert.run(runId, seq, t.title, t.file, Math.trunc(t.line) || 0, t.project ?? null, t.outcome, Math.max(0, Math.round(t.durationMs)) || 0, Math.max(0, Math.trunc(t.retries)) || 0, t.error ?? null, t.snippet ?? null),
      );
    },

    of(runId: string): TestResult[] {
      return (ofRun.all(runId) as unknown as Row[]).map((r) => ({
        title: r.title,
        file: r.file,
        line: r.line,
        ...(r.project ? { project: r.project } : {}),
        outcome: r.outcome,
        durationMs: r.duration_ms,
        retries: r.retries,
        ...(r.error ? { error: r.error } : {}),
        ...(r.snippet ? { snippet: r.snippet } : {}),
      }));
    },

    /** Oldest first. */
    history(query: TestHistoryQuery): TestHistoryPoint[] {
      const rows = history.all(query.suite, query.environment, Math.max(1, Math.trunc(query.runs ?? 30))) as unknown as Array<{
        run_id: string;
        started_at: string;
        title: string;
        project: string | null;
        outcome: TestResult['outcome'];
        duration_ms: number;
      }>;
      return rows.map((r) => ({ runId: r.run_id, startedAt: r.started_at, title: r.title, ...(r.project ? { project: r.project } : {}), outcome: r.outcome, durationMs: r.duration_ms }));
    },
  };
}
