// The seed's scenario (000) on the real example stack, asked through the real `vigil` CLI:
//   Given the service is all green transitively (the demo suite passed through the load balancer)
//   When a member is destroyed (SIGKILL to its process group)
//   Then the service is all green non-transitively, and the member all red — the transitivity flip.
// Once waiting for Nagios' scheduled checks (every 5 s), once forcing re-checks through the command
// file (--recheck); both times to detect are printed as test diagnostics.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import { startStack, type Stack } from '../../demo/stack/index.ts';
import { browserYaml } from '../helpers/e2e-setup.ts';
import { stackSkip } from '../helpers/stack-processes.ts';
import { runVigil } from '../helpers/vigil-cli.ts';

describe('member loss on the example stack, through `vigil model check`', { skip: stackSkip(), timeout: 180_000 }, () => {
  let stack: Stack;
  let config: string;
  const vigil = (...args: string[]) => runVigil([...args, '--config', config], { env: { DEMO_ADMIN_TOKEN: stack.adminToken }, timeoutMs: 150_000 });
  const check = (node: string, ...args: string[]) => vigil('model', 'check', node, '--interval', '250ms', ...args);

  /** Waits until HAProxy's own health checks have `member` in `status` (the load balancer noticed). */
  const lbSees = async (member: string, status: string) => {
    const until = Date.now() + 10_000;
    while ((await stack.haproxy.servers()).find((s) => s.server === member)?.status !== status) {
      if (Date.now() > until) assert.fail(`HAProxy did not see ${member} ${status} within 10s`);
      await sleep(100);
    }
  };

  /**
   * Kills app-0 and asks until it is all red; returns the time from the kill to the answer. The check
   * starts once HAProxy has taken app-0 out: app-0's LB check reads HAProxy's view, so a re-check
   * forced before that would only read the old state again.
   */
  const destroyAndDetect = async (t: TestContext, recheck: boolean) => {
    await stack.kill('app-0');
    const killedAt = Date.now();
    await lbSees('app-0', 'DOWN');
    const startedAt = Date.now();
    const red = await check('app-0', '--expect', 'all-red', '--within', '30s', ...(recheck ? ['--recheck'] : []));
    assert.equal(red.code, 0, red.stdout + red.stderr);
    assert.match(red.stdout, /^shop\/app-0 is all red non-transitively \(3 checks in scope\) after (\d+\.\d)s/);
    const elapsed = Number(/after (\d+\.\d)s/.exec(red.stdout)![1]) * 1000;
    const detectMs = startedAt - killedAt + elapsed;
    t.diagnostic(
      `time to detect app-0 lost ${recheck ? 'with forced re-checks' : 'from scheduled checks (every 5 s)'}: ${(detectMs / 1000).toFixed(1)} s after the kill (HAProxy saw it after ${((startedAt - killedAt) / 1000).toFixed(1)} s)`,
    );
    return { red, detectMs };
  };

  before(async () => {
    stack = await startStack({ members: 3 });
    config = await stack.writeVigilYaml({ browser: browserYaml() || undefined });
  });
  after(async () => {
    await stack?.stop();
  });

  it('the demo suite passes through the load balancer, every member serving (vigil run)', async () => {
    const before = new Map((await stack.haproxy.servers()).map((s) => [s.server, s.sessions]));
    const r = await vigil('run', '--suite', 'demo', '--environment', 'stack');
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr.slice(-3000)}`);
    assert.match(r.stdout, /^PASSED demo@stack: \d+ passed, 0 failed/);
    for (const s of await stack.haproxy.servers()) assert.ok(s.sessions > before.get(s.server)!, `${s.server} served part of the suite`);
  });

  it('Given shop is all green transitively (its own checks, the suite and every member)', async () => {
    const r = await check('shop', '--transitive', '--expect', 'all-green', '--within', '20s');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^shop is all green transitively \(13 checks in scope\)/);
  });

  it('When app-0 is destroyed, Nagios turns it all red; shop stays all green non-transitively, not transitively', async (t) => {
    await destroyAndDetect(t, false);
    const service = await check('shop', '--expect', 'all-green', '--within', '10s');
    assert.equal(service.code, 0, service.stdout + service.stderr);
    assert.match(service.stdout, /^shop is all green non-transitively \(4 checks in scope\)/);

    const everything = await check('shop', '--transitive', '--expect', 'all-green', '--within', '1s');
    assert.equal(everything.code, 2, everything.stdout + everything.stderr);
    const inTheWay = everything.stdout.split('\n').filter((l) => l.startsWith('  '));
    assert.deepEqual(
      inTheWay.map((l) => /^ {2}(\S+): (\S+) is/.exec(l)?.slice(1).join(' ')),
      ['shop/app-0 nagios:app-0', 'shop/app-0 nagios:app-0!HTTP', 'shop/app-0 nagios:app-0!LB'],
    );
    assert.match(inTheWay[1], /CRITICAL, fresh — connect to address 127\.0\.0\.1 and port \d+: Connection refused/);
  });

  it('after restart, shop is all green transitively again', async (t) => {
    await stack.restart('app-0');
    const startedAt = Date.now();
    const r = await check('shop', '--transitive', '--expect', 'all-green', '--within', '30s');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    t.diagnostic(`app-0 back in the model ${((Date.now() - startedAt) / 1000).toFixed(1)} s after its restart (scheduled checks)`);
  });

  it('with --recheck, the forced checks go through Nagios and app-0 turns all red again; restart brings it back', async (t) => {
    const { red } = await destroyAndDetect(t, true);
    // The CLI says so (its wording belongs to the model command: only the count is pinned here).
    assert.match(red.stdout, /re-check was forced for 3 /);
    const log = await readFile(stack.nagios.log, 'utf8');
    for (const line of ['SCHEDULE_FORCED_HOST_CHECK;app-0;', 'SCHEDULE_FORCED_SVC_CHECK;app-0;HTTP;', 'SCHEDULE_FORCED_SVC_CHECK;app-0;LB;']) {
      assert.ok(log.includes(`EXTERNAL COMMAND: ${line}`), `nagios.log shows ${line}`);
    }

    await stack.restart('app-0');
    await lbSees('app-0', 'UP');
    const back = await check('app-0', '--expect', 'all-green', '--within', '30s', '--recheck');
    assert.equal(back.code, 0, back.stdout + back.stderr);
    t.diagnostic(`app-0 back: ${/after \S+/.exec(back.stdout)?.[0]} with forced re-checks`);
  });
});
