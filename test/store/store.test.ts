// The store's contract, on both engines (the embedded SQLite and a real PostgreSQL 15), and what
// opening each one checks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import type { RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { migrations } from '../../src/store/migrations.ts';
import type { Store } from '../../src/store/types.ts';
import { storeEngines } from '../helpers/store-engines.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = () => join(dir, `nested-${++fileCount}`, 'deeper', 'vigil.db');
const engines = storeEngines();
const [, postgres] = engines;

const run = (over: Partial<RunResult> & { runId: string; startedAt: string }): RunResult => ({
  suite: 'checkout',
  environment: 'staging',
  trigger: 'schedule',
  finishedAt: over.startedAt,
  status: 'passed',
  phases: { tenant_setup: 1, test: 2, teardown: 0.5 },
  tests: { total: 3, passed: 3, failed: 0, flaky: 0, skipped: 0 },
  failures: [],
  ...over,
});

describe('openStore: a file is the embedded SQLite store', () => {
  it('creates parent folders and migrates an empty file to the latest schema', async () => {
    const path = freshPath();
    const store = await openStore(path);
    assert.equal(store.engine, 'sqlite');
    await store.close();
    const db = new DatabaseSync(path);
    const version = db.prepare('PRAGMA user_version').get() as { user_version: number };
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all();
    const journal = db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    db.close();
    assert.equal(version.user_version, migrations.length);
    assert.deepEqual(
      tables.map((t) => (t as { name: string }).name),
      [
        'active_runs',
        'export_delivered',
        'export_spool',
        'fires',
        'pauses',
        'replicas',
        'run_failures',
        'run_tests',
        'runs',
        'scenario_holds',
        'scenario_runs',
        'scenario_undos',
        'sqlite_sequence',
        'tenants',
      ],
    );
    assert.equal(journal.journal_mode, 'wal');
  });

  it('refuses a store written by a newer schema, naming the file', async () => {
    const path = freshPath();
    await (await openStore(path)).close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${migrations.length + 7}`);
    db.close();
    await assert.rejects(openStore(path), (err: Error) => err.message.includes(path) && /newer Vigil/.test(err.message));
  });

  it('refuses a file that is not a database, naming the file', async () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not sqlite at all, just some text that fills a page '.repeat(100));
    await assert.rejects(openStore(path), (err: Error) => err.message.includes(path) && /not a usable Vigil store/.test(err.message));
  });

  it('refuses a URL of a scheme it does not serve: never a file of that name', async () => {
    for (const location of ['mysql://vigil:pw@db/vigil', 'redis://cache:6379', 'file:///data/vigil.db', 'https://example.com/store']) {
      const scheme = location.split(':')[0];
      await assert.rejects(openStore(location), (err: Error) =>
        err.message.startsWith(`store: "${scheme}://…" is not a store Vigil can use: give a file path (the embedded SQLite store) or a postgres:// URL`),
      );
    }
  });
});

