// The runs table behind the RunStore interface (types.ts): saving a run (run-save.ts), the reads across
// runs (run-queries.ts), the hand-over marks the export spool relies on, one run with its per-test
// rows, and retention (run-retention.ts). One implementation for SQLite and PostgreSQL (sql.ts).
import { createRunRetention } from './run-retention.ts';
import { lastRunBySuite, lastRunsByLocation, listRuns, parseRun as parse, statusCounts } from './run-queries.ts';
import { saveRun } from './run-save.ts';
import type { SqlDb } from './sql.ts';
import { createTestRows } from './test-rows.ts';
import type { RunQuery, RunStore } from './types.ts';

export function createRunStore(db: SqlDb): RunStore {
  const testRows = createTestRows(db);

  return {
    save: (result, opts = {}) => saveRun(db, testRows, result, opts),

    async handedOver(runId) {
      await db.run('UPDATE runs SET handed_over = 1 WHERE run_id = ?', [runId]);
    },

    async notHandedOver(before, limit = 100) {
      const now = new Date().toISOString();
      return (
        await db.all(
          'SELECT result FROM runs WHERE handed_over = 0 AND finished_at < ? AND (handover_claim IS NULL OR handover_claim < ?) ORDER BY finished_at LIMIT ?',
          [before.toISOString(), now, limit],
        )
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

    statusCounts: (query) => statusCounts(db, query),

    retain: createRunRetention(db),

    list: (query: RunQuery = {}) => listRuns(db, query),

    lastByLocation: (pair) => lastRunsByLocation(db, pair),

    lastBySuite: () => lastRunBySuite(db),
  };
}
