// `vigil run` pushes to a real Pushgateway (Debian's prometheus-pushgateway): the run's pair shows on
// the gateway's /metrics under the group job/suite/environment, and a gateway that is down is reported
// without changing the exit code (docs/metrics.md). Quick suites, no browser: a run takes seconds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/core/index.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { freePort } from '../helpers/nagios-nsca.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { PUSHGATEWAY_PACKAGE, pushgatewayAvailable, startPushgateway, type PushgatewayServer } from '../helpers/pushgateway.ts';
import { runVigil } from '../helpers/vigil-cli.ts';
import { parseExposition } from '../exporters/prometheus/helpers.ts';
import { quickSuite } from '../service/serve-harness.ts';

describe('vigil run --pushgateway', { skip: requireBinary('prometheus-pushgateway', pushgatewayAvailable(), PUSHGATEWAY_PACKAGE), timeout: 120_000 }, () => {
  let e: E2E;
  let gateway: PushgatewayServer;
  const suites = quickSuite('quick') + quickSuite('broken', { fail: true });

  before(async () => {
    e = await setupE2E();
    await e.writeConfig({ suite: suites });
    gateway = await startPushgateway();
  });
  after(async () => {
    await gateway?.stop();
    await e?.close();
  });

  const run = async (suite: string, extra: string[] = []) => {
    const r = await runVigil(['run', '--config', e.configFile, '--suite', suite, '--environment', 'local', '--json', ...extra], {
      env: e.env,
      timeoutMs: 60_000,
    });
    try {
      return { ...r, result: JSON.parse(r.stdout) as RunResult };
    } catch {
      return assert.fail(`stdout is not a RunResult (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
    }
  };
  const gatewaySeries = async (name: string) => parseExposition(await gateway.metrics()).filter((s) => s.name === name && s.labels.job === 'vigil');
  const probes = async () => Object.fromEntries((await gatewaySeries('probe_success')).map((s) => [s.labels.suite, s.value]));

  test("pushes the run's pair: the gateway shows probe_success for the suite, with the labels it adds", async () => {
    const r = await run('quick', ['--pushgateway', gateway.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.result.status, 'passed');
    assert.doesNotMatch(r.stderr, /not pushed/);
    // Two suites are configured; only the run's pair is pushed (whole, the gateway answered 400).
    assert.deepEqual(await gatewaySeries('probe_success'), [
      { name: 'probe_success', labels: { environment: 'local', instance: '', job: 'vigil', suite: 'quick' }, value: 1 },
    ]);
    const runs = await gatewaySeries('vigil_runs_total');
    assert.deepEqual(
      runs.filter((s) => s.value > 0).map((s) => s.labels.status),
      ['passed'],
    );
    const text = await gateway.metrics();
    const fromVigil = parseExposition(text).filter((s) => s.labels.job === 'vigil' && /^(process|nodejs)_/.test(s.name));
    assert.deepEqual(fromVigil, [], 'no process_* / nodejs_* series from Vigil');
    assert.doesNotMatch(gateway.log(), /level=error/);
  });

  test("the configured gateway gets a failing suite's 0 in a group of its own; the run exits 2", async () => {
    await e.writeConfig({ suite: suites, exporters: `\n  prometheus:\n    pushgateway: { url: "${gateway.url}" }` });
    const r = await run('broken');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.result.status, 'failed');
    assert.doesNotMatch(r.stderr, /not pushed/);
    assert.deepEqual(await probes(), { broken: 0, quick: 1 }, 'the quick group is still there');
  });

  test("a gateway that is down is named on stderr, without credentials, and the exit code is the run's", async () => {
    const before = await gatewaySeries('push_time_seconds');
    const port = await freePort();
    // --pushgateway overrides the configured (live) gateway.
    const r = await run('quick', ['--pushgateway', `http://ci-user:ci-secret-pw@127.0.0.1:${port}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.result.status, 'passed');
    assert.match(
      r.stderr,
      new RegExp(
        `^vigil: metrics not pushed: pushgateway http://127\\.0\\.0\\.1:${port}/ job=vigil: push failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}$`,
        'm',
      ),
    );
    assert.doesNotMatch(r.stderr + r.stdout, /ci-secret-pw|ci-user/);
    assert.deepEqual(await gatewaySeries('push_time_seconds'), before, 'nothing went to the configured gateway');
  });
});
