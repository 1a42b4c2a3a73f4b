import { VigilError } from '../shared/errors.ts';
import type { SqlDb, SqlValue } from './sql.ts';
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

const INSERT = `
  INSERT INTO tenants (name, provisioner, suite, environment, base_url, run_id, state, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, 'creating', ?, ?)`;

export function createTenantLedger(db: SqlDb): TenantLedger {
  const mustChange = (changes: number, name: string, call: string) => {
    if (changes === 0) {
      throw new VigilError(`tenant "${name}" is not in the ledger`, { where: `store.tenants.${call}` });
    }
  };
  const now = () => new Date().toISOString();

  return {
    async begin(t) {
      const created = iso(t.createdAt);
      try {
        await db.run(INSERT, [t.name, t.provisioner, t.suite, t.environment, t.baseURL, t.runId, created, now()]);
      } catch (err) {
        throw new VigilError(`cannot record tenant "${t.name}": ${(err as Error).message}`, {
          where: 'store.tenants.begin',
          cause: err,
        });
      }
    },

    async activate(name, fields) {
      mustChange(
        await db.run(`UPDATE tenants SET state = 'active', fields = ?, error = NULL, updated_at = ? WHERE name = ?`, [JSON.stringify(fields), now(), name]),
        name,
        'activate',
      );
    },

    async finish(name, state, error) {
      mustChange(await db.run('UPDATE tenants SET state = ?, error = ?, updated_at = ? WHERE name = ?', [state, error ?? null, now(), name]), name, 'finish');
    },

    async get(name) {
      const row = await db.get<Row>('SELECT * FROM tenants WHERE name = ?', [name]);
      return row ? toLedgerRow(row) : undefined;
    },

    async list(query: LedgerQuery = {}) {
      const where: string[] = [];
      const params: SqlValue[] = [];
      if (query.states) {
        if (query.states.length === 0) return [];
        where.push(`state IN (${query.states.map(() => '?').join(', ')})`);
        params.push(...query.states);
      }
      if (query.runId !== undefined) {
        where.push('run_id = ?');
        params.push(query.runId);
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
      return (await db.all<Row>(sql, params)).map(toLedgerRow);
    },

    async recordReapAttempt(name, error) {
      mustChange(
        await db.run('UPDATE tenants SET attempts = attempts + 1, error = ?, updated_at = ? WHERE name = ?', [error ?? null, now(), name]),
        name,
        'recordReapAttempt',
      );
    },
  };
}
