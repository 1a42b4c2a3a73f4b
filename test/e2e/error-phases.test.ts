// Every way a run can end as a runner fault is recorded completely and said once: the `--json` result,
// the stored run, the Nagios service (a real Nagios fed through its command file) and the Prometheus
// textfile agree, for config, tenant_setup, suite, timeout and interrupted (before, during and after
// tenant creation).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ERROR_PHASE_WORDING, type ErrorPhase, type RunResult } from '../../src/core/index.ts';
import { loadContext } from '../../src/cli/context.ts';
import { createRunOrchestrator } from '../../src/runs/orchestrator.ts';
import { openStore } from '../../src/store/open-store.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { nagiosAvailable, startNagios, type NagiosServer } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { repoRoot, runVigil, spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';
import { sampleValue } from '../exporters/prometheus/helpers.ts';

const HOST = 'local';
const SERVICE = 'synthetic-demo';

describe('a run that could not test the app is recorded, stored and exported alike, on every error path', {
  skip: requireBinary('nagios4', nagiosAvailable()),
  timeout: 300_000,
}, () => {
  let e: E2E;
  let nagios: NagiosServer;
  let textfile: string;
  // A tenant API that accepts the request and never answers: a create that is still running.
  let hanging: http.Server;
  let hangingUrl: string;

  const writeConfig = (o: Parameters<E2E['writeConfig']>[0] = {}) => e.writeConfig({ exporters: `\n  nagios:\n    commandFile: ${nagios.commandFile}`, ...o });

  before(async () => {
    e = await setupE2E();
    nagios = await startNagios({ services: [{ host: HOST, service: SERVICE }] });
    textfile = path.join(e.dir, 'vigil.prom');
    hanging = http.createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  after(async () => {
    hanging?.closeAllConnections();
    await new Promise<void>((resolve) => (hanging ? hanging.close(() => resolve()) : resolve()));
    await nagios?.stop();
    await e?.close();
  });

  const runArgs = () => ['run', '--config', e.configFile, '--suite', 'demo', '--environment', 'local', '--json', '--metrics-textfile', textfile];
  const parse = (r: { code: number | null; stdout: string; stderr: string }): RunResult => {
    try {
      return JSON.parse(r.stdout) as RunResult;
    } catch {
      return assert.fail(`stdout is not JSON (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
    }
  };
  const storedRuns = async () => {
    const store = await openStore(e.storeFile);
    try {
      return await store.runs.list({ limit: 1000 });
    } finally {
      await store.close();
    }
  };

  /** The same error, complete, in the result, the store, Nagios and the textfile. */
  async function assertRecorded(result: RunResult, phase: ErrorPhase, cause: RegExp) {
    assert.equal(result.status, 'error');
    assert.equal(result.errorPhase, phase);
    assert.match(result.errorMessage ?? '', cause);
    assert.ok(!result.errorMessage?.startsWith(ERROR_PHASE_WORDING[phase]), `the stored cause does not repeat the phase: ${result.errorMessage}`);

    const store = await openStore(e.storeFile);
    try {
      assert.deepEqual(await store.runs.get(result.runId), result, 'stored exactly as returned');
    } finally {
      await store.close();
    }

    const status = await nagios.waitForService(HOST, SERVICE, (s) => s.long_plugin_output.includes(result.runId));
    assert.equal(status.current_state, '3', 'UNKNOWN: nothing was tested');
    const wording = ERROR_PHASE_WORDING[phase];
    assert.ok(status.plugin_output.startsWith(`UNKNOWN - demo: ${wording}: `), status.plugin_output);
    assert.equal(status.plugin_output.split(wording).length, 2, `"${wording}" said once: ${status.plugin_output}`);

    // A one-shot run's textfile counts that run alone (docs/metrics.md): exactly this error, once.
    const text = await readFile(textfile, 'utf8');
    assert.equal(sampleValue(text, 'vigil_run_errors_total', { suite: 'demo', environment: 'local', phase }), 1);
    const createFailed = result.tenant?.state === 'create_failed' ? 1 : 0;
    assert.equal(sampleValue(text, 'vigil_tenant_create_failures_total', { environment: 'local' }) ?? 0, createFailed);
    assert.equal(sampleValue(text, 'probe_success', { suite: 'demo', environment: 'local' }), 0);
  }

  test('config: an unknown suite or an alias bomb is a JSON error on stdout, exit 3, nothing recorded or sent', async () => {
    await writeConfig();
    const before = (await storedRuns()).length;
    const unknown = await runVigil(['run', '--config', e.configFile, '--suite', 'nope', '--json'], { env: e.env });
    assert.equal(unknown.code, 3);
    assert.deepEqual(
      { ...JSON.parse(unknown.stdout), message: undefined, problems: undefined },
      { status: 'error', errorPhase: 'config', message: undefined, problems: undefined },
    );
    assert.match(JSON.parse(unknown.stdout).message, /no suite "nope" \(defined: demo\)/);

    const bomb = path.join(e.dir, 'bomb.yaml');
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(',')}]`,
      );
    await writeFile(bomb, `${levels.join('\n')}\n`);
    const bombed = await runVigil(['run', '--config', bomb, '--json'], { env: e.env });
    assert.equal(bombed.code, 3);
    const error = JSON.parse(bombed.stdout);
    assert.equal(error.errorPhase, 'config');
    assert.match(error.message, /bomb\.yaml: .*alias/i);
    assert.match(bombed.stderr, /configuration error/);
    assert.doesNotMatch(bombed.stderr, /unexpected error|ReferenceError|\n\s+at /);
    assert.equal((await storedRuns()).length, before, 'nothing recorded');
  });

  test('tenant_setup: the create error is on the tenant, timed, counted, and said once', async () => {
    await writeConfig();
    e.demo.setFaults({ admin: 'down' });
    try {
      const r = await runVigil(runArgs(), { env: e.env });
      assert.equal(r.code, 3, r.stderr);
      const result = parse(r);
      await assertRecorded(result, 'tenant_setup', /^tenants\.demo\.create: POST .* answered 503/);
      assert.equal(result.tenant?.state, 'create_failed');
      assert.match(result.tenant?.error ?? '', /answered 503/);
      assert.ok(result.phases.tenant_setup > 0, 'the setup phase is timed');
      assert.equal(result.phases.test, 0);
    } finally {
      e.demo.setFaults({ admin: 'ok' });
    }
  });

  test('suite: a grep that matches nothing is an error, and the tenant is still deleted', async () => {
    await writeConfig({ suite: `\n  demo:\n    path: ${path.join(repoRoot, 'suites/demo')}\n    environments: [local]\n    grep: "@no-such-tag"` });
    const result = parse(await runVigil(runArgs(), { env: e.env }));
    await assertRecorded(result, 'suite', /^no tests matched/);
    assert.equal(result.tenant?.state, 'destroyed');
    assert.ok(result.phases.tenant_setup > 0 && result.phases.test > 0 && result.phases.teardown > 0, JSON.stringify(result.phases));
  });

  const hangingSuite = (timeout: string) =>
    `\n  demo:\n    path: ${path.join(repoRoot, 'test/fixtures/hanging-suite')}\n    environments: [local]\n    timeout: ${timeout}`;

  test('timeout: the suite is killed, the run is an error, the tenant deleted', async () => {
    await writeConfig({ suite: hangingSuite('4s') });
    const result = parse(await runVigil(runArgs(), { env: e.env }));
    await assertRecorded(result, 'timeout', /did not finish within 4000 ms; its processes were killed/);
    assert.equal(result.tenant?.state, 'destroyed');
  });

  test('interrupted after tenant creation: SIGTERM mid-suite deletes the tenant and says who interrupted', async () => {
    await writeConfig({ suite: hangingSuite('5m') });
    const child = spawnVigil(runArgs(), { env: e.env });
    await waitForOutput(child, 'stderr', (t) => t.includes('[test]'));
    child.kill('SIGTERM');
    const result = parse(await child.done);
    await assertRecorded(result, 'interrupted', /^interrupted by SIGTERM: /);
    assert.equal(result.tenant?.state, 'destroyed');
  });

  test('interrupted during tenant creation: the create is abandoned, counted as a create failure, and in the ledger', async () => {
    await writeConfig({ tenantApi: hangingUrl });
    const child = spawnVigil(runArgs(), { env: e.env });
    await waitForOutput(child, 'stderr', (t) => t.includes('[tenant_setup]'));
    child.kill('SIGTERM');
    const r = await child.done;
    assert.equal(r.code, 3, r.stderr);
    const result = parse(r);
    await assertRecorded(result, 'interrupted', /^interrupted by SIGTERM: while the tenant was being created: /);
    assert.equal(result.tenant?.state, 'create_failed');
    assert.ok(result.phases.tenant_setup > 0);
    const store = await openStore(e.storeFile);
    try {
      assert.equal((await store.tenants.get(result.tenant!.name))?.state, 'create_failed', 'the ledger row is closed');
    } finally {
      await store.close();
    }
  });

  test('interrupted before tenant creation: no tenant, no ledger row, still recorded and exported', async () => {
    await writeConfig();
    Object.assign(process.env, { DEMO_ADMIN_TOKEN: e.adminToken });
    const ctx = await loadContext({ config: e.configFile, logLevel: 'silent' });
    let result: RunResult;
    try {
      const orchestrator = createRunOrchestrator({ ...ctx, publish: (r) => ctx.exporters.fanOut.publish(r) });
      result = await orchestrator.run({ suite: 'demo', environment: 'local', trigger: 'cli', signal: AbortSignal.abort(new Error('interrupted by SIGTERM')) });
      const { writeTextfile } = await import('../../src/shared/textfile.ts');
      await writeTextfile(ctx.exporters.prometheus, textfile);
    } finally {
      await ctx.close();
    }
    await assertRecorded(result, 'interrupted', /^interrupted by SIGTERM: interrupted before the tenant was created$/);
    assert.equal(result.tenant, undefined);
    assert.deepEqual(result.phases, { tenant_setup: 0, test: 0, teardown: 0 });
    assert.deepEqual(
      (await e.adminTenants()).filter((t) => t.name.startsWith('vigil-')),
      [],
      'no tenant was made',
    );
  });
});