describe('openStore: a postgres:// URL is the shared PostgreSQL store', { skip: postgres.skip }, () => {
  it('migrates an empty database to the latest schema, once, with replicas starting together', async () => {
    const url = await postgres.fresh();
    const stores = await Promise.all([openStore(url), openStore(url), openStore(url)]);
    for (const s of stores) assert.equal(s.engine, 'postgres');
    await Promise.all(stores.map((s) => s.close()));
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      assert.deepEqual((await client.query('SELECT version FROM vigil_schema')).rows, [{ version: migrations.length }]);
      const tables = (await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)).rows.map((r) => r.tablename);
      assert.deepEqual(tables, [
        'active_runs',
        'export_delivered',
        'export_spool',
        'fires',
        'pauses',
        'replicas',
        'run_failures',
        'run_tests',
        'runs',
        'scenario_holds',
        'scenario_runs',
        'scenario_undos',
        'tenants',
        'vigil_schema',
      ]);
      await client.query('UPDATE vigil_schema SET version = version + 7');
    } finally {
      await client.end();
    }
    await assert.rejects(openStore(url), (err: Error) => /newer Vigil/.test(err.message) && !err.message.includes(new URL(url).password));
  });

  it('says what is wrong with a URL it cannot use, without its password', async () => {
    const url = new URL(await postgres.fresh());
    const password = url.password;
    const wrong = new URL(url);
    wrong.password = 'not-the-password';
    await assert.rejects(
      openStore(wrong.toString()),
      (err: Error) =>
        /store postgres:\/\/vigil:\*\*\*@127\.0\.0\.1:\d+\/\w+: cannot connect: PostgreSQL refused the user or password/.test(err.message) &&
        !err.message.includes('not-the-password'),
    );
    const missing = new URL(url);
    missing.pathname = '/no_such_database';
    await assert.rejects(openStore(missing.toString()), (err: Error) => /the database does not exist/.test(err.message) && !err.message.includes(password));
    const closed = new URL(url);
    closed.port = '9';
    await assert.rejects(
      openStore(closed.toString()),
      (err: Error) => /nothing listens there: is PostgreSQL running/.test(err.message) && !err.message.includes(password),
    );
  });
});

