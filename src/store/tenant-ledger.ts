import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { VigilError } from '../shared/errors.ts';
import type { LedgerQuery, LedgerRow, TenantLedger, TenantState } from './types.ts';

interface Row {
  name: string;
  provisioner: string;
  suite: string;
  environment: string;
  base_url: string;
  run_id: string;
  state: string;
  fields: string;
  error: string | null;
  created_at: string;
  updated_at: string;
  attempts: number;
}

const toLedgerRow = (row: Row): LedgerRow => ({
  name: row.name,
  provisioner: row.provisioner,
  suite: row.suite,
  environment: row.environment,
  baseURL: row.base_url,
  runId: row.run_id,
  state: row.state as TenantState,
  fields: JSON.parse(row.fields) as Record<string, string>,
  ...(row.error !== null ? { error: row.error } : {}),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  attempts: Number(row.attempts),
});

// Timestamps are stored as toISOString() text so that string order is time order in SQL.
const iso = (at: string | Date): string => {
  const date = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(date.getTime())) throw new VigilError(`invalid timestamp ${JSON.stringify(String(at))}`, { where: 'store.tenants' });
  return date.toISOString();
};

export function createTenantLedger(db: DatabaseSync): TenantLedger {
  const insert = db.prepare(`
    INSERT INTO tenants (name, provisioner, suite, environment, base_url, run_id, state, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, 'creating', ?, ?)`);
  const setActive = db.prepare(
    `UPDATE tenants SET state = 'active', fields = ?, error = NULL, updated_at = ? WHERE name = ?`,
  );
  const setFinal = db.prepare('UPDATE tenants SET state = ?, error = ?, updated_at = ? WHERE name = ?');
  const reapAttempt = db.prepare(
    'UPDATE tenants SET attempts = attempts + 1, error = ?, updated_at = ? WHERE name = ?',
  );
  const byName = db.prepare('SELECT * FROM tenants WHERE name = ?');

  const mustChange = (changes: number | bigint, name: string, call: string) => {
    if (Number(changes) === 0) {
      throw new VigilError(`tenant "${name}" is not in the ledger`, { where: `store.tenants.${call}` });
    }
  };
  const now = () => new Date().toISOString();

  return {
    begin(t) {
      const created = iso(t.createdAt);
      try {
        insert.run(t.name, t.provisioner, t.suite, t.environment, t.baseURL, t.runId, created, now());
      } catch (err) {
        throw new VigilError(`cannot record tenant "${t.name}": ${(err as Error).message}`, {
          where: 'store.tenants.begin',
          cause: err,
        });
      }
    },

    activate(name, fields) {
      mustChange(setActive.run(JSON.stringify(fields), now(), name).changes, name, 'activate');
    },

    finish(name, state, error) {
      mustChange(setFinal.run(state, error ?? null, now(), name).changes, name, 'finish');
    },

    get(name) {
      const row = byName.get(name) as Row | undefined;
      return row ? toLedgerRow(row) : undefined;
    },

    list(query: LedgerQuery = {}) {
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      if (query.states) {
        if (query.states.length === 0) return [];
        where.push(`state IN (${query.states.map(() => '?').join(', ')})`);
        params.push(...query.states);
      }
      if (query.olderThan) {
        where.push('created_at < ?');
        params.push(iso(query.olderThan));
      }
      if (query.provisioner !== undefined) {
        where.push('provisioner = ?');
        params.push(query.provisioner);
      }
      if (query.environment !== undefined) {
        where.push('environment = ?');
        params.push(query.environment);
      }
      const sql = `SELECT * FROM tenants ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, name`;
      return (db.prepare(sql).all(...params) as unknown as Row[]).map(toLedgerRow);
    },

    recordReapAttempt(name, error) {
      mustChange(reapAttempt.run(error ?? null, now(), name).changes, name, 'recordReapAttempt');
    },
  };
}
