import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ConfigError, messageOf } from '../shared/errors.ts';
import { migrations } from './migrations.ts';
import { createExportSpool } from './export-spool.ts';
import { createPauseStore } from './pause-store.ts';
import { createRunStore } from './run-store.ts';
import { describeStoreFailure, runningAs } from './store-failure.ts';
import { createScenarioRunStore } from './scenario-run-store.ts';
import { createTenantLedger } from './tenant-ledger.ts';
import type { Store } from './types.ts';

// Another Vigil process (a `vigil tenants reap` next to `vigil serve`) may hold the write lock briefly.
const BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating when absent) the store at `path`, or ':memory:'. Throws a ConfigError naming the
 * path: whatever is wrong (read-only, full, not a database), the fix is the file or the `store:` setting.
 */
export function openStore(path: string): Store {
  const inMemory = path === ':memory:';
  const where = `store ${inMemory ? path : resolve(path)}`;
  if (!inMemory) {
    try {
      mkdirSync(dirname(resolve(path)), { recursive: true });
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
    migrate(db, where);
  } catch (err) {
    db.close();
    if (err instanceof ConfigError) throw err;
    // The first real read or write is where SQLite notices a read-only file, a full disk or a file that is not a database.
    const described = describeStoreFailure(err, messageOf(err));
    throw new ConfigError(described === messageOf(err) ? `not a usable Vigil store (${described}); move it aside or point "store:" elsewhere` : described, {
      where,
      cause: err,
    });
  }

  return {
    path: inMemory ? path : resolve(path),
    runs: createRunStore(db),
    tenants: createTenantLedger(db),
    spool: createExportSpool(db),
    scenarioRuns: createScenarioRunStore(db),
    pauses: createPauseStore(db),
    close: () => {
      if (db.isOpen) db.close();
    },
  };
}

const userVersion = (db: DatabaseSync): number =>
  Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);

function migrate(db: DatabaseSync, where: string): void {
  const refuseNewer = (version: number) => {
    if (version > migrations.length) {
      throw new ConfigError(
        `schema version ${version} was written by a newer Vigil (this one knows up to ${migrations.length}); ` +
          'upgrade Vigil or point "store:" at another file',
        { where },
      );
    }
  };
  refuseNewer(userVersion(db));
  if (userVersion(db) === migrations.length) return;

  // IMMEDIATE takes the write lock first, so two processes starting together do not both migrate.
  db.exec('BEGIN IMMEDIATE');
  try {
    const current = userVersion(db);
    refuseNewer(current);
    for (let i = current; i < migrations.length; i++) {
      try {
        db.exec(migrations[i]);
      } catch (err) {
        throw new ConfigError(`migration ${i + 1} failed: ${messageOf(err)}`, { where, cause: err });
      }
    }
    db.exec(`PRAGMA user_version = ${migrations.length}`);
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}
