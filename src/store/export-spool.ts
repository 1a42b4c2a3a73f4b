// Results an exporter could not deliver, kept in the store so a restart loses nothing. The fan-out
// decides when to retry and when to give up; this file only keeps the rows honest across processes.
import type { DatabaseSync } from 'node:sqlite';
import type { DeliveredMark, ExportSpool, SpoolEntry } from './types.ts';

interface Row {
  id: number;
  exporter: string;
  run_id: string;
  host: string;
  service: string;
  timestamp: number;
  payload: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  created_at: string;
}

const toEntry = (row: Row): SpoolEntry => ({
  id: Number(row.id),
  exporter: row.exporter,
  runId: row.run_id,
  host: row.host,
  service: row.service,
  timestamp: Number(row.timestamp),
  payload: JSON.parse(row.payload) as unknown,
  attempts: Number(row.attempts),
  nextAttemptAt: row.next_attempt_at,
  ...(row.last_error !== null ? { lastError: row.last_error } : {}),
  createdAt: row.created_at,
});

export function createExportSpool(db: DatabaseSync): ExportSpool {
  // The unique index makes a result published twice (a retried publish, two processes) spool once.
  const insert = db.prepare(`
    INSERT INTO export_spool (exporter, run_id, host, service, timestamp, payload, attempts, next_attempt_at, last_error, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (exporter, run_id, host, service) DO NOTHING`);
  // ISO text compares in time order; ties are broken by insertion order.
  const dueRows = db.prepare(
    'SELECT * FROM export_spool WHERE next_attempt_at <= ? ORDER BY timestamp, id LIMIT ?',
  );
  const claimRow = db.prepare('UPDATE export_spool SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ?');
  const failRow = db.prepare(
    'UPDATE export_spool SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?',
  );
  const removeRow = db.prepare('DELETE FROM export_spool WHERE id = ?');
  const countRows = db.prepare('SELECT exporter, COUNT(*) AS n FROM export_spool GROUP BY exporter');
  const mark = db.prepare(`
    INSERT INTO export_delivered (exporter, host, service, timestamp, run_id, delivered_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (exporter, host, service) DO UPDATE SET
      timestamp = excluded.timestamp, run_id = excluded.run_id, delivered_at = excluded.delivered_at
    WHERE excluded.timestamp >= export_delivered.timestamp`);
  const lastMark = db.prepare(
    'SELECT exporter, host, service, timestamp, run_id FROM export_delivered WHERE exporter = ? AND host = ? AND service = ?',
  );

  return {
    add(e) {
      const { changes } = insert.run(
        e.exporter,
        e.runId,
        e.host,
        e.service,
        Math.trunc(e.timestamp),
        JSON.stringify(e.payload),
        e.attempts,
        e.nextAttemptAt.toISOString(),
        e.lastError ?? null,
        e.createdAt.toISOString(),
      );
      return Number(changes) > 0;
    },

    due(now, limit = 100) {
      return (dueRows.all(now.toISOString(), limit) as unknown as Row[]).map(toEntry);
    },

    claim(id, seenNextAttemptAt, until) {
      return Number(claimRow.run(until.toISOString(), id, seenNextAttemptAt).changes) === 1;
    },

    failed(id, error, nextAttemptAt) {
      failRow.run(error, nextAttemptAt.toISOString(), id);
    },

    remove(id) {
      removeRow.run(id);
    },

    counts() {
      const rows = countRows.all() as unknown as Array<{ exporter: string; n: number }>;
      return Object.fromEntries(rows.map((r) => [r.exporter, Number(r.n)]));
    },

    list(query = {}) {
      const rows =
        query.exporter === undefined
          ? db.prepare('SELECT * FROM export_spool ORDER BY timestamp, id').all()
          : db.prepare('SELECT * FROM export_spool WHERE exporter = ? ORDER BY timestamp, id').all(query.exporter);
      return (rows as unknown as Row[]).map(toEntry);
    },

    markDelivered(m, at) {
      mark.run(m.exporter, m.host, m.service, Math.trunc(m.timestamp), m.runId, at.toISOString());
    },

    lastDelivered(exporter, host, service) {
      const row = lastMark.get(exporter, host, service) as
        | { exporter: string; host: string; service: string; timestamp: number; run_id: string }
        | undefined;
      return row && { exporter: row.exporter, host: row.host, service: row.service, timestamp: Number(row.timestamp), runId: row.run_id };
    },
  };
}
