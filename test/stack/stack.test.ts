// The example stack (demo/stack) as a whole: the parts are real and wired together, the runtime API
// changes what the monitoring sees, and stop() leaves nothing running.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { promQuery, startStack, type Stack } from '../../demo/stack/index.ts';
import { processesOf, stackSkip } from '../helpers/stack-processes.ts';
import { runVigil } from '../helpers/vigil-cli.ts';

/** Polls `probe` until it returns a truthy value; fails with the last value seen after `timeoutMs`. */
async function eventually<T>(what: string, probe: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe().catch(() => undefined);
    if (last) return last;
    if (Date.now() > until) assert.fail(`${what} did not happen within ${timeoutMs / 1000}s; last seen: ${JSON.stringify(last)}`);
    await sleep(200);
  }
}

describe('the example stack (demo/stack)', { skip: stackSkip(), timeout: 150_000 }, () => {
  let stack: Stack;
  let config: string;
  const model = (...args: string[]) => runVigil(['model', ...args, '--config', config], { timeoutMs: 60_000 });
  const nagiosState = async (host: string, service?: string) => (await stack.nagios.status()).find((e) => e.host === host && e.service === service);

  before(async () => {
    stack = await startStack({ members: 3, green: 1 });
    // Without the suite's check: this file looks at the infrastructure only (member-loss runs the suite).
    config = join(stack.dir, 'vigil-infra.yaml');
    await writeFile(config, `store: ${join(stack.dir, 'vigil.db')}\n${stack.modelYaml({ suite: false })}`);
  });
  after(async () => {
    await stack?.stop();
  });

  it('serves the demo app through HAProxy, every member UP in its backend', async () => {
    assert.equal(await (await fetch(`${stack.lbUrl}/healthz`)).text(), 'ok');
    assert.deepEqual(
      (await stack.haproxy.servers()).map((s) => `${s.backend}/${s.server} ${s.status}`),
      ['app/app-0 UP', 'app/app-1 UP', 'app/app-2 UP', 'green/green-0 UP'],
    );
    for (const m of [...stack.members, ...stack.green]) assert.ok(existsSync(`/proc/${m.pid}`), `${m.name} runs as pid ${m.pid}`);
  });

  it('shares tenants and sessions between members: a tenant made through the LB signs in on every member', async () => {
    const created = await fetch(`${stack.lbUrl}/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stack-shared' }),
    });
    assert.equal(created.status, 201);
    const { owner } = (await created.json()) as { owner: { email: string; password: string } };
    const login = await fetch(`${stack.members[0].url}/login`, {
      method: 'POST',
      body: new URLSearchParams(owner),
      redirect: 'manual',
    });
    assert.equal(login.headers.get('location'), '/notes', 'app-0 knows the tenant created through the LB');
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    // A session opened on app-0 is valid on the others: no stickiness needed at the load balancer.
    for (const m of stack.members.slice(1)) {
      const notes = await fetch(`${m.url}/notes`, { headers: { cookie }, redirect: 'manual' });
      assert.equal(notes.status, 200, `${m.name} accepts app-0's session`);
    }
  });

  it('Nagios checks every member and the load balancer actively, again and again', async () => {
    const first = await nagiosState('lb', 'HTTP');
    assert.ok(first?.checked && first.state === 0, `lb!HTTP: ${JSON.stringify(first)}`);
    assert.match(first.output, /^HTTP OK/);
    // Active checks every 5 s: a newer result arrives without anyone sending one.
    await eventually('a newer lb!HTTP result', async () => ((await nagiosState('lb', 'HTTP'))?.lastCheck ?? 0) > first.lastCheck, 15_000);
    const r = await model('check', 'shop', '--transitive', '--expect', 'all-green', '--within', '20s', '--interval', '500ms');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /shop is all green transitively \(12 checks in scope\)/);
  });

  it("Prometheus scrapes HAProxy's exporter: every server UP", async () => {
    const up = await promQuery(stack.prometheusUrl, 'haproxy_server_status{state="UP"} == 1');
    assert.deepEqual(up.map((s) => s.metric.server).sort(), ['app-0', 'app-1', 'app-2', 'green-0']);
  });

  it("the runtime API takes app-0 out of the backend: Nagios's LB check and Prometheus notice; back in, both see it", async () => {
    assert.equal((await stack.haproxy.runtime('set server app/app-0 state maint')).trim(), '');
    assert.equal((await stack.haproxy.servers()).find((s) => s.server === 'app-0')?.status, 'MAINT');

    await eventually(
      'Prometheus seeing app-0 in MAINT',
      async () => (await promQuery(stack.prometheusUrl, 'haproxy_server_status{proxy="app",server="app-0",state="MAINT"} == 1')).length === 1,
    );
    assert.deepEqual(
      (await promQuery(stack.prometheusUrl, 'haproxy_backend_active_servers{proxy="app"}')).map((s) => s.value),
      [2],
    );

    await eventually('Nagios app-0!LB CRITICAL', async () => (await nagiosState('app-0', 'LB'))?.state === 2);
    // The member itself still answers: only its place in the load balancer is gone.
    const r = await model('check', 'app-0', '--expect', 'all-green', '--within', '1s');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /shop\/app-0: nagios:app-0!LB is CRITICAL, fresh — HTTP CRITICAL.*pattern not found/);
    assert.doesNotMatch(r.stdout, /nagios:app-0!HTTP is/);

    // One member out is within the service's design (Prometheus: at least 2 in service); two are not.
    const one = await model('check', 'shop', '--expect', 'all-green', '--within', '1s');
    assert.equal(one.code, 0, one.stdout + one.stderr);
    await stack.haproxy.runtime('set server app/app-1 state maint');
    await eventually(
      'Prometheus seeing 1 active server',
      async () => (await promQuery(stack.prometheusUrl, 'haproxy_backend_active_servers{proxy="app"} == 1')).length === 1,
    );
    const notGreen = await model('check', 'shop', '--expect', 'all-green', '--within', '1s');
    assert.equal(notGreen.code, 2, notGreen.stdout + notGreen.stderr);
    assert.match(notGreen.stdout, /\n {2}shop: prometheus:haproxy_backend_active_servers\{proxy="app"\} >= 2 is 1 \(CRITICAL\), fresh — /);
    const two = await model('check', 'shop', '--expect', 'all-red', '--within', '1s');
    assert.equal(two.code, 2, 'the load balancer itself still answers: shop is not all red either');
    await stack.haproxy.runtime('set server app/app-1 state ready');

    assert.equal((await stack.haproxy.runtime('set server app/app-0 state ready')).trim(), '');
    const back = await model('check', 'app-0', '--expect', 'all-green', '--within', '20s', '--interval', '500ms', '--recheck');
    assert.equal(back.code, 0, back.stdout + back.stderr);
    await eventually(
      'Prometheus seeing 3 active servers again',
      async () => (await promQuery(stack.prometheusUrl, 'haproxy_backend_active_servers{proxy="app"} == 3')).length === 1,
    );
  });

  it('switches the live backend blue → green and back through the runtime API (set map)', async () => {
    const sessions = async () => new Map((await stack.haproxy.servers()).map((s) => [s.server, s.sessions]));
    const requests = async () => {
      for (let i = 0; i < 6; i++) assert.equal((await fetch(`${stack.lbUrl}/healthz`)).status, 200);
    };
    const before = await sessions();
    assert.equal((await stack.haproxy.runtime(`set map ${stack.haproxy.routesMap} live green`)).trim(), '');
    await requests();
    const afterSwitch = await sessions();
    assert.equal(afterSwitch.get('green-0')! - before.get('green-0')!, 6, 'every request went to green');
    for (const m of ['app-0', 'app-1', 'app-2']) assert.equal(afterSwitch.get(m), before.get(m), `${m} got none`);

    await stack.haproxy.runtime(`set map ${stack.haproxy.routesMap} live app`);
    await requests();
    const back = await sessions();
    assert.equal(back.get('green-0'), afterSwitch.get('green-0'), 'green gets none after switching back');
  });

  it('stop() ends every process of the stack (checked in /proc) and removes its temp dir', async () => {
    const groups = stack.processGroups();
    const running = await processesOf(groups, stack.dir);
    // members, green-0, haproxy, nagios (and its workers), prometheus
    assert.ok(running.length >= 7, `the stack's processes before stop: ${JSON.stringify(running)}`);
    // Nagios' check workers lead groups of their own; they are found by the query socket in their command line.
    assert.ok(
      running.some((p) => p.command.includes('--worker')),
      `Nagios workers among ${JSON.stringify(running)}`,
    );
    await stack.stop();
    assert.deepEqual(await processesOf(groups, stack.dir), []);
    assert.equal(existsSync(stack.dir), false);
  });
});
