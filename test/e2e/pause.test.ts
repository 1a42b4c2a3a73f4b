// Quiet when it should be, with a real `vigil serve` and a real Nagios: a maintenance window in the
// config and a pause through the API (and `vigil pause` on the store) skip scheduled runs, count them
// (vigil_schedule_skipped_total{reason="paused"}), set vigil_paused, and Nagios shows OK "paused
// until …" instead of the failing suite's CRITICAL; resuming lets runs go on. A failing suite that is
// not paused pages with the run page's URL (api.publicURL) first in its long output.
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/core/index.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { runVigil } from '../helpers/vigil-cli.ts';
import { ask, eventually, metricValue, newToken, quickSuite, startServe, writeServeConfig, type Served } from '../service/serve-harness.ts';

const EVERY_3S = '*/3 * * * * *';
const PUBLIC_URL = 'https://vigil.example.com';

describe('pauses and maintenance windows', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 180_000 }, () => {
  let e: E2E;
  let s: Served;
  let nagios: NagiosServer;
  const token = newToken();
  const metrics = async () => (await fetch(`${s.url}/metrics`)).text();
  const runsOf = async (suite: string) => (await ask(`${s.url}/api/runs?suite=${suite}&limit=100`)).json.runs as RunResult[];

  before(async () => {
    e = await setupE2E();
    nagios = await startNagios({ services: ['held', 'manual', 'broken'].map((name) => ({ host: 'local', service: `synthetic-${name}` })) });
    await writeServeConfig(
      e,
      quickSuite('held', { schedule: EVERY_3S, fail: true }) +
        quickSuite('manual', { schedule: EVERY_3S, fail: true }) +
        quickSuite('broken', { schedule: EVERY_3S, fail: true }),
      { token: '${VIGIL_API_TOKEN}', publicURL: PUBLIC_URL, concurrency: 3 },
    );
    await appendFile(
      e.configFile,
      `exporters:\n  nagios: { commandFile: ${nagios.commandFile} }\n` +
        // Opens every minute for two: always open while the test runs.
        `maintenance:\n  - { suite: held, environment: local, schedule: "* * * * *", duration: 2m, reason: "weekly database upgrade" }\n`,
    );
    s = await startServe(e, { token });
  });
  after(async () => {
    await s?.stop();
    await nagios?.stop();
    await e?.close();
  });

  test('a maintenance window skips the runs, counts them as paused and tells Nagios OK "paused until …"', async () => {
    await eventually(
      async () =>
        (metricValue(await metrics(), 'vigil_schedule_skipped_total', { suite: 'held', environment: 'local', reason: 'paused' }) ?? 0) >= 2 ? true : undefined,
      'two paused skips',
      30_000,
      500,
    );
    const text = await metrics();
    assert.equal(metricValue(text, 'vigil_paused', { suite: 'held', environment: 'local' }), 1);
    assert.equal((await runsOf('held')).length, 0, 'no run while paused');
    const status = await nagios.waitForService('local', 'synthetic-held', (b) => b.has_been_checked === '1');
    assert.equal(status.current_state, '0');
    assert.match(status.plugin_output, /^OK - held: paused until \S+ \(weekly database upgrade\)$/);
    assert.equal(status.long_plugin_output.split('\\n')[0], `suite page: ${PUBLIC_URL}/suites/held/local`);
    const listed = (await ask(`${s.url}/api/pauses`)).json.pauses as Array<{ suite: string; source: string }>;
    assert.ok(listed.some((p) => p.suite === 'held' && p.source === 'window'));
    // A resume cannot lift a window: it says so.
    const resumed = await ask(`${s.url}/api/pauses/held/local`, { method: 'DELETE', token });
    assert.equal(resumed.status, 200);
    assert.match(String(resumed.json.note), /maintenance window keeps it paused/);
  });

  test('a failing suite that is not paused pages, with its run page first in the long output', async () => {
    const run = await eventually(async () => (await runsOf('broken'))[0], 'a run of broken', 30_000, 500);
    assert.equal(run.status, 'failed');
    const status = await nagios.waitForService('local', 'synthetic-broken', (b) => b.current_state === '2');
    assert.match(status.long_plugin_output.split('\\n')[0], new RegExp(`^run page: ${PUBLIC_URL}/runs/[A-Za-z0-9_-]+$`));
    const info = (await metrics()).split('\n').find((l) => l.startsWith('vigil_ui_info'));
    assert.equal(info, `vigil_ui_info{url="${PUBLIC_URL}"} 1`);
  });

  test('a pause through the API silences a failing suite until it is resumed', async () => {
    await eventually(async () => ((await runsOf('manual')).length > 0 ? true : undefined), 'a run of manual', 30_000, 500);
    assert.equal(
      (await ask(`${s.url}/api/pauses`, { method: 'POST', body: JSON.stringify({ suite: 'manual', environment: 'local', for: '1h' }) })).status,
      401,
      'pausing needs the token',
    );
    const paused = await ask(`${s.url}/api/pauses`, {
      method: 'POST',
      token,
      body: JSON.stringify({ suite: 'manual', environment: 'local', for: '1h', reason: 'deploy 4.2' }),
    });
    assert.equal(paused.status, 201, JSON.stringify(paused.json));
    // Not just state 0: a service Nagios has not had a result for yet is also 0, with an empty output.
    const status = await nagios.waitForService('local', 'synthetic-manual', (b) => b.has_been_checked === '1' && b.current_state === '0');
    assert.match(status.plugin_output, /^OK - manual: paused until .* \(deploy 4\.2\)$/);
    // A run that had already started finishes (a pause skips fires, it does not kill runs); then none starts.
    await eventually(
      async () => {
        const active = (await ask(`${s.url}/api/runs?suite=manual&limit=1`)).json.active as Array<{ suite: string }>;
        return active.some((r) => r.suite === 'manual') ? undefined : true;
      },
      'no run of manual in flight',
      20_000,
      250,
    );
    const before = (await runsOf('manual')).length;
    await eventually(
      async () =>
        (metricValue(await metrics(), 'vigil_schedule_skipped_total', { suite: 'manual', environment: 'local', reason: 'paused' }) ?? 0) >= 2
          ? true
          : undefined,
      'paused skips of manual',
      20_000,
      500,
    );
    assert.equal((await runsOf('manual')).length, before, 'no run while paused');
    assert.equal(metricValue(await metrics(), 'vigil_paused', { suite: 'manual', environment: 'local' }), 1);

    const resumed = await ask(`${s.url}/api/pauses/manual/local`, { method: 'DELETE', token });
    assert.equal(resumed.status, 200);
    assert.equal(resumed.json.resumed, true);
    assert.equal(metricValue(await metrics(), 'vigil_paused', { suite: 'manual', environment: 'local' }), 0);
    await eventually(async () => ((await runsOf('manual')).length > before ? true : undefined), 'runs again after the resume', 20_000, 500);
    await nagios.waitForService('local', 'synthetic-manual', (b) => b.current_state === '2');
  });

  test("`vigil pause` on the config's store is noticed by the running server, and survives in the store", async () => {
    const cli = await runVigil(['pause', '--config', e.configFile, '--suite', 'broken', '--environment', 'local', '--for', '30m', '--reason', 'from the cli'], {
      env: { ...e.env, VIGIL_API_TOKEN: token },
    });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /broken@local paused until .* \(from the cli\)/);
    await eventually(
      async () => (metricValue(await metrics(), 'vigil_paused', { suite: 'broken', environment: 'local' }) === 1 ? true : undefined),
      'the server notices the pause',
      15_000,
      500,
    );
    await nagios.waitForService('local', 'synthetic-broken', (b) => /paused until .* \(from the cli\)/.test(b.plugin_output));
    const out = await runVigil(['resume', '--config', e.configFile, '--suite', 'broken', '--environment', 'local'], {
      env: { ...e.env, VIGIL_API_TOKEN: token },
    });
    assert.equal(out.code, 0, out.stderr);
    await eventually(
      async () => (metricValue(await metrics(), 'vigil_paused', { suite: 'broken', environment: 'local' }) === 0 ? true : undefined),
      'the server notices the resume',
      15_000,
      500,
    );
  });
});
