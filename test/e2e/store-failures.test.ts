// A store Vigil cannot write: at start (a read-only file) it is a configuration error naming the path;
// in the middle of `vigil serve` (the disk fills) the service keeps running, the run is still published
// and its tenant still deleted, and each lost write is logged and counted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../../src/shared/errors.ts';
import { openStore } from '../../src/store/open-store.ts';
import { describeStoreFailure } from '../../src/store/store-failure.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';
import { ask, eventually, metricValue, newToken, quickSuite, startServe, writeServeConfig } from '../service/serve-harness.ts';

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;

/** openStore(file) in a process whose permissions apply: this one, or one running as nobody when we are root. */
async function openAsUnprivileged(file: string): Promise<{ name: string; message: string } | 'opened'> {
  if (!isRoot) {
    try {
      await (await openStore(file)).close();
      return 'opened';
    } catch (err) {
      return { name: (err as Error).name, message: (err as Error).message };
    }
  }
  const script = `
    import { openStore } from ${JSON.stringify(path.join(repoRoot, 'src/store/open-store.ts'))};
    try { await (await openStore(${JSON.stringify(file)})).close(); console.log('"opened"'); }
    catch (err) { console.log(JSON.stringify({ name: err.name, message: err.message })); }`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { name: string; message: string } | 'opened';
}

describe('a store on a read-only or full disk', { timeout: 180_000 }, () => {
  let e: E2E;
  before(async () => (e = await setupE2E()));
  after(() => e?.close());

  test('a read-only store file is a configuration error naming the path and saying read-only', async () => {
    const dir = path.join(e.dir, 'ro');
    mkdirSync(dir);
    const file = path.join(dir, 'vigil.db');
    await (await openStore(file)).close();
    chmodSync(file, 0o444);
    chmodSync(dir, 0o555);
    chmodSync(e.dir, 0o755); // nobody must reach the folder
    try {
      const outcome = await openAsUnprivileged(file);
      assert.notEqual(outcome, 'opened');
      if (outcome === 'opened') return;
      assert.equal(outcome.name, ConfigError.name);
      assert.match(outcome.message, new RegExp(`^store ${file.replaceAll('/', '\\/')}: the file or its folder is read-only`));
      assert.match(outcome.message, /\(attempt to write a readonly database\)$/);
      assert.doesNotMatch(outcome.message, /not a usable Vigil store/, 'a read-only file is not called broken');
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  test('SQLite\'s "database or disk is full" says the disk is full', () => {
    const db = new DatabaseSync(':memory:');
    db.exec('PRAGMA max_page_count = 2; CREATE TABLE t (x TEXT)');
    try {
      db.prepare('INSERT INTO t VALUES (?)').run('x'.repeat(100_000));
      assert.fail('the insert should not fit');
    } catch (err) {
      assert.equal(describeStoreFailure(err, (err as Error).message), 'the disk is full: free space or move the store (database or disk is full)');
    }
  });

  test('writes failing mid-service: serve keeps running, the run is published and its tenant deleted, the failure counted', async () => {
    const token = newToken();
    await writeServeConfig(e, quickSuite('quick'), { token: '${VIGIL_API_TOKEN:-}' });
    const s = await startServe(e, { token });
    try {
      // The disk "fills" under the running service: from now on SQLite refuses to store a run or mark a tenant destroyed.
      const db = new DatabaseSync(e.storeFile);
      db.exec(`
        CREATE TRIGGER full_runs BEFORE INSERT ON runs BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;
        CREATE TRIGGER full_ledger BEFORE UPDATE OF state ON tenants WHEN NEW.state = 'destroyed' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
      db.close();

      const posted = await ask(`${s.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'quick', environment: 'local' }) });
      assert.equal(posted.status, 202);
      const runId = String(posted.json.runId);
      const metrics = await eventually(
        async () => {
          const text = await (await fetch(`${s.url}/metrics`)).text();
          return metricValue(text, 'vigil_runs_total', { suite: 'quick', environment: 'local', status: 'passed' }) === 1 ? text : undefined;
        },
        'the run published to Prometheus',
        60_000,
      );
      assert.equal(metricValue(metrics, 'vigil_store_write_failures_total', { operation: 'run' }), 1);
      assert.equal(metricValue(metrics, 'vigil_store_write_failures_total', { operation: 'ledger' }), 1);

      assert.deepEqual(await e.adminTenants(), [], 'the tenant was deleted although the ledger could not say so');
      const lines = s
        .log()
        .split('\n')
        .filter((l) => l.includes('the store could not save'));
      assert.equal(lines.length, 2, s.log());
      assert.match(lines.join('\n'), new RegExp(`run ${runId} \\(quick@local passed\\); it is still published`));
      assert.doesNotMatch(s.log(), /\n\s+at /, 'no stack trace');

      // Still serving, and the next run goes through once the disk has room again.
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
      const fixed = new DatabaseSync(e.storeFile);
      fixed.exec('DROP TRIGGER full_runs; DROP TRIGGER full_ledger');
      fixed.close();
      const again = await ask(`${s.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'quick', environment: 'local' }) });
      const stored = await eventually(
        async () => {
          const r = await ask(`${s.url}/api/runs/${String(again.json.runId)}`);
          return r.json.status === 'passed' ? r : undefined;
        },
        'the second run stored',
        60_000,
      );
      assert.equal(stored.status, 200);
    } finally {
      const done = await s.stop();
      assert.equal(done.code, 0, 'vigil serve stopped cleanly after the failures');
    }
  });
});
