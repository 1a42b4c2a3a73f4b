import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import type { RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { migrations } from '../../src/store/migrations.ts';

const dir = mkdtempSync(join(tmpdir(), 'vigil-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCount = 0;
const freshPath = () => join(dir, `nested-${++fileCount}`, 'deeper', 'vigil.db');

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

describe('openStore', () => {
  it('creates parent folders and migrates an empty file to the latest schema', () => {
    const path = freshPath();
    const store = openStore(path);
    store.close();
    const db = new DatabaseSync(path);
    const version = db.prepare('PRAGMA user_version').get() as { user_version: number };
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all();
    const journal = db.prepare('PRAGMA journal_mode').get() as { journal_mode: string };
    db.close();
    assert.equal(version.user_version, migrations.length);
    assert.deepEqual(
      tables.map((t) => (t as { name: string }).name),
      ['export_delivered', 'export_spool', 'pauses', 'run_failures', 'run_tests', 'runs', 'scenario_runs', 'sqlite_sequence', 'tenants'],
    );
    assert.equal(journal.journal_mode, 'wal');
  });

  it('keeps runs and ledger rows across a reopen', () => {
    const path = freshPath();
    const first = openStore(path);
    first.runs.save(run({ runId: 'r1', startedAt: '2025-01-01T10:00:00.000Z' }));
    first.tenants.begin({
      name: 'vigil-checkout-abc',
      provisioner: 'demo',
      suite: 'checkout',
      environment: 'staging',
      baseURL: 'http://127.0.0.1:1',
      runId: 'r1',
      createdAt: '2025-01-01T10:00:00.000Z',
    });
    first.close();
    const second = openStore(path);
    assert.equal(second.runs.get('r1')?.suite, 'checkout');
    assert.equal(second.tenants.get('vigil-checkout-abc')?.state, 'creating');
    second.close();
  });

  it('refuses a store written by a newer schema, naming the file', () => {
    const path = freshPath();
    openStore(path).close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${migrations.length + 7}`);
    db.close();
    assert.throws(
      () => openStore(path),
      (err: Error) => err.message.includes(path) && /newer Vigil/.test(err.message),
    );
  });

  it('refuses a file that is not a database, naming the file', () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not sqlite at all, just some text that fills a page '.repeat(100));
    assert.throws(
      () => openStore(path),
      (err: Error) => err.message.includes(path) && /not a usable Vigil store/.test(err.message),
    );
  });
});

describe('store.runs', () => {
  const store = openStore(':memory:');
  after(() => store.close());
  store.runs.save(run({ runId: 'a', startedAt: '2025-01-01T10:00:00.000Z' }));
  store.runs.save(run({ runId: 'b', startedAt: '2025-01-01T10:05:00.000Z', environment: 'production' }));
  store.runs.save(run({ runId: 'c', startedAt: '2025-01-01T10:10:00.000Z', suite: 'search' }));
  store.runs.save(
    run({
      runId: 'd',
      startedAt: '2025-01-01T10:15:00.000Z',
      status: 'failed',
      tests: { total: 3, passed: 2, failed: 1, flaky: 0, skipped: 0 },
      failures: [{ title: 'cart › pays', file: 'cart.spec.ts', line: 12, error: 'expected 1' }],
    }),
  );

  it('gets a run back exactly as saved, and undefined for an unknown id', () => {
    assert.deepEqual(store.runs.get('d')?.failures, [
      { title: 'cart › pays', file: 'cart.spec.ts', line: 12, error: 'expected 1' },
    ]);
    assert.equal(store.runs.get('nope'), undefined);
  });

  it('lists newest first with filters and a limit', () => {
    assert.deepEqual(
      store.runs.list().map((r) => r.runId),
      ['d', 'c', 'b', 'a'],
    );
    assert.deepEqual(
      store.runs.list({ suite: 'checkout', environment: 'staging' }).map((r) => r.runId),
      ['d', 'a'],
    );
    assert.deepEqual(
      store.runs.list({ status: 'failed' }).map((r) => r.runId),
      ['d'],
    );
    assert.deepEqual(
      store.runs.list({ limit: 2 }).map((r) => r.runId),
      ['d', 'c'],
    );
  });

  it('upserts by runId and replaces its failures', () => {
    const path = freshPath();
    const s = openStore(path);
    const failing = run({
      runId: 'x',
      startedAt: '2025-01-01T11:00:00.000Z',
      status: 'failed',
      failures: [
        { title: 't1', file: 'f.ts', line: 1, error: 'e' },
        { title: 't2', file: 'f.ts', line: 9, error: 'e' },
      ],
    });
    s.runs.save(failing);
    const failureRows = () => {
      const db = new DatabaseSync(path);
      const rows = db.prepare('SELECT title, line FROM run_failures ORDER BY seq').all();
      db.close();
      return rows.map((r) => ({ ...r }));
    };
    assert.deepEqual(failureRows(), [
      { title: 't1', line: 1 },
      { title: 't2', line: 9 },
    ]);
    s.runs.save({ ...failing, status: 'passed', failures: [] });
    assert.equal(s.runs.list().length, 1);
    assert.equal(s.runs.get('x')?.status, 'passed');
    assert.deepEqual(failureRows(), []);
    s.close();
  });

  it('reports the last run and last success per suite and environment', () => {
    assert.deepEqual(
      store.runs.lastBySuite().map((s) => [s.suite, s.environment, s.last.runId, s.lastSuccessAt]),
      [
        ['checkout', 'production', 'b', '2025-01-01T10:05:00.000Z'],
        ['checkout', 'staging', 'd', '2025-01-01T10:00:00.000Z'],
        ['search', 'staging', 'c', '2025-01-01T10:10:00.000Z'],
      ],
    );
    const never = openStore(':memory:');
    never.runs.save(run({ runId: 'e', startedAt: '2025-01-01T10:00:00.000Z', status: 'error' }));
    assert.equal(never.runs.lastBySuite()[0].lastSuccessAt, undefined);
    never.close();
  });
});

describe('store.tenants (the ledger)', () => {
  const begin = (store: ReturnType<typeof openStore>, name: string, createdAt: string, provisioner = 'demo') =>
    store.tenants.begin({
      name,
      provisioner,
      suite: 'checkout',
      environment: 'staging',
      baseURL: 'http://127.0.0.1:9',
      runId: `run-${name}`,
      createdAt,
    });

  it('walks creating → active → destroyed, keeping the fields it was given', () => {
    const store = openStore(':memory:');
    begin(store, 't1', '2025-01-01T10:00:00.000Z');
    assert.equal(store.tenants.get('t1')?.state, 'creating');
    store.tenants.activate('t1', { id: '42', email: 'a@b.c' });
    assert.deepEqual(store.tenants.get('t1')?.fields, { id: '42', email: 'a@b.c' });
    assert.equal(store.tenants.get('t1')?.state, 'active');
    store.tenants.finish('t1', 'destroyed');
    const row = store.tenants.get('t1');
    assert.equal(row?.state, 'destroyed');
    assert.equal(row?.error, undefined);
    assert.equal(row?.runId, 'run-t1');
    assert.equal(row?.baseURL, 'http://127.0.0.1:9');
    store.close();
  });

  it('records teardown failures and reap attempts with their errors', () => {
    const store = openStore(':memory:');
    begin(store, 't2', '2025-01-01T10:00:00.000Z');
    store.tenants.activate('t2', { id: '7' });
    store.tenants.finish('t2', 'teardown_failed', 'DELETE answered 500');
    assert.equal(store.tenants.get('t2')?.error, 'DELETE answered 500');
    store.tenants.recordReapAttempt('t2', 'still 500');
    store.tenants.recordReapAttempt('t2', 'still 500 again');
    const row = store.tenants.get('t2');
    assert.equal(row?.attempts, 2);
    assert.equal(row?.error, 'still 500 again');
    assert.equal(row?.state, 'teardown_failed');
    store.close();
  });

  it('refuses a transition for a tenant it never saw, and a duplicate begin', () => {
    const store = openStore(':memory:');
    assert.throws(() => store.tenants.activate('ghost', { id: '1' }), /tenant "ghost" is not in the ledger/);
    assert.throws(() => store.tenants.finish('ghost', 'destroyed'), /not in the ledger/);
    begin(store, 'twice', '2025-01-01T10:00:00.000Z');
    assert.throws(() => begin(store, 'twice', '2025-01-01T10:00:00.000Z'), /cannot record tenant "twice"/);
    store.close();
  });

  it('lists by state, age, provisioner and environment, oldest first', () => {
    const store = openStore(':memory:');
    begin(store, 'old', '2025-01-01T08:00:00.000Z');
    begin(store, 'older', '2025-01-01T07:00:00.000Z', 'other');
    begin(store, 'new', '2025-01-01T11:00:00.000Z');
    begin(store, 'gone', '2025-01-01T06:00:00.000Z');
    store.tenants.finish('gone', 'destroyed');
    const cutoff = new Date('2025-01-01T10:00:00.000Z');
    assert.deepEqual(
      store.tenants.list({ olderThan: cutoff }).map((r) => r.name),
      ['gone', 'older', 'old'],
    );
    assert.deepEqual(
      store.tenants.list({ olderThan: cutoff, states: ['creating', 'active', 'teardown_failed'] }).map((r) => r.name),
      ['older', 'old'],
    );
    assert.deepEqual(
      store.tenants.list({ provisioner: 'demo', states: ['creating'] }).map((r) => r.name),
      ['old', 'new'],
    );
    assert.deepEqual(store.tenants.list({ environment: 'production' }), []);
    assert.deepEqual(store.tenants.list({ states: [] }), []);
    store.close();
  });

  it('stores timestamps as UTC ISO text so that an offset createdAt still sorts by time', () => {
    const store = openStore(':memory:');
    begin(store, 'offset', '2025-01-01T12:00:00+05:00');
    assert.equal(store.tenants.get('offset')?.createdAt, '2025-01-01T07:00:00.000Z');
    assert.equal(store.tenants.list({ olderThan: new Date('2025-01-01T08:00:00Z') }).length, 1);
    store.close();
  });
});
