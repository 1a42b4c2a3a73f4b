// The shipped member-loss scenario on a schedule inside a real `vigil serve` (scenarios.schedule,
// docs/scenarios.md "On a schedule in vigil serve"), on one real example stack: a scheduled run
// passes and shows on serve's /metrics (runs by status, last success, time to detect per Then, fires
// skipped while it ran) and in /api/scenarios; then serve is sent SIGTERM while the next run has
// destroyed app-0 and its Then still waits — the undo restores app-0 and serve exits 0 within the grace.
// A scheduled file that cannot run stops serve at start, naming it.
import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from '../../demo/stack/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { browserYaml } from '../helpers/e2e-setup.ts';
import { stackSkip } from '../helpers/stack-processes.ts';
import { repoRoot, runVigil, spawnVigil } from '../helpers/vigil-cli.ts';
import { ask, eventually, metricValue } from '../service/serve-harness.ts';

const SCENARIO = 'one app member is destroyed';
const THEN = 'within 2m the member "app-0" is all red';
const GRACE_MS = 60_000;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface LogLine {
  msg: string;
  schedule?: string;
  step?: string;
  status?: string;
  cleanup?: boolean;
  timeToDetectMs?: number;
}

describe('a scheduled scenario in vigil serve (member loss on the example stack)', { skip: stackSkip(), timeout: 400_000 }, () => {
  let stack: Stack;
  let config: string;
  let serve: ReturnType<typeof spawnVigil>;
  let log = '';
  const lines = (): LogLine[] =>
    log
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  const scenarioSteps = () => lines().filter((l) => l.msg === 'scheduled scenario: step' && !l.cleanup);
  const lbStatus = async (member: string) => (await stack.haproxy.servers()).find((s) => s.server === member)?.status;

  before(async () => {
    stack = await startStack({ members: 3, passive: ['scenario-member-loss'] });
    // No demo-suite check in the model: the Given needs no suite run first; the scenario's own suite
    // step still runs the demo suite through serve's orchestrator. Thens wait for Nagios' scheduled
    // checks (every 5 s), so a SIGTERM after the destroy lands while the Then still waits.
    config = await stack.writeVigilYaml({ browser: browserYaml() || undefined, suite: false, recheck: false });
    await appendFile(
      config,
      `  schedule:
    member-loss:
      file: ${join(repoRoot, 'scenarios', 'member-loss.feature')}
      schedule: "*/3 * * * * *"
      destructive: true
      environments: [stack]
      nagios: { host: vigil, service: scenario-member-loss }
api:
  grace: ${GRACE_MS / 1000}s
exporters:
  nagios:
    commandFile: ${stack.nagios.commandFile}
`,
    );
    serve = spawnVigil(['serve', '--config', config, '--listen', '127.0.0.1:0'], { env: { DEMO_ADMIN_TOKEN: stack.adminToken, VIGIL_LOG_FORMAT: 'json' } });
    serve.stderr!.on('data', (d: Buffer | string) => (log += d.toString()));
  });
  after(async () => {
    if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    await stack?.stop();
  });

  it('a passed scheduled run: vigil_scenario_* on /metrics (runs, last success, time to detect, skipped fires) and /api/scenarios', async (t) => {
    const url = await eventually(async () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log)?.[1], 'vigil serving', 60_000);
    const finished = await eventually(
      async () => lines().find((l) => l.msg === 'scheduled scenario: finished'),
      `a passed scheduled run (serve's log:\n${log.slice(-3000)})`,
      200_000,
      500,
    );
    assert.equal(finished.schedule, 'member-loss');

    const metrics = await eventually(
      async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return (metricValue(text, 'vigil_scenario_runs_total', { scenario: SCENARIO, status: 'passed' }) ?? 0) >= 1 ? text : undefined;
      },
      'the passed run on /metrics',
      10_000,
    );
    assert.equal(metricValue(metrics, 'vigil_scenario_runs_total', { scenario: SCENARIO, status: 'failed' }), 0);
    const lastSuccess = metricValue(metrics, 'vigil_scenario_last_success_timestamp_seconds', { scenario: SCENARIO })!;
    assert.ok(Math.abs(lastSuccess - Date.now() / 1000) < 120, `last success ${lastSuccess}`);
    const detect = metricValue(metrics, 'vigil_scenario_time_to_detect_seconds', { scenario: SCENARIO, step: THEN.replaceAll('"', '\\"') });
    assert.ok(detect !== undefined && detect > 0 && detect < 120, `time to detect ${detect}\n${metrics}`);
    // Fires every 3 s while a run takes far longer: skipped, not overlapped.
    assert.ok(metricValue(metrics, 'vigil_scenario_fires_skipped_total', { schedule: 'member-loss', reason: 'overlap' })! >= 1, metrics);
    assert.match(metrics, /^# TYPE vigil_build_info gauge$/m, "the exporter's own families are still there");
    assert.equal(metricValue(metrics, 'vigil_scenario_state', { schedule: 'member-loss' }), 0, 'the judged state: OK');

    const listed = await ask(`${url}/api/scenarios`);
    const runs = listed.json.runs as Array<{ scenario: string; status: string }>;
    assert.ok(
      runs.some((r) => r.scenario === SCENARIO && r.status === 'passed'),
      JSON.stringify(runs),
    );
    // The passive service in the real Nagios says it, as an operator's dashboard would.
    const passive = await eventually(
      async () => (await stack.nagios.status()).find((e) => e.host === 'vigil' && e.service === 'scenario-member-loss' && e.checked),
      "the scheduled scenario's passive result in Nagios",
      30_000,
      500,
    );
    assert.equal(passive.state, 0, passive.output);
    assert.match(passive.output, /^OK - member-loss: one app member is destroyed: passed, detected in \d+\.\ds/);
    t.diagnostic(`scheduled member loss: app-0 all red ${seconds(detect! * 1000)} after the destroy (Nagios' scheduled checks, every 5 s)`);
  });

  it('SIGTERM while the next run has destroyed app-0 and its Then waits: the undo restores app-0, serve exits 0 within the grace', async (t) => {
    const destroys = () => scenarioSteps().filter((l) => l.step === 'When I destroy member "app-0"' && l.status === 'passed').length;
    const before = destroys();
    await eventually(async () => (destroys() > before ? true : undefined), 'the next scheduled run destroying app-0', 60_000, 100);
    assert.notEqual(await lbStatus('app-0'), 'UP', 'app-0 is down: the scenario is mid-way');
    const sentAt = Date.now();
    serve.kill('SIGTERM');
    const killer = setTimeout(() => serve.kill('SIGKILL'), GRACE_MS + 30_000);
    const exit = await serve.done.finally(() => clearTimeout(killer));
    const tookMs = Date.now() - sentAt;
    assert.equal(exit.code, 0, log.slice(-3000));
    assert.ok(tookMs < GRACE_MS, `serve stopped after ${tookMs} ms`);

    assert.equal(await lbStatus('app-0'), 'UP', 'the undo brought app-0 back before serve exited');
    assert.notEqual(stack.members[0].pid, -1);
    const store = await openStore(join(stack.dir, 'vigil.db'));
    try {
      const [last] = await store.scenarioRuns.list({ limit: 1 });
      const result = last.result as { status: string; steps: Array<{ text: string; status: string }>; cleanup: Array<{ text: string; status: string }> };
      assert.equal(result.status, 'interrupted');
      assert.deepEqual(
        result.steps.map((s) => s.status),
        ['passed', 'passed', 'interrupted', 'skipped', 'skipped'],
        'interrupted after the destroy, while the Then waited',
      );
      assert.deepEqual(
        result.cleanup.map((s) => [s.text, s.status]),
        [['restore-member "app-0"', 'passed']],
      );
      // Recorded by serve itself: the run's own row in the undo ledger is gone, so no later start
      // records it again as killed (nor sends UNKNOWN for an orderly stop).
      assert.deepEqual(await store.undos.runs(), []);
      assert.deepEqual(await store.undos.list(), []);
    } finally {
      await store.close();
    }
    t.diagnostic(`SIGTERM mid-scenario: app-0 restored and serve exited 0 after ${seconds(tookMs)} (grace ${seconds(GRACE_MS)})`);
  });

  it('a scheduled file that cannot run, or an entry outside its allow-list, is a config error at start naming each (exit 3, nothing listens), as config check says', async () => {
    const feature = join(stack.dir, 'reboot.feature');
    await writeFile(feature, 'Feature: reboot\n  Scenario: a member is rebooted\n    When I reboot member "app-0"\n');
    const suiteRun = join(stack.dir, 'suite-run.feature');
    await writeFile(suiteRun, 'Feature: suite\n  Scenario: the suite runs\n    When I run the suite "demo" on "stack"\n');
    const bad = await stack.writeVigilYaml({ suite: false, file: join(stack.dir, 'vigil-bad-schedule.yaml') });
    // Two more environments: one production by its name, one that is not.
    const text = await readFile(bad, 'utf8');
    const extra = '  production: { baseURL: "http://127.0.0.1:9", tenants: demo }\n  qa: { baseURL: "http://127.0.0.1:9", tenants: demo }\n';
    assert.ok(text.includes('\nenvironments:\n'), text);
    await writeFile(bad, text.replace('\nenvironments:\n', `\nenvironments:\n${extra}`));
    const entry = (name: string, file: string, environments: string, more = '') =>
      `    ${name}:\n      file: ${file}\n      schedule: "0 * * * *"\n      destructive: true\n      environments: ${environments}\n${more}`;
    await appendFile(
      bad,
      `  schedule:\n${entry('reboot', 'reboot.feature', '[stack]')}${entry('gone', 'missing.feature', '[stack]')}${entry('prod-loss', 'reboot.feature', '[production]')}${entry('nowhere', 'reboot.feature', '[staging]')}${entry('qa-suite', 'suite-run.feature', '[qa]')}${entry('opted-in', 'suite-run.feature', '[production, stack]', '      production: true\n')}`,
    );
    const r = await runVigil(['serve', '--config', bad, '--listen', '127.0.0.1:0'], { env: { DEMO_ADMIN_TOKEN: stack.adminToken }, timeoutMs: 60_000 });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stderr, /scenarios\.schedule/);
    assert.match(r.stderr, /reboot: \S*reboot\.feature:3: step "When I reboot member "app-0"": needs the action "reboot-member"/);
    assert.match(r.stderr, /gone: \S*missing\.feature: not found/);
    assert.match(
      r.stderr,
      /scenarios\.schedule\.prod-loss\.environments: "production" is production \(by its name\): a destructive scenario runs there only with production: true on the entry/,
    );
    assert.match(r.stderr, /scenarios\.schedule\.nowhere\.environments: no environment "staging" \(defined: [^)]*stack/);
    assert.match(
      r.stderr,
      /qa-suite: \S*suite-run\.feature:3: step "When I run the suite "demo" on "stack"": "stack" is not among the environments this scheduled scenario may touch \(scenarios\.schedule\.qa-suite\.environments: qa\)/,
    );
    assert.doesNotMatch(r.stderr, /opted-in/, 'production with its opt-in, and a suite step on a listed environment, are accepted');
    assert.doesNotMatch(r.stderr, /vigil serving/);
    // `vigil config check` refuses the same file with the same words, before any serve is started.
    const checked = await runVigil(['config', 'check', '--config', bad], { env: { DEMO_ADMIN_TOKEN: stack.adminToken } });
    assert.equal(checked.code, 3, checked.stdout + checked.stderr);
    const refusal = (stderr: string) => stderr.slice(stderr.indexOf('vigil: configuration error:'));
    assert.equal(refusal(checked.stderr), refusal(r.stderr));
  });
});
