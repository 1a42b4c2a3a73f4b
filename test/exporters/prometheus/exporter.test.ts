import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPrometheusExporter } from '../../../src/exporters/prometheus/index.ts';
import { openStore } from '../../../src/store/index.ts';
import { parseExposition, promtool, quietLog, requireTool, result, sampleValue } from './helpers.ts';

const prod = { suite: 'checkout', environment: 'production' };
const targets = [prod, { suite: 'login', environment: 'staging' }];

describe('publishing a run result', () => {
  test('a passed run: probe_success 1, runs counted, last run and last success set', async () => {
    const exporter = createPrometheusExporter({ version: '1.2.3', log: quietLog(), targets, processMetrics: false });
    const run = result('passed');
    await exporter.publish(run);
    const text = await exporter.metrics();
    const finished = Date.parse(run.finishedAt) / 1000;
    assert.equal(sampleValue(text, 'probe_success', prod), 1);
    assert.equal(sampleValue(text, 'probe_duration_seconds', prod), 42);
    assert.equal(sampleValue(text, 'vigil_runs_total', { ...prod, status: 'passed' }), 1);
    assert.equal(sampleValue(text, 'vigil_runs_total', { ...prod, status: 'failed' }), 0);
    assert.equal(sampleValue(text, 'vigil_last_run_timestamp_seconds', prod), finished);
    assert.equal(sampleValue(text, 'vigil_last_success_timestamp_seconds', prod), finished);
    assert.equal(sampleValue(text, 'vigil_last_run_status', { ...prod, status: 'passed' }), 1);
    assert.equal(sampleValue(text, 'vigil_last_run_status', { ...prod, status: 'failed' }), 0);
    assert.equal(sampleValue(text, 'vigil_tests', { ...prod, outcome: 'passed' }), 4);
    assert.equal(sampleValue(text, 'vigil_tests', { ...prod, outcome: 'skipped' }), 1);
    assert.equal(sampleValue(text, 'vigil_run_phase_duration_seconds_count', { phase: 'test' }), 1);
    assert.equal(sampleValue(text, 'vigil_run_phase_duration_seconds_sum', { phase: 'tenant_setup' }), 1.5);
    assert.equal(sampleValue(text, 'vigil_run_phase_duration_seconds_bucket', { phase: 'test', le: '30' }), 0);
    assert.equal(sampleValue(text, 'vigil_run_phase_duration_seconds_bucket', { phase: 'test', le: '60' }), 1);
    assert.equal(sampleValue(text, 'vigil_build_info', { version: '1.2.3', node: process.version }), 1);
  });

  test('flaky counts as success; failed and error do not, and keep the last success', async () => {
    const exporter = createPrometheusExporter({ version: '1', log: quietLog(), targets, processMetrics: false });
    const flaky = result('flaky');
    await exporter.publish(flaky);
    let text = await exporter.metrics();
    assert.equal(sampleValue(text, 'probe_success', prod), 1);
    assert.equal(sampleValue(text, 'vigil_tests', { ...prod, outcome: 'flaky' }), 1);

    const failed = result('failed');
    await exporter.publish(failed);
    text = await exporter.metrics();
    assert.equal(sampleValue(text, 'probe_success', prod), 0);
    assert.equal(sampleValue(text, 'vigil_last_run_status', { ...prod, status: 'failed' }), 1);
    assert.equal(sampleValue(text, 'vigil_last_run_status', { ...prod, status: 'flaky' }), 0);
    assert.equal(sampleValue(text, 'vigil_last_run_timestamp_seconds', prod), Date.parse(failed.finishedAt) / 1000);
    assert.equal(sampleValue(text, 'vigil_last_success_timestamp_seconds', prod), Date.parse(flaky.finishedAt) / 1000);
    assert.equal(sampleValue(text, 'vigil_run_errors_total', { ...prod, phase: 'suite' }), 0, 'an app failure is no runner error');

    await exporter.publish(result('error'));
    text = await exporter.metrics();
    assert.equal(sampleValue(text, 'probe_success', prod), 0);
    assert.equal(sampleValue(text, 'vigil_last_run_status', { ...prod, status: 'error' }), 1);
    assert.equal(sampleValue(text, 'vigil_run_errors_total', { ...prod, phase: 'suite' }), 1);
    assert.equal(sampleValue(text, 'vigil_tests', { ...prod, outcome: 'passed' }), 0);
    for (const status of ['passed', 'flaky', 'failed', 'error']) {
      const expected = status === 'passed' ? 0 : 1;
      assert.equal(sampleValue(text, 'vigil_runs_total', { ...prod, status }), expected, status);
    }
  });

  test('consecutive failures: failed runs add up, a runner error leaves the streak, a pass resets it', async () => {
    const exporter = createPrometheusExporter({ version: '1', log: quietLog(), targets, processMetrics: false });
    const streak = async () => sampleValue(await exporter.metrics(), 'vigil_consecutive_failures', prod);
    await exporter.publish(result('failed'));
    await exporter.publish(result('failed'));
    assert.equal(await streak(), 2);
    await exporter.publish(result('error'));
    assert.equal(await streak(), 2);
    await exporter.publish(result('failed'));
    assert.equal(await streak(), 3);
    await exporter.publish(result('flaky'));
    assert.equal(await streak(), 0);
  });

  test('tenant failures: create failure and teardown failure are counted per environment', async () => {
    const exporter = createPrometheusExporter({ version: '1', log: quietLog(), targets, processMetrics: false });
    await exporter.publish(result('error', { errorPhase: 'tenant_setup', tenant: { id: '', name: 'vigil-checkout-x', state: 'create_failed' } }));
    await exporter.publish(result('passed', { tenant: { id: 't', name: 'vigil-checkout-y', state: 'teardown_failed' } }));
    const text = await exporter.metrics();
    assert.equal(sampleValue(text, 'vigil_tenant_create_failures_total', { environment: 'production' }), 1);
    assert.equal(sampleValue(text, 'vigil_tenant_destroy_failures_total', { environment: 'production' }), 1);
    assert.equal(sampleValue(text, 'vigil_tenant_create_failures_total', { environment: 'staging' }), 0);
    assert.equal(sampleValue(text, 'vigil_run_errors_total', { ...prod, phase: 'tenant_setup' }), 1);
    assert.equal(sampleValue(text, 'probe_success', prod), 1, 'a teardown failure does not hide the test outcome');
  });

  test('a late (spooled) older result counts but does not roll the last-run gauges back; a repeat counts once', async () => {
    const exporter = createPrometheusExporter({ version: '1', log: quietLog(), targets, processMetrics: false });
    const older = result('failed');
    const newer = result('passed');
    await exporter.publish(newer);
    await exporter.publish(older);
    await exporter.publish(older);
    const text = await exporter.metrics();
    assert.equal(sampleValue(text, 'probe_success', prod), 1);
    assert.equal(sampleValue(text, 'vigil_last_run_timestamp_seconds', prod), Date.parse(newer.finishedAt) / 1000);
    assert.equal(sampleValue(text, 'vigil_runs_total', { ...prod, status: 'failed' }), 1);
  });

  test('a suite/environment outside the configuration is refused, with a warning, and creates no series', async () => {
    const log = quietLog();
    const exporter = createPrometheusExporter({ version: '1', log, targets, processMetrics: false });
    await exporter.publish(result('failed', { suite: 'checkout', environment: 'staging' }));
    exporter.observeSkip('nope', 'production');
    exporter.observeDelivery('Bad Name!', false);
    const text = await exporter.metrics();
    assert.equal(sampleValue(text, 'probe_success', { suite: 'checkout', environment: 'staging' }), undefined);
    assert.equal(sampleValue(text, 'vigil_schedule_skipped_total', { suite: 'nope' }), undefined);
    assert.ok(!text.includes('Bad Name!'));
    assert.equal(log.warnings.length, 2);
  });

  test('deliveries, spool, skips and reaps move their series; configured ones start at 0', async () => {
    const exporter = createPrometheusExporter({
      version: '1',
      log: quietLog(),
      targets,
      exporters: ['nagios', 'icinga2'],
      processMetrics: false,
    });
    let text = await exporter.metrics();
    assert.equal(sampleValue(text, 'vigil_export_failures_total', { exporter: 'icinga2' }), 0);
    for (const reason of ['busy', 'queue_full', 'missed', 'paused']) assert.equal(sampleValue(text, 'vigil_schedule_skipped_total', { ...prod, reason }), 0);
    assert.equal(sampleValue(text, 'vigil_paused', prod), 0);
    assert.equal(sampleValue(text, 'vigil_runs_total', { ...prod, status: 'error' }), 0);

    exporter.observeDelivery('nagios', false, 3);
    exporter.observeDelivery('nagios', false);
    exporter.observeDelivery('icinga2', true, 0);
    exporter.observeSkip('checkout', 'production');
    exporter.observeSkip('checkout', 'production', 'paused');
    exporter.observeSkip('checkout', 'production', 'paused');
    exporter.setPaused('checkout', 'production', true);
    exporter.observeReap({
      reaped: [
        { environment: 'production', source: 'ledger' },
        { environment: 'production', source: 'remote' },
        { environment: 'production', source: 'remote' },
      ],
      failed: [
        { name: 'vigil-checkout-abc', error: 'answered 500', environment: 'staging', source: 'ledger' },
        { name: 'demo', error: 'list failed' },
      ],
    });
    text = await exporter.metrics();
    assert.equal(sampleValue(text, 'vigil_export_failures_total', { exporter: 'nagios' }), 2);
    assert.equal(sampleValue(text, 'vigil_export_spooled', { exporter: 'nagios' }), 3);
    assert.equal(sampleValue(text, 'vigil_export_failures_total', { exporter: 'icinga2' }), 0);
    assert.equal(sampleValue(text, 'vigil_schedule_skipped_total', { ...prod, reason: 'busy' }), 1);
    assert.equal(sampleValue(text, 'vigil_schedule_skipped_total', { ...prod, reason: 'paused' }), 2);
    assert.equal(sampleValue(text, 'vigil_paused', prod), 1);
    assert.equal(sampleValue(text, 'vigil_tenants_reaped_total', { environment: 'production', source: 'remote' }), 2);
    assert.equal(sampleValue(text, 'vigil_tenants_reaped_total', { environment: 'production', source: 'ledger' }), 1);
    assert.equal(sampleValue(text, 'vigil_tenant_destroy_failures_total', { environment: 'staging' }), 1);
  });

  test('no job/instance labels and nothing unbounded: no run ids, tenant names or test titles', async () => {
    const exporter = createPrometheusExporter({ version: '1', log: quietLog(), targets, exporters: ['nagios'] });
    const runs = [result('passed'), result('failed'), result('error'), result('flaky')];
    for (const run of runs) await exporter.publish(run);
    const text = await exporter.metrics();
    const samples = parseExposition(text);
    assert.ok(samples.length > 50);
    const allowed = new Set([
      'suite',
      'environment',
      'status',
      'phase',
      'outcome',
      'reason',
      'exporter',
      'source',
      'le',
      'version',
      'node',
      'quantile',
      'space',
      'kind',
      'type',
      'major',
      'minor',
      'patch',
      'operation',
      'url',
    ]);
    for (const s of samples) {
      for (const label of Object.keys(s.labels)) assert.ok(allowed.has(label), `${s.name} has label ${label}`);
    }
    for (const run of runs) {
      assert.ok(!text.includes(run.runId), 'run id exported');
      assert.ok(!text.includes(run.tenant!.name), 'tenant name exported');
    }
    assert.ok(!text.includes('pays by card'), 'test title exported');
    assert.ok(
      samples.some((s) => s.name === 'process_cpu_user_seconds_total'),
      'default process metrics',
    );
  });

  test('two exporters never share state (no global registry)', async () => {
    const a = createPrometheusExporter({ version: '1', log: quietLog(), targets });
    const b = createPrometheusExporter({ version: '1', log: quietLog(), targets });
    await a.publish(result('failed'));
    assert.equal(sampleValue(await a.metrics(), 'probe_success', prod), 0);
    assert.equal(sampleValue(await b.metrics(), 'probe_success', prod), undefined);
  });
});

