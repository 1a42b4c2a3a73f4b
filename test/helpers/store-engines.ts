// The store's contract holds on both engines: tests that take a store run once on the embedded
// SQLite and once on a real PostgreSQL 15 (test/helpers/postgres.ts, one server per test file, a
// new database per store). Where PostgreSQL is not installed the postgres half skips locally, with
// the reason, and fails in CI (requireBinary).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';
import { requireBinary } from './nagios-skip.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from './postgres.ts';

export interface Engine {
  name: 'sqlite' | 'postgres';
  /** A `skip` for describe(): false, or why this engine cannot be tested here. */
  skip: string | false;
  /** A new, empty store location (a file, or a database URL). */
  fresh(): Promise<string>;
  /** A new, empty store, opened. */
  open(): Promise<Store>;
}

/** Both engines; call once per test file, at its top level (it registers the server's stop). */
export function storeEngines(): Engine[] {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  let files = 0;
  let server: Promise<TestPostgres> | undefined;
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (server) await (await server).stop();
  });
  const sqlite: Engine = {
    name: 'sqlite',
    skip: false,
    fresh: async () => join(dir, `store-${++files}`, 'vigil.db'),
    open: async () => openStore(await sqlite.fresh()),
  };
  const postgres: Engine = {
    name: 'postgres',
    skip: requireBinary('postgres', postgresAvailable(), 'postgresql-15'),
    fresh: async () => (await (server ??= startPostgres())).createDatabase(),
    open: async () => openStore(await postgres.fresh()),
  };
  return [sqlite, postgres];
}
