// The Nagios source against a real Nagios 4: results, host groups and switches go in through its
// command file, exactly as an operator's tools would; the model reads status.dat and objects.cache.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluateModel, forceNagiosRechecks, parseModel, readNagiosStatus, takeSnapshot, type Model } from '../../src/model/index.ts';
import { nagiosAvailable } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { startModelNagios, type ModelNagios } from '../helpers/nagios-model-server.ts';

const checked = (host: string, service: string) => (s: { services: Array<Record<string, string>> }) =>
  s.services.some((b) => b.host_name === host && b.service_description === service && b.has_been_checked === '1');

describe('Nagios source → real Nagios 4', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 90_000 }, () => {
  let nagios: ModelNagios;
  let model: Model;
  const evaluate = async (m = model) => evaluateModel(m, await takeSnapshot(m));
  const check = async (id: string, m = model) => {
    const walk = (nodes: Awaited<ReturnType<typeof evaluate>>): ReturnType<typeof evaluateModel>[number]['checks'] =>
      nodes.flatMap((n) => [...n.checks, ...walk(n.members)]);
    const found = walk(await evaluate(m)).find((c) => c.id === id);
    assert.ok(found, `no check ${id}`);
    return found;
  };

  before(async () => {
    nagios = await startModelNagios({
      hosts: [
        { name: 'shop-lb' },
        { name: 'app-0', groups: ['shop-app'] },
        { name: 'app-1', groups: ['shop-app'] },
        { name: 'app-2', groups: ['shop-app'], active: true },
        { name: 'db-0' },
      ],
      services: [
        { host: 'shop-lb', service: 'HTTP' },
        { host: 'app-0', service: 'HTTP' },
        { host: 'app-1', service: 'HTTP' },
        { host: 'app-2', service: 'HTTP', active: true },
        { host: 'app-2', service: 'DISK', active: true },
        { host: 'db-0', service: 'PGSQL' },
      ],
    });
    model = parseModel({
      sources: { nagios: { statusFile: nagios.statusFile, commandFile: nagios.commandFile } },
      nodes: [
        {
          name: 'shop',
          checks: [{ nagios: { host: 'shop-lb', service: 'HTTP' } }],
          members: { discover: { source: 'nagios', hostgroup: 'shop-app', checks: ['HTTP'] }, min: 3 },
        },
        { name: 'db', checks: [{ nagios: { host: 'db-0', service: 'PGSQL' } }, { nagios: { host: 'db-9' } }, { nagios: { host: 'db-0', service: 'MYSQL' } }] },
      ],
    });
  });
  after(async () => {
    await nagios?.stop();
  });

  it('before any result a service is pending, not OK (status.dat says current_state=0, has_been_checked=0)', async () => {
    const raw = await nagios.service('shop-lb', 'HTTP');
    assert.equal(raw?.current_state, '0');
    assert.equal(raw?.has_been_checked, '0');
    const c = await check('nagios:shop-lb!HTTP');
    assert.deepEqual([c.reason, c.state, c.raw, c.green], ['pending', 'UNKNOWN', 'PENDING', false]);
  });

  it('passive results become fresh states: OK is green, CRITICAL and DOWN are red, with the plugin output', async () => {
    await nagios.command(
      'PROCESS_SERVICE_CHECK_RESULT;shop-lb;HTTP;0;HTTP OK: 200 in 0.01s',
      'PROCESS_SERVICE_CHECK_RESULT;app-0;HTTP;2;CRITICAL - connection refused',
      'PROCESS_HOST_CHECK_RESULT;app-0;1;PING CRITICAL - 100% loss',
      'PROCESS_HOST_CHECK_RESULT;app-1;2;unreachable behind sw-1',
    );
    await nagios.waitForStatus(
      (s) => checked('shop-lb', 'HTTP')(s) && checked('app-0', 'HTTP')(s) && s.hosts.some((h) => h.host_name === 'app-1' && h.has_been_checked === '1'),
    );
    const lb = await check('nagios:shop-lb!HTTP');
    assert.deepEqual([lb.reason, lb.state, lb.green, lb.output], ['fresh', 'OK', true, 'HTTP OK: 200 in 0.01s']);
    assert.ok(Math.abs(Date.parse(lb.lastCheck!) - Date.now()) < 10_000);
    const http = await check('nagios:app-0!HTTP');
    assert.deepEqual([http.state, http.red], ['CRITICAL', true]);
    const host = await check('nagios:app-0');
    assert.deepEqual([host.raw, host.state, host.red, host.output], ['DOWN', 'CRITICAL', true, 'PING CRITICAL - 100% loss']);
    const unreachable = await check('nagios:app-1');
    assert.deepEqual([unreachable.raw, unreachable.state, unreachable.red], ['UNREACHABLE', 'UNKNOWN', false]);
  });

  it('a result older than its freshness is stale', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    await nagios.command(`[${hourAgo}] PROCESS_SERVICE_CHECK_RESULT;db-0;PGSQL;0;OK - an hour ago`);
    await nagios.waitForStatus(checked('db-0', 'PGSQL'));
    const c = await check('nagios:db-0!PGSQL');
    assert.deepEqual([c.reason, c.state, c.green], ['stale', 'OK', false]);
    assert.match(c.detail!, /last result 60m ago, older than its freshness 10m/);
  });

  it('a missing host or service is missing', async () => {
    assert.equal((await check('nagios:db-9')).reason, 'missing');
    const svc = await check('nagios:db-0!MYSQL');
    assert.equal(svc.reason, 'missing');
    assert.match(svc.detail!, /host db-0 has no service "MYSQL"/);
  });

  it('members come from the host group in objects.cache', async () => {
    const [shop] = await evaluate();
    assert.deepEqual(
      shop.members.map((m) => m.name),
      ['app-0', 'app-1', 'app-2'],
    );
    assert.ok(shop.members.every((m) => m.discovered));
    assert.deepEqual(shop.findings, [], 'three members present, min 3');
  });

  it('a forced re-check makes Nagios run an active check now', async () => {
    assert.equal((await check('nagios:app-2!HTTP')).reason, 'pending');
    await forceNagiosRechecks(nagios.commandFile, [{ host: 'app-2', service: 'HTTP' }, { host: 'app-2' }]);
    await nagios.waitForStatus((s) => checked('app-2', 'HTTP')(s) && s.hosts.some((h) => h.host_name === 'app-2' && h.has_been_checked === '1'));
    const c = await check('nagios:app-2!HTTP');
    assert.deepEqual([c.reason, c.state, c.green], ['fresh', 'OK', true]);
    assert.equal((await check('nagios:app-2')).raw, 'UP');
  });

  it('an active check disabled at run time (DISABLE_SVC_CHECK) is disabled even when a forced check makes it fresh', async () => {
    await nagios.command('DISABLE_SVC_CHECK;app-2;DISK', `SCHEDULE_FORCED_SVC_CHECK;app-2;DISK;${Math.floor(Date.now() / 1000)}`);
    await nagios.waitForStatus(checked('app-2', 'DISK'));
    const raw = await nagios.service('app-2', 'DISK');
    assert.equal(raw?.active_checks_enabled, '0');
    const c = await check(
      'nagios:app-2!DISK',
      parseModel({ sources: { nagios: { statusFile: nagios.statusFile } }, nodes: [{ name: 'x', checks: [{ nagios: { host: 'app-2', service: 'DISK' } }] }] }),
    );
    assert.deepEqual([c.reason, c.state, c.green], ['disabled', 'OK', false]);
    assert.match(c.detail!, /active checks of this service were disabled at run time/);
  });

  it('a passive-only service whose passive checks are disabled is disabled; one that takes them is not', async () => {
    assert.equal((await check('nagios:shop-lb!HTTP')).reason, 'fresh');
    await nagios.command('DISABLE_PASSIVE_SVC_CHECKS;shop-lb;HTTP');
    await nagios.waitForStatus((s) => s.services.some((b) => b.host_name === 'shop-lb' && b.passive_checks_enabled === '0'));
    assert.equal((await check('nagios:shop-lb!HTTP')).reason, 'disabled');
    await nagios.command('ENABLE_PASSIVE_SVC_CHECKS;shop-lb;HTTP');
    await nagios.waitForStatus((s) => s.services.some((b) => b.host_name === 'shop-lb' && b.passive_checks_enabled === '1'));
  });

  it('downtime and acknowledgement are read from status.dat', async () => {
    const now = Math.floor(Date.now() / 1000);
    await nagios.command(`SCHEDULE_SVC_DOWNTIME;app-1;HTTP;${now};${now + 3600};1;0;3600;vigil;test`, 'ACKNOWLEDGE_SVC_PROBLEM;app-0;HTTP;1;0;0;vigil;looking');
    await nagios.waitForStatus(
      (s) =>
        s.services.some((b) => b.host_name === 'app-1' && b.service_description === 'HTTP' && b.scheduled_downtime_depth === '1') &&
        s.services.some((b) => b.host_name === 'app-0' && b.service_description === 'HTTP' && b.problem_has_been_acknowledged === '1'),
    );
    assert.equal((await check('nagios:app-1!HTTP')).downtime, true);
    const acked = await check('nagios:app-0!HTTP');
    assert.deepEqual([acked.acknowledged, acked.red], [true, true]);
  });

  it('an unreadable, foreign or abandoned status.dat makes the source unreachable', async () => {
    const at = (statusFile: string) => ({ ...model.sources.nagios!, statusFile });
    const missing = await readNagiosStatus(at(join(nagios.dir, 'nope.dat')));
    assert.deepEqual(missing, { ok: false, error: `status.dat ${join(nagios.dir, 'nope.dat')} does not exist` });
    const foreign = join(nagios.dir, 'foreign.dat');
    await writeFile(foreign, 'hello\n');
    const notStatus = await readNagiosStatus(at(foreign));
    assert.equal(notStatus.ok, false);
    assert.match((notStatus as { error: string }).error, /is not a Nagios status.dat/);
    const abandoned = await readNagiosStatus(model.sources.nagios!, { nowMs: Date.now() + 10 * 60_000 });
    assert.match((abandoned as { error: string }).error, /was last written \d+s ago .*is Nagios running\?/);
    const broken = { ...model, sources: { nagios: at(join(nagios.dir, 'nope.dat')) } };
    const [shop] = await evaluate(broken);
    assert.equal(shop.checks[0].reason, 'unreachable');
    assert.equal(shop.findings[0].kind, 'discovery-failed');
  });
});
