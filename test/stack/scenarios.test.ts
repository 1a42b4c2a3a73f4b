// The three shipped scenarios (scenarios/*.feature) through the real `vigil scenario run`, against one
// real example stack (demo/stack: HAProxy, 3 members + 1 green, Nagios with active checks, Prometheus),
// with the actions of the stack's own vigil.yaml (demo/stack/control.ts over its control socket):
//   blue-green       — the gate holds the switch while green is not all green; with green all green the
//                      demo suite passes through the load balancer served by green; routed back after;
//   member-loss      — the seed's transitivity flip, once forcing re-checks and once waiting for Nagios'
//                      scheduled checks: both times to detect are printed as test diagnostics;
//   negative-control — a disabled check: the scenario must fail (exit 2) and name it, not pass.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { startStack, type Stack } from '../../demo/stack/index.ts';
import { browserYaml } from '../helpers/e2e-setup.ts';
import { stackSkip } from '../helpers/stack-processes.ts';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

interface Step {
  keyword: string;
  text: string;
  line: number;
  status: string;
  note?: string;
  message?: string;
  timeToDetectMs?: number;
  durationMs: number;
}
interface Result {
  scenario: string;
  status: string;
  steps: Step[];
  cleanup: Step[];
}

const execFileP = promisify(execFile);
const feature = (name: string) => join(repoRoot, 'scenarios', `${name}.feature`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('the shipped scenarios on the example stack (vigil scenario run)', { skip: stackSkip(), timeout: 240_000 }, () => {
  let stack: Stack;
  let config: string;
  let scheduledConfig: string;
  const env = () => ({ DEMO_ADMIN_TOKEN: stack.adminToken });

  /** `vigil scenario run FILE --json --junit <dir>/<name>.xml`: the exit code, the results, the JUnit file. */
  const run = async (name: string, configFile = config, file = feature(name)) => {
    const junit = join(stack.dir, `${name}.xml`);
    const r = await runVigil(['scenario', 'run', file, '--config', configFile, '--json', '--junit', junit], { env: env(), timeoutMs: 150_000 });
    let results: Result[] = [];
    try {
      results = (JSON.parse(r.stdout) as { scenarios: Result[] }).scenarios;
    } catch {
      assert.fail(`no JSON from vigil scenario run (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    }
    return { ...r, result: results[0], results, junit };
  };
  const statuses = (steps: Step[]) => steps.map((s) => `${s.keyword} ${s.status}`);
  const cleanups = (r: Result) => r.cleanup.map((s) => [s.text, s.status]);

  /** The model says `node` is all green transitively again (forcing re-checks): the previous scenario's undo is complete. */
  const allGreenAgain = async (node: string) => {
    const r = await runVigil(
      ['model', 'check', node, '--transitive', '--expect', 'all-green', '--within', '30s', '--interval', '250ms', '--recheck', '--config', config],
      { env: env() },
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
  };
  const liveBackend = async () => /live (\S+)/.exec(await stack.haproxy.runtime(`show map ${stack.haproxy.routesMap}`))?.[1];
  const lbStatus = async (member: string) => (await stack.haproxy.servers()).find((s) => s.server === member)?.status;
  const sessions = async () => new Map((await stack.haproxy.servers()).map((s) => [s.server, s.sessions]));
  const forcedRechecks = async (member: string) =>
    (await readFile(stack.nagios.log, 'utf8')).split('\n').filter((l) => l.includes(`EXTERNAL COMMAND: SCHEDULE_FORCED_`) && l.includes(`;${member};`)).length;

  before(async () => {
    stack = await startStack({ members: 3, green: 1 });
    const browser = browserYaml() || undefined;
    config = await stack.writeVigilYaml({ browser });
    scheduledConfig = await stack.writeVigilYaml({ browser, recheck: false, file: join(stack.dir, 'vigil-scheduled.yaml') });
  });
  after(async () => {
    await stack?.stop();
  });

  it('blue/green is gated on the model: with green-0 down the Given fails, the switch never runs (exit 2)', async () => {
    // Through the control CLI, as an action would: a refusal is exit 1 with the reason (so a mistyped
    // action fails its step); a kill returns once HAProxy has taken green-0 out.
    const refused = await execFileP(process.execPath, [join(repoRoot, 'demo/stack/control.ts'), stack.dir, 'kill', 'green-9']).catch(
      (err: { code: number; stderr: string }) => err,
    );
    assert.ok('code' in refused && refused.code === 1, JSON.stringify(refused));
    assert.match(refused.stderr, /name one member \(app-0, app-1, app-2, green-0\), got "green-9"/);
    const { stdout: control } = await execFileP(process.execPath, [join(repoRoot, 'demo/stack/control.ts'), stack.dir, 'kill', 'green-0']);
    assert.match(control, /^green-0 killed; HAProxy took it out after \d+\.\ds$/m);
    assert.equal(stack.green[0].pid, -1);
    const seen = await runVigil(
      ['model', 'check', 'green-0', '--expect', 'all-red', '--within', '30s', '--interval', '250ms', '--recheck', '--config', config],
      { env: env() },
    );
    assert.equal(seen.code, 0, seen.stdout + seen.stderr);

    const r = await run('blue-green');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.deepEqual(statuses(r.result.steps), ['Given failed', 'When skipped', 'And skipped', 'Then skipped', 'And skipped']);
    assert.match(r.result.steps[0].message!, /^green is not all green transitively \(\d+ checks in scope\) now; in the way:\n/);
    assert.match(r.result.steps[0].message!, /\n {2}green\/green-0: nagios:green-0 is DOWN/);
    assert.deepEqual(cleanups(r.result), [], 'nothing was switched, so there is nothing to switch back');
    assert.equal(await liveBackend(), 'app');

    await stack.restart('green-0');
    await allGreenAgain('green');
  });

  it('blue/green: green all green → the shop switches, the demo suite passes through the LB served by green; the undo routes back to blue', async () => {
    const before = await sessions();
    const r = await run('blue-green');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(statuses(r.result.steps), ['Given passed', 'When passed', 'And passed', 'Then passed', 'And passed']);
    assert.match(r.result.steps[2].note!, /^passed \(run \S+: \d+ passed, 0 failed\)$/);
    assert.deepEqual(cleanups(r.result), [['switch-back "shop" "green"', 'passed']]);
    assert.equal(await liveBackend(), 'app', 'the cleanup routed the shop back to blue');

    // The suite's traffic went to green: app members saw at most Nagios' own checks through the LB.
    const afterRun = await sessions();
    const served = (m: string) => afterRun.get(m)! - before.get(m)!;
    assert.ok(served('green-0') >= 20, `green-0 served the suite (${served('green-0')} sessions)`);
    for (const m of ['app-0', 'app-1', 'app-2'])
      assert.ok(served(m) < served('green-0') / 4, `${m} served ${served(m)} sessions, green-0 ${served('green-0')}`);

    const xml = await readFile(r.junit, 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    assert.equal(doc.testsuites.tests, '1');
    assert.equal(doc.testsuites.failures, '0');
    assert.equal(doc.testsuites.testsuite.testcase.name, 'the shop moves to green once green is all green');
  });

  it("member loss with forced re-checks: the seed's transitivity flip; time to detect recorded; the undo brings app-0 back", async (t) => {
    await allGreenAgain('shop');
    const oldPid = stack.members[0].pid;
    const forcedBefore = await forcedRechecks('app-0');
    const r = await run('member-loss');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(statuses(r.result.steps), ['Given passed', 'When passed', 'Then passed', 'When passed', 'Then passed']);
    const [, , member, suiteRun, service] = r.result.steps;
    assert.equal(member.text, 'within 2m the member "app-0" is all red');
    assert.ok(member.timeToDetectMs! > 0 && member.timeToDetectMs! < 60_000, `time to detect ${member.timeToDetectMs}`);
    assert.match(member.note!, /re-check forced for 3\)$/);
    // The service level rests on the suite run after the destroy, not on the one before it.
    assert.equal(service.text, 'within 2m the service "shop" is all green non-transitively');
    assert.ok(
      service.timeToDetectMs! >= suiteRun.durationMs,
      `the service level held ${service.timeToDetectMs} ms after the destroy, the suite took ${suiteRun.durationMs} ms`,
    );
    assert.ok((await forcedRechecks('app-0')) >= forcedBefore + 3, 'the forced re-checks reached Nagios');
    t.diagnostic(`member loss, forced re-checks: app-0 all red ${seconds(member.timeToDetectMs!)} after the destroy (HAProxy had it out)`);

    assert.deepEqual(cleanups(r.result), [['restore-member "app-0"', 'passed']]);
    assert.notEqual(stack.members[0].pid, -1, 'app-0 runs again');
    assert.notEqual(stack.members[0].pid, oldPid, 'as a new process');
    assert.equal(await lbStatus('app-0'), 'UP');
    assert.match(await readFile(r.junit, 'utf8'), /<testcase classname="[^"]*member-loss\.feature" name="one app member is destroyed"/);
  });

  it('member loss waiting for scheduled checks (scenarios.recheck: false): no re-check forced, time to detect recorded', async (t) => {
    await allGreenAgain('shop');
    const forcedBefore = await forcedRechecks('app-0');
    const r = await run('member-loss', scheduledConfig);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const member = r.result.steps[2];
    assert.equal(member.status, 'passed');
    assert.doesNotMatch(member.note!, /re-check forced/);
    assert.equal(await forcedRechecks('app-0'), forcedBefore, 'nothing was forced');
    assert.ok(member.timeToDetectMs! > 0 && member.timeToDetectMs! < 60_000, `time to detect ${member.timeToDetectMs}`);
    t.diagnostic(`member loss, scheduled checks (every 5 s): app-0 all red ${seconds(member.timeToDetectMs!)} after the destroy (HAProxy had it out)`);
    assert.deepEqual(cleanups(r.result), [['restore-member "app-0"', 'passed']]);
    assert.equal(await lbStatus('app-0'), 'UP');
  });

  it('a Then right after an action rests only on results taken after it: drained members are noticed, a restored member is not all red on old results (both fail, exit 2)', async () => {
    await allGreenAgain('shop');
    const noSuite = await stack.writeVigilYaml({ browser: browserYaml() || undefined, suite: false, file: join(stack.dir, 'vigil-no-suite.yaml') });
    const { stdout: killed } = await execFileP(process.execPath, [join(repoRoot, 'demo/stack/control.ts'), stack.dir, 'kill', 'app-0']);
    assert.match(killed, /app-0 killed/);
    const seen = await runVigil(
      ['model', 'check', 'app-0', '--expect', 'all-red', '--within', '30s', '--interval', '250ms', '--recheck', '--config', noSuite],
      { env: env() },
    );
    assert.equal(seen.code, 0, seen.stdout + seen.stderr);
    // The first scenario restores app-0 itself: its Then must not hold on the red results from before.
    const r = await run('since', noSuite, join(repoRoot, 'test/fixtures/scenarios/since.feature'));
    assert.equal(r.code, 2, r.stdout + r.stderr);
    const [restored, drained] = r.results;

    assert.deepEqual(statuses(drained.steps), ['Given passed', 'When passed', 'And passed', 'And passed', 'Then failed']);
    const then = drained.steps[4];
    assert.match(
      then.message!,
      /^shop is not all green non-transitively \(3 checks in scope\) by the deadline \(20\.0s, \d+ polls, re-check forced for 2\); in the way:/,
    );
    assert.match(then.message!, /\n {2}shop: nagios:lb!HTTP is CRITICAL, fresh — HTTP CRITICAL/);
    assert.match(
      then.message!,
      /\n {2}shop: prometheus:haproxy_backend_active_servers\{proxy="app"\} >= 2 is 0 \(CRITICAL\), fresh — 1 of 1 series not >= 2: haproxy_backend_active_servers\{[^}]*\} = 0\n/,
    );
    assert.deepEqual(cleanups(drained), [
      ['ready-member "app-2"', 'passed'],
      ['ready-member "app-1"', 'passed'],
      ['ready-member "app-0"', 'passed'],
    ]);

    assert.deepEqual(statuses(restored.steps), ['Given passed', 'When passed', 'Then failed']);
    assert.match(
      restored.steps[2].message!,
      /^shop\/app-0 is not all red non-transitively \(3 checks in scope\) by the deadline \(15\.0s, \d+ polls, re-check forced for 3\); in the way:/,
    );
    assert.match(restored.steps[2].message!, /\n {2}shop\/app-0: nagios:app-0!HTTP is OK, fresh/);
    assert.equal(await lbStatus('app-0'), 'UP');
    await allGreenAgain('shop');
  });

  it('negative control: with its HTTP check disabled, app-0 never turns all red — the scenario fails (exit 2) naming the disabled check; the undos enable it and restore app-0', async () => {
    const r = await run('negative-control');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.equal(r.result.status, 'failed');
    assert.deepEqual(statuses(r.result.steps), ['Given passed', 'When passed', 'And passed', 'Then failed']);
    const then = r.result.steps[3];
    assert.match(then.message!, /^shop\/app-0 is not all red non-transitively \(3 checks in scope\) by the deadline \(15\.0s, /);
    // Only the disabled check stands in the way: the host and LB checks did turn red.
    const blockers = then.message!.split('\n').filter((l) => /^ {2}shop\/app-0: /.test(l));
    assert.equal(blockers.length, 1, then.message);
    assert.match(blockers[0], /nagios:app-0!HTTP is \w+, disabled: active checks of this service were disabled at run time \(DISABLE_SVC_CHECK/);

    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(await readFile(r.junit, 'utf8'));
    assert.equal(doc.testsuites.failures, '1');
    assert.match(
      doc.testsuites.testsuite.testcase.failure.message,
      /negative-control\.feature:19: Then within 15s the member "app-0" is all red: shop\/app-0 is not all red/,
    );
    assert.match(doc.testsuites.testsuite.testcase.failure['#text'], /nagios:app-0!HTTP is \w+, disabled/);

    // Undos, newest first: the member back, then the check enabled — app-0 can be all green again.
    assert.deepEqual(cleanups(r.result), [
      ['restore-member "app-0"', 'passed'],
      ['enable-check "app-0" "HTTP"', 'passed'],
    ]);
    assert.equal(await lbStatus('app-0'), 'UP');
    await allGreenAgain('app-0');
    const log = await readFile(stack.nagios.log, 'utf8');
    assert.ok(log.includes('EXTERNAL COMMAND: DISABLE_SVC_CHECK;app-0;HTTP'), 'the check was disabled through the command file');
    assert.ok(log.includes('EXTERNAL COMMAND: ENABLE_SVC_CHECK;app-0;HTTP'), 'and enabled again');
  });
});
