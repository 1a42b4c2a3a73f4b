// The run ends honestly and leaves nothing behind when the suite hangs, when Vigil is interrupted,
// and — through the ledger and the reaper — even when Vigil is killed outright.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunResult } from '../../src/core/index.ts';
import { processesOfRun, setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { repoRoot, runVigil, spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';

const hangingSuite = (timeout: string) => `
  demo:
    path: ${path.join(repoRoot, 'test/fixtures/hanging-suite')}
    environments: [local]
    timeout: ${timeout}`;

describe('interrupted and hanging runs', () => {
  let e: E2E;
  before(async () => {
    e = await setupE2E();
  });
  after(async () => {
    await e?.close();
  });

  test('a hanging suite is an error after its timeout, and no Playwright or Chromium survives', async () => {
    await e.writeConfig({ suite: hangingSuite('6s') });
    const r = await runVigil(['run', '--config', e.configFile, '--json'], { env: e.env });
    const result: RunResult = JSON.parse(r.stdout);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(result.status, 'error');
    assert.equal(result.errorPhase, 'timeout');
    assert.equal(result.tenant?.state, 'destroyed', 'the tenant is torn down after a timeout');
    assert.deepEqual(await processesOfRun(result.runId), [], 'no process of the run is left');
    assert.deepEqual(
      (await e.adminTenants()).filter((t) => t.name.startsWith('vigil-')),
      [],
    );
  });

  test('SIGTERM mid-suite: the run is recorded as interrupted and the tenant deleted', async () => {
    await e.writeConfig({ suite: hangingSuite('5m') });
    const child = spawnVigil(['run', '--config', e.configFile, '--json'], { env: e.env });
    await waitForOutput(child, 'stderr', (t) => t.includes('[test]'));
    await sleep(1500);
    child.kill('SIGTERM');
    const r = await child.done;
    const result: RunResult = JSON.parse(r.stdout);
    assert.equal(r.code, 3);
    assert.equal(result.errorPhase, 'interrupted');
    assert.equal(result.tenant?.state, 'destroyed');
    assert.deepEqual(await processesOfRun(result.runId), []);
    assert.deepEqual(
      (await e.adminTenants()).filter((t) => t.name.startsWith('vigil-')),
      [],
    );
  });

  test('kill -9 mid-suite: the tenant stays in the ledger and `vigil tenants reap` deletes it from the app', async () => {
    await e.writeConfig({ suite: hangingSuite('5m'), ttl: '1s' });
    const child = spawnVigil(['run', '--config', e.configFile], { env: e.env });
    await waitForOutput(child, 'stderr', (t) => t.includes('[test]'));
    child.kill('SIGKILL');
    await child.done;
    const leaked = (await e.adminTenants()).filter((t) => t.name.startsWith('vigil-demo-'));
    assert.equal(leaked.length, 1, 'the tenant was left behind by the killed run');

    const listed = await runVigil(['tenants', 'list', '--config', e.configFile, '--json'], { env: e.env });
    assert.equal(listed.code, 0, listed.stderr);
    const rows = JSON.parse(listed.stdout) as Array<{ name: string; state: string; runId: string }>;
    assert.deepEqual(
      rows.map((x) => [x.name, x.state]),
      [[leaked[0].name, 'active']],
    );

    await sleep(1200); // past the 1 s TTL
    const reaped = await runVigil(['tenants', 'reap', '--config', e.configFile, '--json'], { env: e.env });
    assert.equal(reaped.code, 0, reaped.stderr + reaped.stdout);
    assert.deepEqual(
      (await e.adminTenants()).filter((t) => t.name.startsWith('vigil-')),
      [],
      'reaped from the app',
    );
    const after = JSON.parse((await runVigil(['tenants', 'list', '--config', e.configFile, '--json'], { env: e.env })).stdout);
    assert.deepEqual(after, []);
    // The orphaned Playwright noticed its parent died and killed its own process group.
    const deadline = Date.now() + 15_000;
    let left: number[] = [];
    do {
      left = await processesOfRun(rows[0].runId);
      if (left.length === 0) break;
      await sleep(500);
    } while (Date.now() < deadline);
    assert.deepEqual(left, [], 'no orphaned Playwright or Chromium');
  });
});
