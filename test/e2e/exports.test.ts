// Exports end to end: the real `vigil run` CLI monitors the demo app and delivers to a real Nagios
// through its command file, writes a node_exporter textfile that promtool accepts, and a standalone
// `vigil metrics` restored from the store serves what the runs recorded.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createExportFanOut } from '../../src/exporters/fan-out.ts';
import { createCommandFileTransport } from '../../src/exporters/nagios/index.ts';
import type { RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { runVigil, spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';
import { runResult } from '../exporters/nagios/run-results.ts';
import { promtool, quietLog, requireTool, sampleValue } from '../exporters/prometheus/helpers.ts';

describe('vigil run exports to Nagios and Prometheus', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 300_000 }, () => {
  let e: E2E;
  let nagios: NagiosServer;
  let passed: RunResult | undefined;
  // The environment is called `local` and has no nagiosHost: the host is the environment's name.
  const HOST = 'local';
  const SERVICE = 'synthetic-demo';

  before(async () => {
    e = await setupE2E();
    nagios = await startNagios({ services: [{ host: HOST, service: SERVICE }] });
    await e.writeConfig({ exporters: `\n  nagios:\n    commandFile: ${nagios.commandFile}` });
  });
  after(async () => {
    await nagios?.stop();
    await e?.close();
  });

  const run = async (extra: string[] = []) => {
    const r = await runVigil(['run', '--config', e.configFile, '--suite', 'demo', '--environment', 'local', '--json', ...extra], { env: e.env });
    try {
      return { ...r, result: JSON.parse(r.stdout) as RunResult };
    } catch {
      return assert.fail(`stdout is not a RunResult (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
    }
  };

  test('a passing run shows OK in Nagios and writes a textfile promtool accepts', async (t) => {
    const textfile = path.join(e.dir, 'vigil.prom');
    const r = await run(['--metrics-textfile', textfile]);
    assert.equal(r.code, 0, r.stderr);
    passed = r.result;
    const status = await nagios.waitForService(HOST, SERVICE, (s) => s.last_check !== '0');
    assert.equal(status.current_state, '0');
    assert.match(status.plugin_output, /^OK - demo: \d+ tests passed/);
    assert.match(status.long_plugin_output, new RegExp(`run ${r.result.runId}`));
    assert.doesNotMatch(r.stderr, /spool/, 'delivered at once, nothing spooled');

    const text = await readFile(textfile, 'utf8');
    assert.equal(sampleValue(text, 'probe_success', { suite: 'demo', environment: 'local' }), 1);
    assert.equal(sampleValue(text, 'vigil_export_failures_total', { exporter: 'command-file' }), 0);
    assert.equal(sampleValue(text, 'process_cpu_seconds_total'), undefined, 'no process metrics in a textfile');
    if (!requireTool(t, 'promtool')) return;
    const lint = await promtool(['check', 'metrics'], text);
    assert.equal(lint.code, 0, lint.output);
    assert.equal(lint.output.trim(), '');
  });

  test('with the search fault Nagios goes CRITICAL and names the failing test', async () => {
    e.demo.setFaults({ search: true });
    try {
      const r = await run();
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.result.status, 'failed');
      const failing = r.result.failures.find((f) => /search/i.test(f.title));
      assert.ok(failing, `a search test failed: ${JSON.stringify(r.result.failures.map((f) => f.title))}`);
      const status = await nagios.waitForService(HOST, SERVICE, (s) => s.current_state === '2');
      assert.match(status.plugin_output, /^CRITICAL - demo: \d+ of \d+ tests failed: /);
      assert.ok(status.plugin_output.includes(failing.title), `${failing.title} in ${status.plugin_output}`);
      assert.match(status.long_plugin_output, new RegExp(`run ${r.result.runId}`));
    } finally {
      e.demo.setFaults({ search: false });
    }
  });

  test('vigil metrics serves the last success restored from the store', async () => {
    assert.ok(passed, 'needs the passing run of the first test');
    const child = spawnVigil(['metrics', '--config', e.configFile, '--listen', '127.0.0.1:0'], { env: e.env });
    try {
      const out = await waitForOutput(child, 'stdout', (text) => /\/metrics\n/.test(text), 30_000);
      const url = out.trim().split('\n')[0];
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const text = await (await fetch(url)).text();
      const lastSuccess = sampleValue(text, 'vigil_last_success_timestamp_seconds', { suite: 'demo', environment: 'local' });
      assert.equal(lastSuccess, Date.parse(passed.finishedAt) / 1000);
      assert.equal(sampleValue(text, 'probe_success', { suite: 'demo', environment: 'local' }), 0, 'the last run (search fault) failed');
    } finally {
      child.kill('SIGTERM');
      const done = await child.done;
      assert.equal(done.code, 0, done.stderr);
    }
  });
});

describe('vigil serve delivers what an earlier process spooled', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 120_000 }, () => {
  let e: E2E;
  let nagios: NagiosServer;
  before(async () => {
    e = await setupE2E();
    nagios = await startNagios({ services: [{ host: 'local', service: 'synthetic-demo' }] });
    await e.writeConfig({ exporters: `\n  nagios:\n    commandFile: ${nagios.commandFile}` });
  });
  after(async () => {
    await nagios?.stop();
    await e?.close();
  });

  test('the spool is retried while serving, and /metrics shows it emptied', async () => {
    // A `vigil run` that found Nagios down left this behind (same store, same exporter name).
    const store = await openStore(e.storeFile);
    try {
      const fanOut = createExportFanOut({
        store,
        transports: [createCommandFileTransport({ path: path.join(e.dir, 'nagios-was-down.cmd') })],
        config: {},
        log: quietLog(),
      });
      await fanOut.publish(runResult({ runId: 'run-spooled-before-serve', suite: 'demo', environment: 'local', finishedAt: new Date().toISOString() }));
      assert.deepEqual(await fanOut.pending(), { 'command-file': 1 });
      await fanOut.close();
    } finally {
      await store.close();
    }

    const child = spawnVigil(['serve', '--config', e.configFile, '--listen', '127.0.0.1:0'], { env: { ...e.env, VIGIL_LOG_FORMAT: 'json' } });
    try {
      const out = await waitForOutput(child, 'stderr', (text) => /"url":"http:\/\/127\.0\.0\.1:\d+"/.test(text), 30_000);
      const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)![1];
      const status = await nagios.waitForService('local', 'synthetic-demo', (s) => s.last_check !== '0', 20_000);
      assert.equal(status.current_state, '0');
      assert.match(status.long_plugin_output, /run run-spooled-before-serve/);
      const text = await (await fetch(`${url}/metrics`)).text();
      assert.equal(sampleValue(text, 'vigil_export_spooled', { exporter: 'command-file' }), 0);
      assert.equal(sampleValue(text, 'vigil_export_failures_total', { exporter: 'command-file' }), 0);
      assert.ok(sampleValue(text, 'vigil_build_info', { version: '0.1.0' }) === 1);
    } finally {
      child.kill('SIGTERM');
      await child.done;
    }
  });
});