describe('restoring from the store at start-up', () => {
  test('last run, last success, probe_success, status, tests and the failure streak survive a restart', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-restore-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = await openStore(join(dir, 'vigil.db'));
    t.after(() => store.close());
    const success = result('passed');
    const fail1 = result('failed');
    const fail2 = result('failed', { tests: { total: 7, passed: 4, failed: 3, flaky: 0, skipped: 0 } });
    const loginOk = result('flaky', { suite: 'login', environment: 'staging' });
    const removed = result('failed', { suite: 'gone', environment: 'production' });
    for (const run of [success, fail1, fail2, loginOk, removed]) await store.runs.save(run);

    const exporter = createPrometheusExporter({ version: '1', log: quietLog(), targets, lastResults: store.runs });
    const text = await exporter.metrics();
    assert.equal(sampleValue(text, 'probe_success', prod), 0);
    assert.equal(sampleValue(text, 'vigil_last_run_timestamp_seconds', prod), Date.parse(fail2.finishedAt) / 1000);
    assert.equal(sampleValue(text, 'vigil_last_success_timestamp_seconds', prod), Date.parse(success.finishedAt) / 1000);
    assert.equal(sampleValue(text, 'vigil_last_run_status', { ...prod, status: 'failed' }), 1);
    assert.equal(sampleValue(text, 'vigil_tests', { ...prod, outcome: 'failed' }), 3);
    assert.equal(sampleValue(text, 'vigil_consecutive_failures', prod), 2);
    assert.equal(sampleValue(text, 'probe_success', { suite: 'login', environment: 'staging' }), 1);
    assert.equal(sampleValue(text, 'probe_success', { suite: 'gone' }), undefined, 'a suite no longer configured');
    assert.equal(sampleValue(text, 'vigil_runs_total', { ...prod, status: 'failed' }), 0, 'counters restart from 0');

    // The last run published again (from the spool) after the restart changes nothing.
    await exporter.publish(fail2);
    assert.equal(sampleValue(await exporter.metrics(), 'vigil_consecutive_failures', prod), 2);
    // The next failure continues the streak rather than starting a new one.
    await exporter.publish(result('failed'));
    assert.equal(sampleValue(await exporter.metrics(), 'vigil_consecutive_failures', prod), 3);
  });

  test('a store that cannot answer is logged and the exporter still starts', async () => {
    const log = quietLog();
    const exporter = createPrometheusExporter({
      version: '1',
      log,
      targets,
      lastResults: {
        lastBySuite: async () => {
          throw new Error('database is locked');
        },
      },
    });
    assert.equal(sampleValue(await exporter.metrics(), 'probe_success', prod), undefined);
    assert.match(JSON.stringify(log.warnings), /database is locked/);
  });

  test('orphaned tenants are counted from the ledger at scrape time', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-orphans-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = await openStore(join(dir, 'vigil.db'));
    t.after(() => store.close());
    const now = new Date('2025-06-01T12:00:00Z');
    const begin = (name: string, environment: string, minutesAgo: number) =>
      store.tenants.begin({
        name,
        provisioner: 'shop',
        suite: 'checkout',
        environment,
        baseURL: 'http://127.0.0.1:1',
        runId: name,
        createdAt: new Date(now.getTime() - minutesAgo * 60_000),
      });
    await begin('vigil-checkout-a', 'production', 5);
    await store.tenants.finish('vigil-checkout-a', 'teardown_failed', 'delete answered 500');
    await begin('vigil-checkout-b', 'production', 5); // a run in progress: not an orphan yet
    await begin('vigil-checkout-c', 'production', 300); // left 'creating' by a run that died
    await begin('vigil-checkout-d', 'staging', 300);
    await store.tenants.finish('vigil-checkout-d', 'destroyed');
    await begin('vigil-checkout-e', 'staging', 300); // create failed: counted as a create failure, not an orphan
    await store.tenants.finish('vigil-checkout-e', 'create_failed', 'POST answered 500');

    const exporter = createPrometheusExporter({
      version: '1',
      log: quietLog(),
      targets,
      ledger: store.tenants,
      clock: () => now,
    });
    let text = await exporter.metrics();
    assert.equal(sampleValue(text, 'vigil_tenant_orphans', { environment: 'production' }), 2);
    assert.equal(sampleValue(text, 'vigil_tenant_orphans', { environment: 'staging' }), 0);

    await store.tenants.finish('vigil-checkout-a', 'destroyed');
    text = await exporter.metrics();
    assert.equal(sampleValue(text, 'vigil_tenant_orphans', { environment: 'production' }), 1);
  });
});

