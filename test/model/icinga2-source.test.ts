// The Icinga 2 source against a real Icinga 2: results, switches, downtimes and acknowledgements go in
// through its REST API exactly as an operator's tools would; the model reads them back through the same API.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { evaluateModel, forceRechecks, parseModel, takeSnapshot, waitUntil, type CheckStatus, type EvaluatedNode, type Model } from '../../src/model/index.ts';
import { icinga2Available, icingaGet, startIcinga2, type Icinga2Server } from '../helpers/nagios-icinga2.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';

const services = [
  { host: 'shop-lb', service: 'HTTP' },
  { host: 'app-0', service: 'HTTP' },
  { host: 'app-1', service: 'HTTP' },
  { host: 'app-2', service: 'HTTP' },
  { host: 'app-2', service: 'PING' },
  { host: 'db-0', service: 'PGSQL' },
];

describe('Icinga 2 source → real Icinga 2 API', { skip: requireBinary('icinga2', icinga2Available()), timeout: 120_000 }, () => {
  let icinga: Icinga2Server;
  let conn: Parameters<typeof icingaGet>[0];
  let source: Record<string, unknown>;
  const api = async (path: string, body: unknown) => {
    const answer = await icingaGet(conn, path, { method: 'POST', body });
    assert.equal(answer.status, 200, `${path}: ${JSON.stringify(answer.body)}`);
  };
  const result = (host: string, service: string | undefined, exit_status: number, output: string, extra: Record<string, unknown> = {}) =>
    api('/v1/actions/process-check-result', {
      type: service === undefined ? 'Host' : 'Service',
      filter: service === undefined ? 'host.name==h' : 'host.name==h && service.name==s',
      filter_vars: { h: host, s: service },
      exit_status,
      plugin_output: output,
      ...extra,
    });
  const modelOf = (nodes: unknown[], src = source): Model => parseModel({ sources: { icinga2: src }, nodes });
  const walk = (nodes: EvaluatedNode[]): CheckStatus[] => nodes.flatMap((n) => [...n.checks, ...walk(n.members)]);
  const check = async (spec: { host: string; service?: string }, src = source): Promise<CheckStatus> => {
    const model = modelOf([{ name: 'x', checks: [{ icinga2: spec }] }], src);
    const [found] = walk(evaluateModel(model, await takeSnapshot(model)));
    return found;
  };

  before(async () => {
    icinga = await startIcinga2({
      services,
      permissions: ['*'],
      extraConfig: [
        // Forced re-checks need the checker feature; the helper's hosts and services are passive-only.
        'object CheckerComponent "checker" { }',
        'object HostGroup "shop-app" { assign where match("app-*", host.name) }',
        'object HostGroup "empty-group" { }',
        'object Service "DISK" { host_name = "db-0"; check_command = "vigil-passive"; check_interval = 30s; enable_active_checks = true }',
        'object ApiUser "nobody" { password = "nobody-pw"; permissions = [ ] }',
      ],
    });
    conn = { url: icinga.url, user: icinga.user, password: icinga.password, ca: await readFile(icinga.caFile, 'utf8'), servername: icinga.tlsServerName };
    source = { url: icinga.url, user: icinga.user, password: icinga.password, ca: icinga.caFile, tlsServerName: icinga.tlsServerName };
  });
  after(async () => {
    await icinga?.stop();
  });

  it('before any result a service is pending, not UNKNOWN, and a host is pending, not DOWN', async () => {
    const raw = await icinga.serviceAttrs('shop-lb', 'HTTP');
    assert.deepEqual([raw.state, raw.last_check, raw.last_check_result], [3, -1, null]);
    const svc = await check({ host: 'shop-lb', service: 'HTTP' });
    assert.deepEqual([svc.reason, svc.state, svc.raw, svc.green, svc.red], ['pending', 'UNKNOWN', 'PENDING', false, false]);
    const host = await check({ host: 'shop-lb' });
    assert.deepEqual([host.reason, host.raw, host.red], ['pending', 'PENDING', false]);
  });

  it('results become fresh states: OK is green, CRITICAL and DOWN are red, with the output and the state type', async () => {
    await result('shop-lb', 'HTTP', 0, 'HTTP OK: 200 in 0.01s\nlong output');
    await result('app-0', 'HTTP', 2, 'CRITICAL - connection refused');
    await result('app-0', undefined, 1, 'PING CRITICAL - 100% loss');
    const lb = await check({ host: 'shop-lb', service: 'HTTP' });
    assert.deepEqual([lb.reason, lb.state, lb.raw, lb.green, lb.output, lb.stateType], ['fresh', 'OK', 'OK', true, 'HTTP OK: 200 in 0.01s', 'HARD']);
    assert.ok(Math.abs(Date.parse(lb.lastCheck!) - Date.now()) < 10_000);
    const http = await check({ host: 'app-0', service: 'HTTP' });
    assert.deepEqual([http.state, http.red, http.green], ['CRITICAL', true, false]);
    const host = await check({ host: 'app-0' });
    assert.deepEqual([host.raw, host.state, host.red, host.output], ['DOWN', 'CRITICAL', true, 'PING CRITICAL - 100% loss']);
    // Hosts re-try 3 times by default before the state is HARD: said, not hidden.
    assert.equal(host.stateType, 'SOFT');
    assert.match(host.detail!, /soft state: Icinga 2 is re-checking before it notifies \(attempt \d of 3\)/);
  });

  it('a result produced longer ago than its freshness is stale (execution_end, not the time Icinga received it)', async () => {
    const hourAgo = Math.floor(Date.now() / 1000) - 3600;
    await result('db-0', 'PGSQL', 0, 'OK - an hour ago', { execution_start: hourAgo, execution_end: hourAgo });
    const c = await check({ host: 'db-0', service: 'PGSQL' });
    assert.deepEqual([c.reason, c.state, c.green], ['stale', 'OK', false]);
    assert.match(c.detail!, /last result 60m ago, older than its freshness 10m/);
  });

  it('an active check is judged fresh for 2 × its check_interval', async () => {
    const c = await check({ host: 'db-0', service: 'DISK' });
    assert.equal(c.freshnessMs, 60_000);
    assert.equal((await check({ host: 'db-0', service: 'PGSQL' })).freshnessMs, 10 * 60_000, 'passive-only: the default');
  });

  it('a missing host or service is missing', async () => {
    const host = await check({ host: 'db-9' });
    assert.deepEqual([host.reason, host.green], ['missing', false]);
    assert.match(host.detail!, /host db-9 is not in Icinga 2/);
    const svc = await check({ host: 'db-0', service: 'MYSQL' });
    assert.equal(svc.reason, 'missing');
    assert.match(svc.detail!, /host db-0 has no service "MYSQL"/);
  });

  it('checks switched off at run time are disabled; a passive-only service that takes results is not', async () => {
    assert.notEqual((await check({ host: 'shop-lb', service: 'HTTP' })).reason, 'disabled');
    await api(`/v1/objects/services/${encodeURIComponent('db-0!DISK')}`, { attrs: { enable_active_checks: false } });
    const disk = await check({ host: 'db-0', service: 'DISK' });
    assert.equal(disk.reason, 'disabled');
    assert.match(disk.detail!, /active checks of this service were disabled at run time/);
    await api(`/v1/objects/services/${encodeURIComponent('shop-lb!HTTP')}`, { attrs: { enable_passive_checks: false } });
    const lb = await check({ host: 'shop-lb', service: 'HTTP' });
    assert.deepEqual([lb.reason, lb.state, lb.green], ['disabled', 'OK', false]);
    await api(`/v1/objects/services/${encodeURIComponent('shop-lb!HTTP')}`, { attrs: { enable_passive_checks: true } });
    assert.equal((await check({ host: 'shop-lb', service: 'HTTP' })).reason, 'fresh');
  });

  it('downtime (of the host, so its services too) is shown and never green; an acknowledged CRITICAL is still red', async () => {
    await result('app-1', 'HTTP', 0, 'HTTP OK');
    assert.equal((await check({ host: 'app-1', service: 'HTTP' })).green, true);
    const now = Math.floor(Date.now() / 1000);
    await api('/v1/actions/schedule-downtime', {
      type: 'Host',
      filter: 'host.name=="app-1"',
      start_time: now,
      end_time: now + 3600,
      author: 'vigil',
      comment: 'test',
    });
    await api('/v1/actions/acknowledge-problem', {
      type: 'Service',
      filter: 'host.name=="app-0" && service.name=="HTTP"',
      author: 'vigil',
      comment: 'looking',
    });
    const inDowntime = await check({ host: 'app-1', service: 'HTTP' });
    assert.deepEqual([inDowntime.downtime, inDowntime.state, inDowntime.green], [true, 'OK', false]);
    assert.match(inDowntime.detail!, /in scheduled downtime/);
    const acked = await check({ host: 'app-0', service: 'HTTP' });
    assert.deepEqual([acked.acknowledged, acked.red], [true, true]);
  });

  it('members come from an Icinga host group or a host-name pattern; an undefined group is a finding', async () => {
    const model = modelOf([
      { name: 'shop', members: { discover: { source: 'icinga2', hostgroup: 'shop-app', checks: ['HTTP'] }, min: 3 } },
      { name: 'by-pattern', members: { discover: { source: 'icinga2', hostPattern: '^app-[12]$', hostCheck: false, checks: ['HTTP'] } } },
      { name: 'nope', members: { discover: { source: 'icinga2', hostgroup: 'no-such-group' } } },
      { name: 'empty', members: { discover: { source: 'icinga2', hostgroup: 'empty-group' }, min: 1 } },
    ]);
    const [shop, byPattern, nope, empty] = evaluateModel(model, await takeSnapshot(model));
    assert.deepEqual(
      shop.members.map((m) => m.name),
      ['app-0', 'app-1', 'app-2'],
    );
    assert.ok(shop.members.every((m) => m.discovered));
    assert.deepEqual(
      shop.members[0].checks.map((c) => c.id),
      ['icinga2:app-0', 'icinga2:app-0!HTTP'],
    );
    assert.deepEqual(shop.findings, []);
    assert.deepEqual(
      byPattern.members.map((m) => m.checks.map((c) => c.id)),
      [['icinga2:app-1!HTTP'], ['icinga2:app-2!HTTP']],
    );
    assert.equal(nope.findings[0].kind, 'discovery-failed');
    assert.match(nope.findings[0].message, /host group "no-such-group" is not defined in Icinga 2/);
    assert.deepEqual([empty.members.length, empty.findings[0].kind], [0, 'members-below-min']);
  });

  it('a forced re-check (reschedule-check, force) makes Icinga run the check now, and the result says so', async () => {
    const model = modelOf([{ name: 'app-2', checks: [{ icinga2: { host: 'app-2', service: 'PING' } }] }]);
    const [before] = evaluateModel(model, await takeSnapshot(model));
    assert.equal(before.checks[0].reason, 'pending', 'passive-only: Icinga never checks it by itself');
    // The path `vigil model check --recheck` takes.
    const waited = await waitUntil({ model, node: 'app-2', expect: 'all-green', transitive: false, withinMs: 15_000, intervalMs: 250, recheck: true });
    assert.equal(waited.holds, true);
    assert.equal(waited.recheckForced, 1);
    const [ping] = waited.lastTree.checks;
    assert.deepEqual([ping.reason, ping.state, ping.green], ['fresh', 'OK', true]);
    assert.ok(ping.recheckForcedAt && Date.parse(ping.recheckForcedAt) <= Date.parse(ping.lastCheck!));
  });

  it('only objects Icinga has are rescheduled; a check switched off stays disabled after its forced result', async () => {
    await api('/v1/objects/hosts/app-2', { attrs: { enable_active_checks: false } });
    const model = modelOf([{ name: 'app-2', checks: [{ icinga2: { host: 'app-2' } }, { icinga2: { host: 'app-2', service: 'NOPE' } }] }]);
    const forced = await forceRechecks(model, walk(evaluateModel(model, await takeSnapshot(model))));
    assert.deepEqual(
      forced.map((c) => c.id),
      ['icinga2:app-2'],
      'NOPE is missing: not asked for',
    );
    const deadline = Date.now() + 15_000;
    let host: CheckStatus;
    do {
      await sleep(250);
      host = walk(evaluateModel(model, await takeSnapshot(model)))[0];
    } while (!host.lastCheck && Date.now() < deadline);
    assert.deepEqual([host.raw, host.reason, host.green], ['UP', 'disabled', false]);
  });

  it('wrong password, wrong port, unknown certificate and missing permissions make the source unreachable, with the reason', async () => {
    const wrong = await check({ host: 'shop-lb', service: 'HTTP' }, { ...source, password: 'definitely-wrong' });
    assert.deepEqual([wrong.reason, wrong.green], ['unreachable', false]);
    assert.match(wrong.detail!, /rejected user or password \(401\)/);
    assert.ok(!wrong.detail!.includes('definitely-wrong'));
    const port = new URL(icinga.url);
    port.port = String(Number(port.port) + 1 === 65536 ? 1 : Number(port.port) + 1);
    const refused = await check({ host: 'shop-lb' }, { ...source, url: port.origin });
    assert.equal(refused.reason, 'unreachable');
    assert.match(refused.detail!, /connection refused/);
    const { ca: _ca, ...noCa } = source;
    const tls = await check({ host: 'shop-lb' }, noCa);
    assert.match(tls.detail!, /TLS verification failed/);
    const forbidden = await check({ host: 'shop-lb' }, { ...source, user: 'nobody', password: 'nobody-pw' });
    // Icinga hides what a user may not see (404 "No objects found."), it does not answer 403.
    assert.equal(forbidden.reason, 'unreachable');
    assert.match(forbidden.detail!, /shows user "nobody" no hosts .*permission "objects\/query\/Host"/);
    const badCa = await check({ host: 'shop-lb' }, { ...source, ca: '/nonexistent/ca.crt' });
    assert.match(badCa.detail!, /model\.sources\.icinga2\.ca: cannot read the CA file/);
  });
});
