// `vigil run` end to end: the real CLI, the real demo app, the demo's own Playwright suite in a real
// Chromium, a real tenant created and deleted through the demo's admin API.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/core/index.ts';
import { listFiles, setupE2E, startRecordingProxy, type E2E } from '../helpers/e2e-setup.ts';
import { runVigil, spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';
import { quickSuite } from '../service/serve-harness.ts';

describe('vigil run against the demo app', () => {
  let e: E2E;
  before(async () => {
    e = await setupE2E();
  });
  after(async () => {
    await e?.close();
  });

  const run = async () => {
    const r = await runVigil(['run', '--config', e.configFile, '--suite', 'demo', '--environment', 'local', '--json'], { env: e.env });
    let result: RunResult;
    try {
      result = JSON.parse(r.stdout);
    } catch {
      assert.fail(`stdout is not a RunResult (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
    }
    return { ...r, result };
  };

  test('a healthy app passes, and the tenant exists during the run and is gone after', async () => {
    const child = spawnVigil(['run', '--config', e.configFile, '--suite', 'demo', '--environment', 'local', '--json'], { env: e.env });
    await waitForOutput(child, 'stderr', (t) => t.includes('[test]'));
    const during = (await e.adminTenants()).filter((t) => t.name.startsWith('vigil-demo-'));
    const r = await child.done;
    assert.equal(r.code, 0, r.stderr);
    const result: RunResult = JSON.parse(r.stdout);
    assert.equal(result.status, 'passed');
    assert.ok(result.tests.passed >= 4, `expected the demo's tests to run: ${JSON.stringify(result.tests)}`);
    assert.equal(result.tests.failed, 0);
    assert.equal(during.length, 1, 'exactly one tenant exists while the suite runs');
    assert.equal(during[0].name, result.tenant?.name);
    assert.equal(result.tenant?.state, 'destroyed');
    assert.deepEqual(
      (await e.adminTenants()).filter((t) => t.name.startsWith('vigil-')),
      [],
      'no tenant left behind',
    );
    assert.match(r.stderr, /\[tenant_setup\][\s\S]*\[test\][\s\S]*✓[\s\S]*\[teardown\]/, 'progress phase by phase, test by test');
    assert.doesNotMatch(r.stderr, /payments/i, '@payments is excluded on this environment by grepInvert');
  });

  const faults: Array<{ faults: Record<string, unknown>; failing: RegExp; error: RegExp; notRun?: boolean }> = [
    { faults: { uploads: true }, failing: /files/i, error: /./ },
    { faults: { search: true }, failing: /search/i, error: /./ },
    // The setup project fails, so the tests depending on it never start: counted, not hidden.
    { faults: { loginSlowMs: 15_000 }, failing: /sign|log/i, error: /./, notRun: true },
  ];
  for (const f of faults) {
    test(`fault ${JSON.stringify(f.faults)} makes the run fail with the failing test named`, async () => {
      e.demo.setFaults(f.faults);
      try {
        const { code, result, stdout } = await run();
        assert.equal(result.status, 'failed', `${stdout}`);
        assert.equal(code, 2);
        assert.ok(result.failures.length > 0);
        assert.ok(
          result.failures.some((x) => f.failing.test(x.title)),
          `a failing test's title matches ${f.failing}: ${result.failures.map((x) => x.title)}`,
        );
        for (const x of result.failures) {
          assert.ok(x.error.length > 0 && x.file && x.line > 0, `failure carries error, file and line: ${JSON.stringify(x)}`);
        }
        assert.equal(result.tenant?.state, 'destroyed');
        assert.ok(result.artifactsDir, 'a failed run keeps its artifacts');
        if (f.notRun) assert.ok(result.tests.skipped >= 4 && result.tests.total >= 5, `tests that never started are counted: ${JSON.stringify(result.tests)}`);
      } finally {
        e.demo.setFaults({ uploads: false, search: false, loginSlowMs: 0 });
      }
    });
  }

  test('a test that passes only on retry makes the run flaky, exit code 1', async () => {
    e.demo.setFaults({ flakySearch: true });
    try {
      const { code, result } = await run();
      assert.equal(result.status, 'flaky');
      assert.equal(code, 1);
      assert.ok(result.tests.flaky >= 1);
      assert.equal(result.tests.failed, 0);
    } finally {
      e.demo.setFaults({ flakySearch: false });
    }
  });

  for (const admin of ['down', 'garbage'] as const) {
    test(`tenant API ${admin} → error in tenant_setup, the suite never starts`, async () => {
      e.demo.setFaults({ admin });
      try {
        const { code, result, stderr } = await run();
        assert.equal(result.status, 'error');
        assert.equal(result.errorPhase, 'tenant_setup');
        assert.equal(code, 3);
        assert.equal(result.tests.total, 0);
        assert.doesNotMatch(stderr, /\[test\]/, 'the suite did not start');
        assert.match(result.errorMessage ?? '', admin === 'down' ? /503/ : /not JSON/i);
      } finally {
        e.demo.setFaults({ admin: 'ok' });
      }
    });
  }

  test('no secret value appears in stdout, stderr, the store or artifacts metadata', async () => {
    // The admin calls go through a recording proxy so the test knows the tenant's real password.
    const proxy = await startRecordingProxy(e.demoUrl);
    try {
      await e.writeConfig({ tenantApi: proxy.url });
      e.demo.setFaults({ search: true }); // a failed run keeps artifacts and failure messages
      const { stdout, stderr, result } = await run();
      assert.equal(result.status, 'failed');
      const created = proxy.bodies.map((b) => JSON.parse(b)).find((b) => b?.owner?.password);
      assert.ok(created, 'the recording proxy saw the tenant being created');
      const secrets = { 'admin token': e.adminToken, 'tenant password': created.owner.password as string };
      const store = await readFile(e.storeFile, 'latin1');
      const places: Array<[string, string]> = [
        ['stdout', stdout],
        ['stderr', stderr],
        ['store', store],
      ];
      for (const file of await listFiles(result.artifactsDir!)) {
        if (/\.(json|txt|md|log)$/.test(file)) places.push([file, await readFile(file, 'latin1')]);
      }
      for (const [what, text] of places) {
        for (const [name, secret] of Object.entries(secrets)) assert.ok(!text.includes(secret), `${name} leaked into ${what}`);
      }
    } finally {
      e.demo.setFaults({ search: false });
      await proxy.close();
      await e.writeConfig();
    }
  });

  test('artifacts: passing runs leave no folder, and only the newest `keep` failed runs keep theirs', async () => {
    // Its own demo and store, and the browserless quick suite: nothing depends on the tests above.
    const own = await setupE2E();
    const { readdir } = await import('node:fs/promises');
    const artifacts = path.join(own.dir, 'artifacts');
    const folders = async () => (await readdir(artifacts).catch(() => [])).sort();
    const runQuick = async (fail: boolean, keepArtifacts = 50) => {
      await own.writeConfig({ suite: quickSuite('demo', { fail }), keepArtifacts });
      const r = await runVigil(['run', '--config', own.configFile, '--json'], { env: own.env });
      return JSON.parse(r.stdout) as RunResult;
    };
    try {
      const passed = await runQuick(false);
      const failed = [await runQuick(true), await runQuick(true)];
      assert.deepEqual([passed.status, ...failed.map((r) => r.status)], ['passed', 'failed', 'failed']);
      assert.ok(!existsSync(path.join(artifacts, passed.runId)), 'the passing run left no folder');
      assert.deepEqual(await folders(), failed.map((r) => r.runId).sort(), 'each failed run kept its folder');

      const newest = await runQuick(true, 1);
      assert.equal(newest.status, 'failed');
      assert.deepEqual(await folders(), [newest.runId], 'only the newest failed run keeps its folder');
    } finally {
      await own.close();
    }
  });
});
