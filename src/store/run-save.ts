// Saving a run: its summary row (the result as JSON, without the per-test rows), its failures and its
// per-test rows, replaced together in one transaction — a run is never half saved, and saved again
// (the same runId) it replaces what was there.
import type { RunResult } from '../core/index.ts';
import { insertMany, type SqlDb } from './sql.ts';
import type { createTestRows } from './test-rows.ts';
import type { RunStore } from './types.ts';

const UPSERT = `
  INSERT INTO runs (run_id, suite, environment, trigger, status, error_phase, started_at, finished_at, result, handed_over, location)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (run_id) DO UPDATE SET
    suite = excluded.suite, environment = excluded.environment, trigger = excluded.trigger,
    status = excluded.status, error_phase = excluded.error_phase, started_at = excluded.started_at,
    finished_at = excluded.finished_at, result = excluded.result, handed_over = excluded.handed_over,
    location = excluded.location`;

export async function saveRun(
  db: SqlDb,
  testRows: ReturnType<typeof createTestRows>,
  result: RunResult,
  opts: Parameters<RunStore['save']>[1] = {},
): Promise<void> {
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
}
