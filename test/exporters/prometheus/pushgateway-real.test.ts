// pushToGateway against a real Pushgateway (Debian's prometheus-pushgateway): the gateway parses
// Vigil's exposition with its own parser, adds the grouping labels and serves the groups on /metrics.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrometheusExporter, pushToGateway } from '../../../src/exporters/prometheus/index.ts';
import { ExportError } from '../../../src/shared/errors.ts';
import { requireBinary } from '../../helpers/nagios-skip.ts';
import { PUSHGATEWAY_PACKAGE, pushgatewayAvailable, startPushgateway, type PushgatewayServer } from '../../helpers/pushgateway.ts';
import { parseExposition, quietLog, result, type Sample } from './helpers.ts';

const checkout = { suite: 'checkout', environment: 'production' };
const login = { suite: 'login', environment: 'production' };
const checkoutStaging = { suite: 'checkout', environment: 'staging' };
const targets = [checkout, login, checkoutStaging];

/** The gateway's samples of one job, with every label it serves (job, instance and the grouping key). */
async function seriesOfJob(gateway: PushgatewayServer, job: string, name?: string): Promise<Sample[]> {
  return parseExposition(await gateway.metrics()).filter((s) => s.labels.job === job && (!name || s.name === name));
}

describe('Pushgateway (real)', { skip: requireBinary('prometheus-pushgateway', pushgatewayAvailable(), PUSHGATEWAY_PACKAGE), timeout: 60_000 }, () => {
  let gateway: PushgatewayServer;
  before(async () => {
    gateway = await startPushgateway();
  });
  after(async () => {
    await gateway?.stop();
  });

  test("a push to job/suite/environment shows the run's pair with the labels the gateway adds, and no process_* series", async () => {
    // Three configured pairs, as `vigil run` has them: the push must carry the run's pair only. The
    // gateway sets suite and environment on every pushed series, so the others would be relabelled
    // as the run's pair (and refused: 400, duplicate series).
    const exporter = createPrometheusExporter({ version: '0.1.0', log: quietLog(), targets, exporters: ['nagios'] });
    await exporter.publish(result('failed', checkout));
    await exporter.publish(result('passed', login));
    await exporter.publish(result('passed', checkoutStaging));
    await pushToGateway(exporter, { url: gateway.url, job: 'vigil-labels', groupings: checkout });

    const pushed = await seriesOfJob(gateway, 'vigil-labels');
    const probe = pushed.filter((s) => s.name === 'probe_success');
    assert.deepEqual(probe, [{ name: 'probe_success', labels: { environment: 'production', instance: '', job: 'vigil-labels', suite: 'checkout' }, value: 0 }]);
    // Nothing of login or staging under the checkout/production group, relabelled or not.
    const runs = Object.fromEntries(pushed.filter((s) => s.name === 'vigil_runs_total').map((s) => [s.labels.status, s.value]));
    assert.deepEqual(runs, { error: 0, failed: 1, flaky: 0, passed: 0 });
    assert.ok(
      pushed.every((s) => s.labels.suite === 'checkout' && s.labels.environment === 'production'),
      JSON.stringify(pushed),
    );
    assert.equal(pushed.filter((s) => s.name === 'vigil_tenant_create_failures_total').length, 1);
    // Series without suite/environment of their own get the group's labels from the gateway.
    assert.equal(pushed.find((s) => s.name === 'vigil_build_info')?.labels.version, '0.1.0');
    assert.equal(pushed.find((s) => s.name === 'vigil_export_spooled')?.labels.exporter, 'nagios');
    assert.equal(pushed.find((s) => s.name === 'vigil_run_phase_duration_seconds_count' && s.labels.phase === 'test')?.value, 3);
    const processSeries = pushed.filter((s) => /^(process|nodejs)_/.test(s.name)).map((s) => s.name);
    assert.deepEqual(processSeries, [], 'no process_* / nodejs_* series from Vigil');
    // The gateway's own bookkeeping for the group: pushed, never failed.
    assert.ok((pushed.find((s) => s.name === 'push_time_seconds')?.value ?? 0) > 0);
    assert.equal(pushed.find((s) => s.name === 'push_failure_time_seconds')?.value, 0);
    assert.doesNotMatch(gateway.log(), /level=error/);
  });

  test('pushes for different suites keep each other; a second push for the same group replaces the first', async () => {
    const job = 'vigil-groups';
    const probes = async () =>
      Object.fromEntries((await seriesOfJob(gateway, job, 'probe_success')).map((s) => [`${s.labels.suite}/${s.labels.environment}`, s.value]));

    // Two `vigil run` processes, one per suite.
    const first = createPrometheusExporter({ version: '0.1.0', log: quietLog(), targets, exporters: ['nagios'] });
    await first.publish(result('failed', checkout));
    await pushToGateway(first, { url: gateway.url, job, groupings: checkout });
    const loginRun = createPrometheusExporter({ version: '0.1.0', log: quietLog(), targets });
    await loginRun.publish(result('passed', login));
    await pushToGateway(loginRun, { url: gateway.url, job, groupings: login });
    assert.deepEqual(await probes(), { 'checkout/production': 0, 'login/production': 1 });

    // The next checkout run, from a process without the nagios exporter: PUT replaces the whole group,
    // so its per-exporter series go, where a POST would have kept them.
    const spooled = async () => (await seriesOfJob(gateway, job, 'vigil_export_spooled')).map((s) => s.labels.suite);
    assert.deepEqual(await spooled(), ['checkout']);
    const second = createPrometheusExporter({ version: '0.1.0', log: quietLog(), targets });
    await second.publish(result('passed', checkout));
    await pushToGateway(second, { url: gateway.url, job, groupings: checkout });
    assert.deepEqual(await probes(), { 'checkout/production': 1, 'login/production': 1 });
    assert.deepEqual(await spooled(), []);
    const failed = (await seriesOfJob(gateway, job, 'vigil_runs_total')).filter((s) => s.labels.status === 'failed' && s.labels.suite === 'checkout');
    assert.deepEqual(
      failed.map((s) => s.value),
      [0],
      "the first push's count is gone, not added to",
    );
  });

  test("a push the gateway refuses is an ExportError with the gateway's reason, short, without credentials", async () => {
    // Another tool already holds some of Vigil's names with another type (on a gateway of its own: the
    // other tests pushed Vigil's to the shared one). The gateway refuses at least one line per clashing
    // name (per series or per family, depending on how it walks them): with these eight, always too
    // much for one error message.
    const gateway = await startPushgateway();
    const clashing = {
      probe_success: 'counter',
      probe_duration_seconds: 'counter',
      vigil_runs_total: 'gauge',
      vigil_tests: 'counter',
      vigil_last_run_status: 'counter',
      vigil_last_run_timestamp_seconds: 'counter',
      vigil_consecutive_failures: 'counter',
      vigil_run_errors_total: 'gauge',
    };
    const clash = await fetch(`${gateway.url}/metrics/job/other-tool`, {
      method: 'PUT',
      body: Object.entries(clashing)
        .map(([name, type]) => `# TYPE ${name} ${type}\n${name} 1\n`)
        .join(''),
    });
    assert.equal(clash.status, 200, await clash.text());
    try {
      const exporter = createPrometheusExporter({ version: '0.1.0', log: quietLog(), targets });
      await exporter.publish(result('failed', checkout));
      const url = gateway.url.replace('http://', 'http://pushuser:s3cret-pass@');
      await assert.rejects(pushToGateway(exporter, { url, job: 'vigil-refused', groupings: checkout }), (err: Error) => {
        assert.ok(err instanceof ExportError);
        assert.match(err.message, new RegExp(`^pushgateway http://127\\.0\\.0\\.1:${gateway.port}/ job=vigil-refused: push failed with status 400, `));
        assert.match(err.message, /\d+ error\(s\) occurred:\n\* collected metric "/);
        assert.doesNotMatch(err.message, /s3cret-pass|pushuser/);
        assert.match(err.message, /… \(\d+ more characters; the gateway's log has them all\)$/);
        assert.ok(err.message.length < 1200, `message of ${err.message.length} characters`);
        return true;
      });
      // The gateway may log after it answered.
      for (let i = 0; i < 40 && !/level=error/.test(gateway.log()); i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(gateway.log(), /level=error.*pushed metrics are invalid or inconsistent/);
    } finally {
      await gateway.stop();
    }
  });

  test('a gateway that is down is an ExportError naming it', async () => {
    const down = await startPushgateway();
    await down.stop();
    const exporter = createPrometheusExporter({ version: '0.1.0', log: quietLog(), targets });
    await exporter.publish(result('passed', checkout));
    await assert.rejects(pushToGateway(exporter, { url: down.url, job: 'vigil', groupings: checkout }), (err: Error) => {
      assert.ok(err instanceof ExportError);
      assert.equal(err.message, `pushgateway ${down.url}/ job=vigil: push failed: connect ECONNREFUSED 127.0.0.1:${down.port}`);
      return true;
    });
  });
});
