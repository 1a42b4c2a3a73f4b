// Monitoring coverage on the example stack (issue 19): "can we trust the system to monitor the right
// things as servers are rebuilt dynamically?" — the real HAProxy's backend, read through its runtime
// API, against the members the real Nagios checks, through the real `vigil model coverage` CLI.
// A server added to HAProxy at run time but not to Nagios is named; so is a member deleted from the
// backend while Nagios still checks it, and one whose checks were all switched off.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { nagiosCommand, startStack, type Stack } from '../../demo/stack/index.ts';
import { stackSkip } from '../helpers/stack-processes.ts';
import { runVigil, type CliResult } from '../helpers/vigil-cli.ts';

describe('vigil model coverage on the example stack', { skip: stackSkip(), timeout: 150_000 }, () => {
  let stack: Stack;
  let config: string;
  const coverage = (node: string, ...args: string[]) => runVigil(['model', 'coverage', node, '--config', config, ...args], { timeoutMs: 60_000 });
  const show = (t: TestContext, r: CliResult) => t.diagnostic(`exit ${r.code}\n${r.stdout}${r.stderr}`);

  /** Asks until `done` holds for the answer (status.dat is rewritten every second), or fails with the last one. */
  const coverageUntil = async (done: (r: CliResult) => boolean, what: string) => {
    const until = Date.now() + 20_000;
    for (;;) {
      const r = await coverage('shop');
      if (done(r)) return r;
      if (Date.now() > until) assert.fail(`${what} within 20s; last answer: exit ${r.code}\n${r.stdout}${r.stderr}`);
      await sleep(500);
    }
  };

  before(async () => {
    stack = await startStack({ members: 3 });
    config = join(stack.dir, 'vigil-coverage.yaml');
    await writeFile(config, `store: ${join(stack.dir, 'vigil.db')}\n${stack.modelYaml({ suite: false })}`);
  });
  after(async () => {
    await stack?.stop();
  });

  it('covered: the three servers of backend app are the three members Nagios checks (exit 0)', async (t) => {
    const r = await coverage('shop');
    show(t, r);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^shop: covered — all 3 in HAProxy backend app \(runtime API .*haproxy\.sock\) are monitored/);
    assert.match(r.stdout, /^covered \(3\): app-0 \(UP\), app-1 \(UP\), app-2 \(UP\)$/m);
  });

  it('names a server added to HAProxy at run time but not to Nagios as unmonitored (exit 2)', async (t) => {
    // A rebuilt machine joins the pool: a dynamic server (HAProxy ≥ 2.4), health-checked and enabled,
    // here in front of app-0's process. Nobody told Nagios.
    const port = stack.members[0].port;
    assert.match(await stack.haproxy.runtime(`add server app/app-9 127.0.0.1:${port} check`), /New server registered/);
    await stack.haproxy.runtime('enable health app/app-9');
    await stack.haproxy.runtime('enable server app/app-9');
    const r = await coverageUntil((a) => a.stdout.includes('app-9: in the pool (UP)'), 'app-9 UP in the pool');
    show(t, r);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /^shop: not covered — 1 gap between HAProxy backend app .* \(4 in it\) and the monitoring \(3 monitored\):$/m);
    assert.match(r.stdout, /^ {2}unmonitored {2}app-9: in the pool \(UP\), but shop has no member app-9 in the monitoring$/m);
    const json = await coverage('shop', '--json');
    assert.equal(json.code, 2);
    const answer = JSON.parse(json.stdout) as { answer: string; gaps: Array<{ kind: string; member: string; poolState: string }> };
    assert.equal(answer.answer, 'gaps');
    assert.deepEqual(
      answer.gaps.map((g) => `${g.kind} ${g.member} ${g.poolState}`),
      ['unmonitored app-9 UP'],
    );
  });

  it('names a member deleted from the backend that Nagios still checks, and one whose checks are all disabled', async (t) => {
    await stack.haproxy.runtime('set server app/app-2 state maint');
    assert.match(await stack.haproxy.runtime('del server app/app-2'), /Server deleted/);
    for (const line of ['DISABLE_HOST_CHECK;app-1', 'DISABLE_SVC_CHECK;app-1;HTTP', 'DISABLE_SVC_CHECK;app-1;LB']) {
      await nagiosCommand(stack.nagios.commandFile, line);
    }
    const r = await coverageUntil((a) => /^ {2}disabled/m.test(a.stdout), 'app-1 all disabled');
    show(t, r);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.deepEqual(
      r.stdout.split('\n').filter((l) => l.startsWith('  ')),
      [
        '  unmonitored  app-9: in the pool (UP), but shop has no member app-9 in the monitoring',
        '  not-in-pool  app-2: monitored (3 checks), but not in the pool',
        '  disabled     app-1: in the pool (UP), but every check of it is disabled: nagios:app-1, nagios:app-1!HTTP, nagios:app-1!LB',
      ],
    );
  });

  it('cannot ask (exit 3) when the pool cannot be read, naming it; a node without pool: is refused', async () => {
    const bad = join(stack.dir, 'vigil-coverage-bad.yaml');
    await writeFile(bad, `store: ${join(stack.dir, 'vigil.db')}\n${stack.modelYaml({ suite: false }).replace(/backend: app \}/, 'backend: blue }')}`);
    const r = await runVigil(['model', 'coverage', 'shop', '--config', bad], { timeoutMs: 60_000 });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^shop: cannot tell whether the monitoring covers the pool \(HAProxy backend blue .*\):\n {2}pool: .*: HAProxy has no backend "blue"$/m,
    );
    const member = await coverage('app-0');
    assert.equal(member.code, 3);
    assert.match(member.stderr, /node shop\/app-0 has no `pool:`.*\(nodes with one: shop\)/);
  });
});