for (const engine of engines) {
  describe(`store on ${engine.name}`, { skip: engine.skip }, () => {
    it('keeps runs and ledger rows across a reopen', async () => {
      const path = await engine.fresh();
      const first = await openStore(path);
      await first.runs.save(run({ runId: 'r1', startedAt: '2025-01-01T10:00:00.000Z' }));
      await first.tenants.begin({
        name: 'vigil-checkout-abc',
        provisioner: 'demo',
        suite: 'checkout',
        environment: 'staging',
        baseURL: 'http://127.0.0.1:1',
        runId: 'r1',
        createdAt: '2025-01-01T10:00:00.000Z',
      });
      await first.close();
      const second = await openStore(path);
      assert.equal((await second.runs.get('r1'))?.suite, 'checkout');
      assert.equal((await second.tenants.get('vigil-checkout-abc'))?.state, 'creating');
      await second.close();
    });
  });

  describe(`store.runs on ${engine.name}`, { skip: engine.skip }, () => {
    let store: Store;
    after(() => store?.close());
    const saved = (async () => {
      store = await engine.open();
      await store.runs.save(run({ runId: 'a', startedAt: '2025-01-01T10:00:00.000Z' }));
      await store.runs.save(run({ runId: 'b', startedAt: '2025-01-01T10:05:00.000Z', environment: 'production' }));
      await store.runs.save(run({ runId: 'c', startedAt: '2025-01-01T10:10:00.000Z', suite: 'search' }));
      await store.runs.save(
        run({
          runId: 'd',
          startedAt: '2025-01-01T10:15:00.000Z',
          status: 'failed',
          tests: { total: 3, passed: 2, failed: 1, flaky: 0, skipped: 0 },
          failures: [{ title: 'cart › pays', file: 'cart.spec.ts', line: 12, error: 'expected 1' }],
        }),
      );
    })();

    it('gets a run back exactly as saved, and undefined for an unknown id', async () => {
      await saved;
      assert.deepEqual((await store.runs.get('d'))?.failures, [{ title: 'cart › pays', file: 'cart.spec.ts', line: 12, error: 'expected 1' }]);
      assert.equal(await store.runs.get('nope'), undefined);
    });

    it('lists newest first with filters and a limit', async () => {
      await saved;
      assert.deepEqual(
        (await store.runs.list()).map((r) => r.runId),
        ['d', 'c', 'b', 'a'],
      );
      assert.deepEqual(
        (await store.runs.list({ suite: 'checkout', environment: 'staging' })).map((r) => r.runId),
        ['d', 'a'],
      );
      assert.deepEqual(
        (await store.runs.list({ status: 'failed' })).map((r) => r.runId),
        ['d'],
      );
      assert.deepEqual(
        (await store.runs.list({ limit: 2 })).map((r) => r.runId),
        ['d', 'c'],
      );
    });

    it('upserts by runId and replaces its failures', async () => {
      const s = await engine.open();
      const failing = run({
        runId: 'x',
        startedAt: '2025-01-01T11:00:00.000Z',
        status: 'failed',
        failures: [
          { title: 't1', file: 'f.ts', line: 1, error: 'e' },
          { title: 't2', file: 'f.ts', line: 9, error: 'e' },
        ],
      });
      await s.runs.save(failing);
      const failureRows = async () =>
        (await s.db.all<{ title: string; line: number }>('SELECT title, line FROM run_failures ORDER BY seq')).map((r) => ({ ...r }));
      assert.deepEqual(await failureRows(), [
        { title: 't1', line: 1 },
        { title: 't2', line: 9 },
      ]);
      await s.runs.save({ ...failing, status: 'passed', failures: [] });
      assert.equal((await s.runs.list()).length, 1);
      assert.equal((await s.runs.get('x'))?.status, 'passed');
      assert.deepEqual(await failureRows(), []);
      await s.close();
    });

    it('reports the last run and last success per suite and environment', async () => {
      await saved;
      assert.deepEqual(
        (await store.runs.lastBySuite()).map((s) => [s.suite, s.environment, s.last.runId, s.lastSuccessAt]),
        [
          ['checkout', 'production', 'b', '2025-01-01T10:05:00.000Z'],
          ['checkout', 'staging', 'd', '2025-01-01T10:00:00.000Z'],
          ['search', 'staging', 'c', '2025-01-01T10:10:00.000Z'],
        ],
      );
      const never = await engine.open();
      await never.runs.save(run({ runId: 'e', startedAt: '2025-01-01T10:00:00.000Z', status: 'error' }));
      assert.equal((await never.runs.lastBySuite())[0].lastSuccessAt, undefined);
      await never.close();
    });

    it("gives each location's newest run (ties by finish, then id), for one pair or all, and lists by location", async () => {
      const s = await engine.open();
      const at = '2025-02-01T10:00:00.000Z';
      for (const r of [
        run({ runId: 'eu-1', startedAt: '2025-02-01T09:00:00.000Z', location: 'eu-west' }),
        run({ runId: 'eu-2', startedAt: at, finishedAt: '2025-02-01T10:01:00.000Z', location: 'eu-west', status: 'failed' }),
        run({ runId: 'eu-3', startedAt: at, finishedAt: '2025-02-01T10:00:30.000Z', location: 'eu-west' }),
        run({ runId: 'us-a', startedAt: at, location: 'us-east' }),
        run({ runId: 'us-b', startedAt: at, location: 'us-east' }),
        run({ runId: 'nowhere', startedAt: '2025-02-01T11:00:00.000Z' }),
        run({ runId: 'other', suite: 'search', startedAt: at, location: 'eu-west' }),
      ])
        await s.runs.save(r);
      assert.deepEqual(
        (await s.runs.lastByLocation({ suite: 'checkout', environment: 'staging' })).map((r) => r.runId),
        ['eu-2', 'us-b'],
      );
      assert.deepEqual(
        (await s.runs.lastByLocation()).map((r) => `${r.suite}/${r.location}/${r.runId}`),
        ['checkout/eu-west/eu-2', 'checkout/us-east/us-b', 'search/eu-west/other'],
      );
      assert.deepEqual(
        (await s.runs.list({ suite: 'checkout', location: 'eu-west' })).map((r) => r.runId),
        ['eu-2', 'eu-3', 'eu-1'],
      );
      assert.equal((await s.runs.lastBySuite()).find((x) => x.suite === 'checkout')?.last.runId, 'nowhere', 'the pair’s newest, from any location or none');
      await s.close();
    });
  });

  describe(`store.tenants (the ledger) on ${engine.name}`, { skip: engine.skip }, () => {
    const begin = (store: Store, name: string, createdAt: string, provisioner = 'demo') =>
      store.tenants.begin({
        name,
        provisioner,
        suite: 'checkout',
        environment: 'staging',
        baseURL: 'http://127.0.0.1:9',
        runId: `run-${name}`,
        createdAt,
      });

    it('walks creating → active → destroyed, keeping the fields it was given', async () => {
      const store = await engine.open();
      await begin(store, 't1', '2025-01-01T10:00:00.000Z');
      assert.equal((await store.tenants.get('t1'))?.state, 'creating');
      await store.tenants.activate('t1', { id: '42', email: 'a@b.c' });
      assert.deepEqual((await store.tenants.get('t1'))?.fields, { id: '42', email: 'a@b.c' });
      assert.equal((await store.tenants.get('t1'))?.state, 'active');
      await store.tenants.finish('t1', 'destroyed');
      const row = await store.tenants.get('t1');
      assert.equal(row?.state, 'destroyed');
      assert.equal(row?.error, undefined);
      assert.equal(row?.runId, 'run-t1');
      assert.equal(row?.baseURL, 'http://127.0.0.1:9');
      await store.close();
    });

    it('records teardown failures and reap attempts with their errors', async () => {
      const store = await engine.open();
      await begin(store, 't2', '2025-01-01T10:00:00.000Z');
      await store.tenants.activate('t2', { id: '7' });
      await store.tenants.finish('t2', 'teardown_failed', 'DELETE answered 500');
      assert.equal((await store.tenants.get('t2'))?.error, 'DELETE answered 500');
      await store.tenants.recordReapAttempt('t2', 'still 500');
      await store.tenants.recordReapAttempt('t2', 'still 500 again');
      const row = await store.tenants.get('t2');
      assert.equal(row?.attempts, 2);
      assert.equal(row?.error, 'still 500 again');
      assert.equal(row?.state, 'teardown_failed');
      await store.close();
    });

    it('refuses a transition for a tenant it never saw, and a duplicate begin', async () => {
      const store = await engine.open();
      await assert.rejects(store.tenants.activate('ghost', { id: '1' }), /tenant "ghost" is not in the ledger/);
      await assert.rejects(store.tenants.finish('ghost', 'destroyed'), /not in the ledger/);
      await begin(store, 'twice', '2025-01-01T10:00:00.000Z');
      await assert.rejects(begin(store, 'twice', '2025-01-01T10:00:00.000Z'), /cannot record tenant "twice"/);
      await store.close();
    });

    it('lists by state, age, provisioner and environment, oldest first', async () => {
      const store = await engine.open();
      await begin(store, 'old', '2025-01-01T08:00:00.000Z');
      await begin(store, 'older', '2025-01-01T07:00:00.000Z', 'other');
      await begin(store, 'new', '2025-01-01T11:00:00.000Z');
      await begin(store, 'gone', '2025-01-01T06:00:00.000Z');
      await store.tenants.finish('gone', 'destroyed');
      const cutoff = new Date('2025-01-01T10:00:00.000Z');
      assert.deepEqual(
        (await store.tenants.list({ olderThan: cutoff })).map((r) => r.name),
        ['gone', 'older', 'old'],
      );
      assert.deepEqual(
        (await store.tenants.list({ olderThan: cutoff, states: ['creating', 'active', 'teardown_failed'] })).map((r) => r.name),
        ['older', 'old'],
      );
      assert.deepEqual(
        (await store.tenants.list({ provisioner: 'demo', states: ['creating'] })).map((r) => r.name),
        ['old', 'new'],
      );
      assert.deepEqual(await store.tenants.list({ environment: 'production' }), []);
      assert.deepEqual(await store.tenants.list({ states: [] }), []);
      await store.close();
    });

    it('stores timestamps as UTC ISO text so that an offset createdAt still sorts by time', async () => {
      const store = await engine.open();
      await begin(store, 'offset', '2025-01-01T12:00:00+05:00');
      assert.equal((await store.tenants.get('offset'))?.createdAt, '2025-01-01T07:00:00.000Z');
      assert.equal((await store.tenants.list({ olderThan: new Date('2025-01-01T08:00:00Z') })).length, 1);
      await store.close();
    });
  });
}
