// `store:` names the engine (src/shared/store-location.ts): a file (or ':memory:') is the embedded
// SQLite store, a postgres:// URL the shared PostgreSQL one for replicas.
import { ConfigError, messageOf } from '../shared/errors.ts';
import { isPostgresLocation, storeLocationProblem } from '../shared/store-location.ts';
import { migrations } from './migrations.ts';
import { createClusterStore } from './cluster-store.ts';
import { createExportSpool } from './export-spool.ts';
import { createPauseStore } from './pause-store.ts';
import type { PostgresOptions } from './postgres-db.ts';
import { createRunStore } from './run-store.ts';
import { createScenarioRunStore } from './scenario-run-store.ts';
import type { SqlDb } from './sql.ts';
import { openSqlite, type SqliteDb } from './sqlite-db.ts';
import { describeStoreFailure } from './store-failure.ts';
import { createTenantLedger } from './tenant-ledger.ts';
import { createUndoLedger } from './undo-ledger.ts';
import type { Store } from './types.ts';

export { isPostgresLocation, storeLocationProblem } from '../shared/store-location.ts';

/**
 * Opens (creating, and migrating to this Vigil's schema) the store. Throws a ConfigError naming it:
 * whatever is wrong (read-only, full, unreachable, not a store), the fix is there or in `store:`.
 */
export async function openStore(location: string, opts: PostgresOptions = {}): Promise<Store> {
  const problem = storeLocationProblem(location);
  if (problem) throw new ConfigError(problem, { where: 'store' });
  if (isPostgresLocation(location)) {
    // pg (and its protocol, types, pool) only for a PostgreSQL store: ~1.4 MB of an idle SQLite `vigil serve`.
    const { openPostgres } = await import('./postgres-db.ts');
    const db = await openPostgres(location, opts);
    try {
      await migratePostgres(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    return storeOn(db);
  }
  const db = openSqlite(location);
  try {
    migrateSqlite(db);
  } catch (err) {
    await db.close();
    if (err instanceof ConfigError) throw err;
    // The first real read or write is where SQLite notices a read-only file, a full disk or a file that is not a database.
    const described = describeStoreFailure(err, messageOf(err));
    throw new ConfigError(described === messageOf(err) ? `not a usable Vigil store (${described}); move it aside or point "store:" elsewhere` : described, {
      where: `store ${db.location}`,
      cause: err,
    });
  }
  return storeOn(db);
}

function storeOn(db: SqlDb): Store {
  return {
    path: db.location,
    engine: db.engine,
    db,
    runs: createRunStore(db),
    tenants: createTenantLedger(db),
    spool: createExportSpool(db),
    scenarioRuns: createScenarioRunStore(db),
    undos: createUndoLedger(db),
    pauses: createPauseStore(db),
    cluster: createClusterStore(db),
    close: () => db.close(),
  };
}

const newerThanThis = (version: number, where: string) =>
  new ConfigError(
    `schema version ${version} was written by a newer Vigil (this one knows up to ${migrations.length}); upgrade Vigil or point "store:" at another store`,
    { where },
  );

function migrateSqlite(db: SqliteDb): void {
  const where = `store ${db.location}`;
  const userVersion = () => Number((db.raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (userVersion() > migrations.length) throw newerThanThis(userVersion(), where);
  if (userVersion() === migrations.length) return;
  // IMMEDIATE takes the write lock first, so two processes starting together do not both migrate.
  db.execSync('BEGIN IMMEDIATE');
  try {
    const current = userVersion();
    if (current > migrations.length) throw newerThanThis(current, where);
    for (let i = current; i < migrations.length; i++) {
      try {
        db.execSync(migrations[i].sqlite);
      } catch (err) {
        throw new ConfigError(`migration ${i + 1} failed: ${messageOf(err)}`, { where, cause: err });
      }
    }
    db.execSync(`PRAGMA user_version = ${migrations.length}`);
    db.execSync('COMMIT');
  } catch (err) {
    db.execSync('ROLLBACK');
    throw err;
  }
}

// Replicas starting together: the first takes this transaction-scoped advisory lock (PostgreSQL's
// own, released at commit), the others wait for it and then find the schema done.
const MIGRATION_LOCK = 0x56_49_47_4c; // "VIGL"

async function migratePostgres(db: SqlDb): Promise<void> {
  const where = `store ${db.location}`;
  await db.transaction(async (tx) => {
    await tx.get('SELECT pg_advisory_xact_lock(?)', [MIGRATION_LOCK]);
    await tx.run('CREATE TABLE IF NOT EXISTS vigil_schema (version INTEGER NOT NULL)');
    const row = await tx.get<{ version: number }>('SELECT version FROM vigil_schema');
    const current = row ? Number(row.version) : 0;
    if (current > migrations.length) throw newerThanThis(current, where);
    for (let i = current; i < migrations.length; i++) {
      if (!migrations[i].postgres.trim()) continue;
      try {
        await tx.run(migrations[i].postgres);
      } catch (err) {
        throw new ConfigError(`migration ${i + 1} failed: ${messageOf(err)}`, { where, cause: err });
      }
    }
    if (row) await tx.run('UPDATE vigil_schema SET version = ?', [migrations.length]);
    else await tx.run('INSERT INTO vigil_schema (version) VALUES (?)', [migrations.length]);
  });
}
