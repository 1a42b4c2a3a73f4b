// The negative control and a member loss nobody notices, on a schedule inside a real `vigil serve`,
// their passive services read back from the example stack's real Nagios: the negative control is OK
// "failed as designed", naming the disabled check; the same scenario without @expected-to-fail (a
// member loss made unnoticeable by switching its check off) is CRITICAL. The undos leave app-0 up and
// its check enabled after serve stops.
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from '../../demo/stack/index.ts';
import { browserYaml } from '../helpers/e2e-setup.ts';
import { stackSkip } from '../helpers/stack-processes.ts';
import { writeUnnoticedLoss } from '../helpers/scenario-files.ts';
import { repoRoot, runVigil, spawnVigil } from '../helpers/vigil-cli.ts';
import { eventually } from '../service/serve-harness.ts';

const TOKEN = 'spec-api-token-7f3a';

describe('scheduled negative control and an unnoticed member loss (real Nagios)', { skip: stackSkip(), timeout: 400_000 }, () => {
  let stack: Stack;
  let serve: ReturnType<typeof spawnVigil>;
  let log = '';
  let config: string;
  const passive = (service: string) => async () => (await stack.nagios.status()).find((e) => e.host === 'vigil' && e.service === service && e.checked);

  before(async () => {
    stack = await startStack({ members: 3, passive: ['scenario-negative-control', 'scenario-unnoticed-loss'] });
    config = await stack.writeVigilYaml({ browser: browserYaml() || undefined, suite: false });
    await writeUnnoticedLoss(stack.dir);
    await appendFile(
      config,
      `  schedule:
    negative-control:
      file: ${join(repoRoot, 'scenarios', 'negative-control.feature')}
      schedule: "*/3 * * * * *"
      destructive: true
      environments: [stack]
      nagios: { host: vigil, service: scenario-negative-control }
    unnoticed-loss:
      file: unnoticed-loss.feature
      schedule: "*/3 * * * * *"
      destructive: true
      environments: [stack]
      nagios: { host: vigil, service: scenario-unnoticed-loss }
    held:
      file: ${join(repoRoot, 'scenarios', 'member-loss.feature')}
      schedule: "*/3 * * * * *"
      destructive: true
      environments: [stack]
maintenance:
  - suite: "scenario:held"
    environment: stack
    schedule: "* * * * *"
    duration: 24h
    reason: held by the spec
api:
  token: \${VIGIL_API_TOKEN}
exporters:
  nagios:
    commandFile: ${stack.nagios.commandFile}
`,
    );
    serve = spawnVigil(['serve', '--config', config, '--listen', '127.0.0.1:0', '--grace', '60s'], {
      env: { DEMO_ADMIN_TOKEN: stack.adminToken, VIGIL_API_TOKEN: TOKEN, VIGIL_LOG_FORMAT: 'json' },
    });
    serve.stderr!.on('data', (d: Buffer | string) => (log += d.toString()));
    serve.stdout!.on('data', (d: Buffer | string) => (log += d.toString()));
  });
  after(async () => {
    if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    await stack?.stop();
  });

  it('the negative control is OK "failed as designed" naming the disabled check; the unnoticed loss is CRITICAL', async (t) => {
    const control = await eventually(passive('scenario-negative-control'), "the negative control's passive result", 240_000, 1_000).catch((err: Error) => {
      throw new Error(`${err.message}; serve's log:\n${log.slice(-3000)}`);
    });
    assert.equal(control.state, 0, control.output);
    assert.match(
      control.output,
      /^OK - negative-control: app-0 is destroyed while its HTTP check is disabled: failed as designed \(@expected-to-fail\): Then within 15s the member "app-0" is all red/,
    );
    assert.match(control.output, /nagios:app-0!HTTP.*disabled/);
    const unnoticed = await eventually(
      passive('scenario-unnoticed-loss'),
      `the unnoticed loss's passive result (serve's log:\n${log.slice(-2000)})`,
      240_000,
      1_000,
    );
    assert.equal(unnoticed.state, 2, unnoticed.output);
    assert.match(
      unnoticed.output,
      /^CRITICAL - unnoticed-loss: app-0 is destroyed while its HTTP check is disabled: the monitoring did not notice: Then within 15s/,
    );
    t.diagnostic(control.output);
    t.diagnostic(unnoticed.output);

    // The third entry is under a maintenance window all along: each fire is skipped as paused, never run,
    // and never took the one-at-a-time place from the other two.
    const held = log.split('\n').filter((l) => l.includes('"schedule":"held"'));
    assert.ok(
      held.some((l) => l.includes('scheduled scenario fire skipped: paused') && l.includes('held by the spec')),
      log.slice(-3000),
    );
    assert.ok(!held.some((l) => l.includes('scheduled scenario: started')), 'a held entry never starts');
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log)?.[1];
    assert.ok(url, `serve's URL in its log:\n${log.slice(0, 3000)}`);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /vigil_scenario_fires_skipped_total\{schedule="held",reason="paused"\} [1-9]/);

    // A pause by hand of one scheduled scenario (scenario:<name>): its fires are skipped, its passive
    // service says "paused", GET /api/pauses lists it; a scenario that is not scheduled is refused, named.
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    // Fired by hand while its window holds it, the held entry is refused with the same words by the
    // API (423), by `vigil gate --scenario` through serve, and by the same gate run here (UNKNOWN, 3).
    const manual = await api('POST', '/api/scenarios/schedule/held/run');
    assert.equal(manual.status, 423, await manual.clone().text());
    const refusal = String(((await manual.json()) as { error: string }).error);
    const words = (text: string) => text.replace(/until \S+ \(/, 'until … (');
    assert.match(
      refusal,
      /^held is held on stack until \S+ \(scenario:held: held by the spec\): no fire starts during a pause or maintenance window, not even by hand — resume it first$/,
    );
    const gateEnv = { DEMO_ADMIN_TOKEN: stack.adminToken, VIGIL_API_TOKEN: TOKEN };
    const remote = await runVigil(['gate', '-e', 'stack', '--server', url, '--scenario', 'held'], { env: gateEnv, timeoutMs: 60_000 });
    assert.equal(remote.code, 3, remote.stdout + remote.stderr);
    assert.ok(words(remote.stdout).includes(`answered 423: ${words(refusal)}`), remote.stdout);
    const here = await runVigil(['gate', '-e', 'stack', '--config', config, '--scenario', 'held'], { env: gateEnv, timeoutMs: 60_000 });
    assert.equal(here.code, 3, here.stdout + here.stderr);
    assert.ok(words(here.stdout).includes(`SCENARIO held: UNKNOWN - ${words(refusal)}\n`), here.stdout);
    assert.doesNotMatch(here.stderr, /✓|cleanup/, 'nothing of the held entry ran here');
    const refused = await api('POST', '/api/pauses', { suite: 'scenario:nope', environment: 'stack', for: '1h' });
    assert.equal(refused.status, 404, await refused.clone().text());
    assert.match(await refused.text(), /no scheduled scenario \\"nope\\" \(scenarios\.schedule: negative-control, unnoticed-loss, held\)/);
    const paused = await api('POST', '/api/pauses', { suite: 'scenario:unnoticed-loss', environment: 'stack', for: '1h', reason: 'by hand in the spec' });
    assert.equal(paused.status, 201, await paused.clone().text());
    const pausedAt = log.length;
    const skippedByHand = () =>
      log
        .slice(pausedAt)
        .split('\n')
        .some((l) => l.includes('"schedule":"unnoticed-loss"') && l.includes('fire skipped: paused') && l.includes('by hand in the spec'));
    await eventually(async () => skippedByHand() || undefined, `a fire of unnoticed-loss skipped as paused (log:\n${log.slice(-2000)})`, 30_000, 500);
    const notice = await eventually(
      async () => {
        const e = await passive('scenario-unnoticed-loss')();
        return e && /paused until/.test(e.output) ? e : undefined;
      },
      'the paused result of scenario-unnoticed-loss in Nagios',
      60_000,
      1_000,
    );
    assert.match(notice.output, /^OK - unnoticed-loss: paused until \S+ \(by hand in the spec\)/);
    const listed = (await (await api('GET', '/api/pauses')).json()) as { pauses: Array<{ suite: string; environment: string }> };
    assert.ok(
      listed.pauses.some((p) => p.suite === 'scenario:unnoticed-loss' && p.environment === 'stack'),
      JSON.stringify(listed),
    );
    const resumed = await api('DELETE', `/api/pauses/${encodeURIComponent('scenario:unnoticed-loss')}/stack`);
    assert.equal(resumed.status, 200, await resumed.text());

    serve.kill('SIGTERM');
    const exit = await serve.done;
    assert.equal(exit.code, 0, log.slice(-3000));
    assert.equal((await stack.haproxy.servers()).find((s) => s.server === 'app-0')?.status, 'UP', 'app-0 restored by the undo');
    const http = await eventually(
      async () => (await stack.nagios.status()).find((e) => e.host === 'app-0' && e.service === 'HTTP'),
      'app-0!HTTP in status.dat',
    );
    assert.ok(http.checked);
  });
});
