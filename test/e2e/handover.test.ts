// A run is saved as "not yet handed to the exporters" in its own transaction and marked once the fan-out
// took it. A process killed in between (after the save, before the publish) leaves that mark, and the
// next spool pass — the next `vigil run` or `vigil serve` — publishes the run to Nagios once.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { emptyCounts, type RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { runVigil } from '../helpers/vigil-cli.ts';
import { quickSuite } from '../service/serve-harness.ts';

describe('runs a killed process saved but never published', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 180_000 }, () => {
  let e: E2E;
  let nagios: NagiosServer;

  before(async () => {
    e = await setupE2E();
    nagios = await startNagios({
      services: [
        { host: 'local', service: 'synthetic-demo' },
        { host: 'local', service: 'synthetic-lost' },
      ],
    });
    await e.writeConfig({ suite: quickSuite('demo'), exporters: `\n  nagios:\n    commandFile: ${nagios.commandFile}` });
  });
  after(async () => {
    await nagios?.stop();
    await e?.close();
  });

  const storeOf = async <T>(use: (store: Store) => Promise<T>): Promise<T> => {
    const store = await openStore(e.storeFile);
    try {
      return await use(store);
    } finally {
      await store.close();
    }
  };
  const passiveChecks = async (service: string) =>
    (await readFile(nagios.logFile, 'utf8')).split('\n').filter((l) => l.includes(`PROCESS_SERVICE_CHECK_RESULT;local;${service};`)).length;

  test('a normal run is handed over as it is published: nothing is left marked', async () => {
    const r = await runVigil(['run', '--config', e.configFile, '--json'], { env: e.env });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await storeOf((s) => s.runs.notHandedOver(new Date(Date.now() + 3_600_000))), []);
  });

  test('a run left unpublished is sent to Nagios by the next vigil run, once, and marked', async () => {
    // What a process killed between the save and the publish leaves behind.
    const finished = new Date(Date.now() - 5 * 60_000);
    const lost: RunResult = {
      runId: 'lost-run-0001',
      suite: 'lost',
      environment: 'local',
      trigger: 'schedule',
      startedAt: new Date(finished.getTime() - 20_000).toISOString(),
      finishedAt: finished.toISOString(),
      status: 'failed',
      phases: { tenant_setup: 1, test: 18, teardown: 1 },
      tests: { ...emptyCounts(), total: 3, passed: 2, failed: 1 },
      failures: [{ title: 'cart › pays', file: 'cart.spec.ts', line: 7, error: 'Expected 200' }],
    };
    await storeOf((s) => s.runs.save(lost, { handedOver: false }));
    assert.deepEqual(await storeOf(async (s) => (await s.runs.notHandedOver(new Date())).map((r) => r.runId)), ['lost-run-0001']);

    const first = await runVigil(['run', '--config', e.configFile, '--json'], { env: e.env });
    assert.equal(first.code, 0, first.stderr);
    const status = await nagios.waitForService('local', 'synthetic-lost', (s) => s.long_plugin_output.includes('lost-run-0001'));
    assert.equal(status.current_state, '2');
    assert.match(status.plugin_output, /^CRITICAL - lost: 1 of 3 tests failed: cart › pays/);
    assert.deepEqual(await storeOf((s) => s.runs.notHandedOver(new Date())), [], 'marked handed over');

    const second = await runVigil(['run', '--config', e.configFile, '--json'], { env: e.env });
    assert.equal(second.code, 0, second.stderr);
    await nagios.waitForService('local', 'synthetic-demo', (s) => s.long_plugin_output.includes(JSON.parse(second.stdout).runId));
    assert.equal(await passiveChecks('synthetic-lost'), 1, 'sent once, not again by the next run');
  });
});
