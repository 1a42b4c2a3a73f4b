// Results an exporter could not deliver, kept in the store so a restart loses nothing. The fan-out
// decides when to retry and when to give up; this file only keeps the rows honest across processes.
import type { SqlDb } from './sql.ts';
import type { ExportSpool, SpoolEntry } from './types.ts';

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

// The unique index makes a result published twice (a retried publish, two processes) spool once.
const INSERT = `
  INSERT INTO export_spool (exporter, run_id, host, service, timestamp, payload, attempts, next_attempt_at, last_error, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (exporter, run_id, host, service) DO NOTHING`;
const MARK = `
  INSERT INTO export_delivered (exporter, host, service, timestamp, run_id, delivered_at) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (exporter, host, service) DO UPDATE SET
    timestamp = excluded.timestamp, run_id = excluded.run_id, delivered_at = excluded.delivered_at
  WHERE excluded.timestamp >= export_delivered.timestamp`;

export function createExportSpool(db: SqlDb): ExportSpool {
  return {
    async add(e) {
      const changes = await db.run(INSERT, [
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
      ]);
      return changes > 0;
    },

    // ISO text compares in time order; ties are broken by insertion order.
    async due(now, limit = 100) {
      return (await db.all<Row>('SELECT * FROM export_spool WHERE next_attempt_at <= ? ORDER BY timestamp, id LIMIT ?', [now.toISOString(), limit])).map(
        toEntry,
      );
    },

    async claim(id, seenNextAttemptAt, until) {
      return (
        (await db.run('UPDATE export_spool SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ?', [until.toISOString(), id, seenNextAttemptAt])) === 1
      );
    },

    async failed(id, error, nextAttemptAt) {
      await db.run('UPDATE export_spool SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?', [
        error,
        nextAttemptAt.toISOString(),
        id,
      ]);
    },

    async remove(id) {
      await db.run('DELETE FROM export_spool WHERE id = ?', [id]);
    },

    async counts() {
      const rows = await db.all<{ exporter: string; n: number }>('SELECT exporter, COUNT(*) AS n FROM export_spool GROUP BY exporter');
      return Object.fromEntries(rows.map((r) => [r.exporter, Number(r.n)]));
    },

    async list(query = {}) {
      const rows =
        query.exporter === undefined
          ? await db.all<Row>('SELECT * FROM export_spool ORDER BY timestamp, id')
          : await db.all<Row>('SELECT * FROM export_spool WHERE exporter = ? ORDER BY timestamp, id', [query.exporter]);
      return rows.map(toEntry);
    },

    async markDelivered(m, at) {
      await db.run(MARK, [m.exporter, m.host, m.service, Math.trunc(m.timestamp), m.runId, at.toISOString()]);
    },

    async lastDelivered(exporter, host, service) {
      const row = await db.get<{ exporter: string; host: string; service: string; timestamp: number; run_id: string }>(
        'SELECT exporter, host, service, timestamp, run_id FROM export_delivered WHERE exporter = ? AND host = ? AND service = ?',
        [exporter, host, service],
      );
      return row && { exporter: row.exporter, host: row.host, service: row.service, timestamp: Number(row.timestamp), runId: row.run_id };
    },
  };
}