describe('a suite run from several locations', () => {
  const rule = { locations: ['eu-west', 'us-east'], minFailed: 2, staleAfterMs: 3_600_000 };
  const located = [{ ...prod, locations: rule }];
  const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 0, minute)).toISOString();
  const clock = () => new Date(Date.UTC(2025, 5, 1, 0, 30));
  const runs = [
    result('passed', { location: 'eu-west', finishedAt: at(1) }),
    result('failed', { location: 'us-east', finishedAt: at(2) }),
    result('failed', { location: 'us-east', finishedAt: at(3) }),
  ];
  const pair = (text: string) => ({
    probe: sampleValue(text, 'probe_success', prod),
    status: ['passed', 'flaky', 'failed', 'error'].find((s) => sampleValue(text, 'vigil_last_run_status', { ...prod, status: s }) === 1),
    streak: sampleValue(text, 'vigil_consecutive_failures', prod),
  });
  const where = (text: string, location: string) => ({
    probe: sampleValue(text, 'vigil_location_probe_success', { ...prod, location }),
    streak: sampleValue(text, 'vigil_location_consecutive_failures', { ...prod, location }),
  });

  test("each location has its gauges; the pair's follow the rule (CRITICAL from 2 locations), not the newest run", async () => {
    const exporter = createPrometheusExporter({ version: '1', log: quietLog(), targets: located, processMetrics: false, clock });
    for (const run of runs) await exporter.publish(run);
    let text = await exporter.metrics();
    assert.deepEqual(where(text, 'us-east'), { probe: 0, streak: 2 });
    assert.deepEqual(where(text, 'eu-west'), { probe: 1, streak: 0 });
    assert.equal(sampleValue(text, 'vigil_location_last_run_timestamp_seconds', { ...prod, location: 'us-east' }), Date.parse(at(3)) / 1000);
    assert.deepEqual(pair(text), { probe: 1, status: 'flaky', streak: 0 }, 'one location of the two needed: WARNING, not down');
    assert.equal(sampleValue(text, 'vigil_last_run_timestamp_seconds', prod), Date.parse(at(3)) / 1000, 'timestamps stay the newest run’s');

    await exporter.publish(result('failed', { location: 'eu-west', finishedAt: at(4) }));
    text = await exporter.metrics();
    assert.deepEqual(pair(text), { probe: 0, status: 'failed', streak: 1 }, 'both failing: down, for as many runs as both have been failing');
    assert.equal(sampleValue(text, 'vigil_runs_total', { ...prod, status: 'failed' }), 3, 'counters count every run, without a location label');
  });

  test('restored from the store (and synced) the same; a location gone quiet makes the pair UNKNOWN where it could change it', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-locations-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = await openStore(join(dir, 'vigil.db'));
    t.after(() => store.close());
    for (const run of runs) await store.runs.save(run);
    let now = clock();
    const exporter = createPrometheusExporter({
      version: '1',
      log: quietLog(),
      targets: located,
      lastResults: store.runs,
      processMetrics: false,
      clock: () => now,
    });
    let text = await exporter.metrics();
    assert.deepEqual(where(text, 'us-east'), { probe: 0, streak: 2 });
    assert.deepEqual(pair(text), { probe: 1, status: 'flaky', streak: 0 });
    // Two hours on, eu-west has said nothing since: it could be failing too.
    now = new Date(Date.UTC(2025, 5, 1, 1, 30));
    await exporter.sync(store.runs);
    text = await exporter.metrics();
    assert.deepEqual(pair(text), { probe: 0, status: 'error', streak: 0 });
    if (!requireTool(t, 'promtool')) return;
    const lint = await promtool(['check', 'metrics'], text);
    assert.equal(lint.output.trim(), '', 'promtool lint output: the location families lint clean');
  });
});
