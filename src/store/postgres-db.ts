// The shared engine for replicas: PostgreSQL through node-postgres (pg), a small pool per process.
// The store's SQL is written once with `?` placeholders (sql.ts); here they become $1, $2, ….
import pg from 'pg';
import { ConfigError, messageOf } from '../shared/errors.ts';
import { numberedPlaceholders, type SqlDb, type SqlOps, type SqlValue } from './sql.ts';

export interface PostgresOptions {
  /** Connections per process: a scheduler, the API and the spool pass at once. Default 8. */
  max?: number;
  /** Give up on a connection (and say so) after this long. Default 10 s. */
  connectTimeoutMs?: number;
  /** `application_name`, shown in pg_stat_activity: which replica holds a connection. */
  applicationName?: string;
}

/** The URL as it may be shown: without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** What the operator should check, from pg's error codes (network, auth, database missing). */
export function describePgFailure(err: unknown): string {
  const e = err as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return `nothing listens there: is PostgreSQL running, and is the host and port right? (${e.message})`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name does not resolve (${e.message})`;
    case '28P01':
    case '28000':
      return `PostgreSQL refused the user or password (${e.message})`;
    case '3D000':
      return `the database does not exist: create it (CREATE DATABASE …) or fix the URL (${e.message})`;
    default:
      return messageOf(err);
  }
}

export async function openPostgres(url: string, opts: PostgresOptions = {}): Promise<SqlDb> {
  const location = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 8,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 10_000,
    application_name: opts.applicationName ?? 'vigil',
  });
  // An idle connection the server drops (restart, failover) is replaced on the next query; without a
  // listener the pool's 'error' event would end the process.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (err) {
    await pool.end().catch(() => {});
    throw new ConfigError(`cannot connect: ${describePgFailure(err)}`, { where: `store ${location}`, cause: err });
  }

  const opsOf = (q: pg.Pool | pg.PoolClient): SqlOps => ({
    all: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q.query(numberedPlaceholders(sql), params as unknown[])).rows as T[],
    get: async <T>(sql: string, params: readonly SqlValue[] = []) => (await q.query(numberedPlaceholders(sql), params as unknown[])).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlValue[] = []) => (await q.query(numberedPlaceholders(sql), params as unknown[])).rowCount ?? 0,
  });
  const direct = opsOf(pool);

  return {
    engine: 'postgres',
    location,
    ...direct,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const value = await fn(opsOf(client));
        await client.query('COMMIT');
        return value;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
