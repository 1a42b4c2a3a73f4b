// The embedded engine: node:sqlite, synchronous underneath, behind the async SqlDb the store's modules
// use. One connection per process, so a transaction must not interleave with other statements while it
// awaits: every operation is queued behind the one before it (in-process order; SQLite's own locking,
// with busy_timeout, serialises the processes sharing the file).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type StatementSync } from 'node:sqlite';
import { ConfigError, messageOf } from '../shared/errors.ts';
import type { SqlDb, SqlOps, SqlValue } from './sql.ts';
import { describeStoreFailure, runningAs } from './store-failure.ts';

// Another Vigil process (a `vigil tenants reap` next to `vigil serve`) may hold the write lock briefly.
const BUSY_TIMEOUT_MS = 5_000;

export interface SqliteDb extends SqlDb {
  /** Runs DDL or pragmas as they are (migrations). */
  execSync(sql: string): void;
  readonly raw: DatabaseSync;
}

/** Opens (creating when absent) the file, or ':memory:'. Throws a ConfigError naming the path. */
export function openSqlite(path: string): SqliteDb {
  const inMemory = path === ':memory:';
  const location = inMemory ? path : resolve(path);
  const where = `store ${location}`;
  if (!inMemory) {
    try {
      mkdirSync(dirname(location), { recursive: true });
    } catch (err) {
      throw new ConfigError(`cannot create its folder${runningAs()}: ${messageOf(err)}`, { where, cause: err });
    }
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (err) {
    throw new ConfigError(describeStoreFailure(err, messageOf(err)), { where, cause: err });
  }
  try {
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // The first real read is where SQLite notices a file that is not a database.
    db.exec('PRAGMA journal_mode = WAL');
    db.exec('PRAGMA foreign_keys = ON');
  } catch (err) {
    db.close();
    const described = describeStoreFailure(err, messageOf(err));
    throw new ConfigError(described === messageOf(err) ? `not a usable Vigil store (${described}); move it aside or point "store:" elsewhere` : described, {
      where,
      cause: err,
    });
  }
  return wrap(db, location);
}

function wrap(db: DatabaseSync, location: string): SqliteDb {
  const statements = new Map<string, StatementSync>();
  const prepare = (sql: string) => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const args = (params: readonly SqlValue[] = []) => params as SQLInputValue[];
  const direct: SqlOps = {
    all: async <T>(sql: string, params?: readonly SqlValue[]) => prepare(sql).all(...args(params)) as T[],
    get: async <T>(sql: string, params?: readonly SqlValue[]) => prepare(sql).get(...args(params)) as T | undefined,
    run: async (sql, params) => Number(prepare(sql).run(...args(params)).changes),
  };

  let tail: Promise<unknown> = Promise.resolve();
  /** Runs `fn` after everything queued before it; its result (or error) is the caller's alone. */
  const queued = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  };

  return {
    engine: 'sqlite',
    location,
    raw: db,
    all: (sql, params) => queued(() => direct.all(sql, params)),
    get: (sql, params) => queued(() => direct.get(sql, params)),
    run: (sql, params) => queued(() => direct.run(sql, params)),
    // IMMEDIATE takes the write lock first: two processes writing at once wait (busy_timeout) instead of failing.
    transaction: (fn) =>
      queued(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const value = await fn(direct);
          db.exec('COMMIT');
          return value;
        } catch (err) {
          if (db.isTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    execSync: (sql) => db.exec(sql),
    close: async () => {
      await tail;
      if (db.isOpen) db.close();
    },
  };
}
