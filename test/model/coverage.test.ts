// Monitoring coverage (docs/model.md, "Coverage"): the pool against the monitored members, on fixture
// trees (no server), plus the two pool readers' own rules — HAProxy's servers-state dump as HAProxy
// 2.6.12 printed it here, and a real command through the child runner.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareCoverage,
  countGaps,
  coverageCheck,
  createCoverageSends,
  evaluateModel,
  findNode,
  parseModel,
  readPool,
  renderCoverage,
  type Coverage,
  type PoolRead,
} from '../../src/model/index.ts';
import { parseServersState } from '../../src/model/sources/haproxy-runtime.ts';
import { nagiosRead, NOW, ok, shopGroups, shopHosts, shopModel, type HostFixture } from './fixtures.ts';

const pool = (...names: string[]): PoolRead => ({ ok: true, where: 'HAProxy backend app', members: names.map((n) => ({ member: n, server: n, state: 'UP' })) });

const shop = (hosts: Record<string, HostFixture>, groups = shopGroups()) =>
  findNode(evaluateModel(parseModel(shopModel()), { nowMs: NOW, nagios: nagiosRead(hosts, groups) }), 'shop');

// After DISABLE_HOST_CHECK / DISABLE_SVC_CHECK: active checks off, MODATTR_ACTIVE_CHECKS set.
const disabled = { ...ok, active: false, modified: 2 };

describe('coverage: the pool against the monitored members', () => {
  it('the same names on both sides: covered, each with its state in the pool', () => {
    const c = compareCoverage(shop(shopHosts()), pool('app-0', 'app-1', 'app-2'));
    assert.equal(c.answer, 'covered');
    assert.deepEqual(
      c.covered.map((m) => [m.member, m.checks]),
      [
        ['app-0', 2],
        ['app-1', 2],
        ['app-2', 2],
      ],
    );
    assert.match(renderCoverage(c)[0], /^shop: covered — all 3 in HAProxy backend app are monitored/);
  });

  it('names each gap: a server the monitoring does not know, a monitored member not in the pool, a member whose checks are all off', () => {
    const hosts = shopHosts({ 'app-1': { host: disabled, services: { HTTP: disabled } } });
    const c = compareCoverage(shop(hosts), pool('app-0', 'app-1', 'app-9'));
    assert.equal(c.answer, 'gaps');
    assert.deepEqual(
      c.gaps.map((g) => `${g.kind} ${g.member}`),
      ['unmonitored app-9', 'not-in-pool app-2', 'disabled app-1'],
    );
    assert.deepEqual(countGaps(c), { unmonitored: 1, 'not-in-pool': 1, disabled: 1 });
    const text = renderCoverage(c).join('\n');
    assert.match(text, /unmonitored {2}app-9: in the pool \(UP\), but shop has no member app-9 in the monitoring/);
    assert.match(text, /not-in-pool {2}app-2: monitored \(2 checks\), but not in the pool/);
    assert.match(text, /disabled {5}app-1: in the pool \(UP\), but every check of it is disabled: nagios:app-1, nagios:app-1!HTTP/);
    assert.match(text, /^covered \(1\): app-0 \(UP\)$/m);
  });

  it('one check left enabled is coverage; a listed member none of whose checks is in Nagios is not', () => {
    const hosts = shopHosts({ 'app-1': { host: disabled, services: { HTTP: ok } } });
    const raw = shopModel();
    (raw.nodes[0].members as Record<string, unknown>).nodes = [{ name: 'app-7', checks: [{ nagios: { host: 'app-7' } }] }];
    const node = findNode(evaluateModel(parseModel(raw), { nowMs: NOW, nagios: nagiosRead(hosts, shopGroups()) }), 'shop');
    const c = compareCoverage(node, pool('app-0', 'app-1', 'app-2', 'app-7'));
    assert.ok(c.answer !== 'cannot-ask');
    assert.deepEqual(
      c.gaps.map((g) => `${g.kind} ${g.member}`),
      ['unmonitored app-7'],
    );
    assert.match(c.gaps[0].message, /none of its checks is in the monitoring \(nagios:app-7\)/);
  });

  it('a server in maintenance or drained is still a pool member; a renamed one is shown with its pool name', () => {
    const read: PoolRead = {
      ok: true,
      where: 'HAProxy backend app',
      members: [
        { member: 'app-0', server: 'app-0', state: 'MAINT' },
        { member: 'app-1', server: 'app-1', state: 'DRAIN' },
        { member: 'app-2', server: 'web-2', state: 'UP' },
      ],
    };
    const c = compareCoverage(shop(shopHosts()), read);
    assert.equal(c.answer, 'covered');
    assert.equal(renderCoverage(c).at(-1), 'covered (3): app-0 (MAINT), app-1 (DRAIN), app-2 (UP)');
    const gap = compareCoverage(shop(shopHosts()), { ...read, members: [{ member: 'app-9', server: 'web-9', state: 'MAINT' }] });
    assert.ok(gap.answer !== 'cannot-ask');
    assert.match(gap.gaps[0].message, /^app-9: in the pool \(as web-9, MAINT\), but/);
  });

  it('cannot ask when the pool or the monitoring cannot be read, naming which', () => {
    const c = compareCoverage(shop(shopHosts()), { ok: false, where: 'HAProxy backend app (runtime API /run/h.sock)', error: 'no such socket' });
    assert.equal(c.answer, 'cannot-ask');
    assert.deepEqual(c.problems, ['pool: HAProxy backend app (runtime API /run/h.sock): no such socket']);
    const node = findNode(
      evaluateModel(parseModel(shopModel()), { nowMs: NOW, nagios: { ok: false, error: 'status.dat not found: /var/lib/nagios4/status.dat' } }),
      'shop',
    );
    const m = compareCoverage(node, pool('app-0'));
    assert.ok(m.answer === 'cannot-ask');
    assert.match(m.problems[0], /^monitoring: cannot discover members \(Nagios host group shop-app\): status.dat not found/);
    assert.deepEqual(countGaps(m), { unmonitored: 0, 'not-in-pool': 0, disabled: 0 });
  });
});

describe('pool: in the model', () => {
  const withPool = (pool: unknown) => parseModel(shopModel(3, { pool }), 'model', { baseDir: '/etc/vigil' });

  it('an HAProxy backend (socket relative to the model file) or a command (run in its folder)', () => {
    assert.deepEqual(withPool({ haproxy: { socket: 'run/haproxy.sock', backend: 'app' } }).nodes[0].pool, {
      source: 'haproxy',
      socket: '/etc/vigil/run/haproxy.sock',
      backend: 'app',
      timeoutMs: 10_000,
    });
    assert.deepEqual(withPool({ command: ['./list-members'], timeout: '3s', rename: { match: '^web-', to: 'app-' } }).nodes[0].pool, {
      source: 'command',
      command: ['./list-members'],
      cwd: '/etc/vigil',
      timeoutMs: 3_000,
      rename: { match: '^web-', to: 'app-' },
    });
  });

  it("a Prometheus query (label default server, the model's Prometheus), and a passive service refreshed every 5 minutes by default", () => {
    const raw = shopModel(3, { pool: { prometheus: { query: 'haproxy_server_status{proxy="app"} == 1' }, nagios: { host: 'lb', service: 'coverage' } } });
    const withSource = { ...raw, sources: { ...raw.sources, prometheus: { url: 'http://prometheus:9090' } } };
    assert.deepEqual(parseModel(withSource).nodes[0].pool, {
      source: 'prometheus',
      query: 'haproxy_server_status{proxy="app"} == 1',
      label: 'server',
      timeoutMs: 10_000,
      nagios: { host: 'lb', service: 'coverage', refreshMs: 300_000 },
    });
    assert.throws(() => parseModel(raw), /model\.sources\.prometheus: is required, because nodes\[0\]\.pool\.prometheus uses prometheus/);
    assert.throws(
      () => withPool({ command: ['x'], nagios: { host: 'lb', service: 'a;b' } }),
      /model\.nodes\[0\]\.pool\.nagios\.service: "a;b" is not a valid Nagios service name/,
    );
    assert.throws(() => withPool({ command: ['x'], nagios: { host: 'lb' } }), /model\.nodes\[0\]\.pool\.nagios\.service/);
  });

  it('exactly one source, strict keys, a regular expression that compiles', () => {
    assert.throws(() => withPool({}), /model\.nodes\[0\]\.pool: a pool needs exactly one source: .* got none/);
    assert.throws(
      () => withPool({ haproxy: { socket: 's', backend: 'b' }, command: ['x'] }),
      /pool: a pool needs exactly one source: .* got haproxy and command/,
    );
    assert.throws(() => withPool({ haproxy: { socket: 's', backnd: 'b' } }), /model\.nodes\[0\]\.pool\.haproxy/);
    assert.throws(
      () => withPool({ command: ['x'], rename: { match: '(', to: '' } }),
      /model\.nodes\[0\]\.pool\.rename\.match: "\(" is not a regular expression/,
    );
  });
});

describe('pool readers', () => {
  // `show servers state app` on HAProxy 2.6.12, after `add server app/app-9 …` (in maintenance until
  // enabled) and `set server app/app-1 state drain`.
  const dump = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 app 1 app-0 127.0.0.1 2 0 1 1 6 6 3 4 6 0 0 0 - 38112 - 0 0 - - 0
3 app 2 app-1 127.0.0.1 2 8 1 1 3 6 3 4 6 0 0 0 - 38113 - 0 0 - - 0
3 app 3 app-9 127.0.0.1 0 1 1 1 1 1 0 0 2 0 0 0 - 38119 - 0 0 - - 0
3 app 4 app-4 127.0.0.1 0 0 1 1 1 8 2 0 6 0 0 0 - 38114 - 0 0 - - 0

`;

  it("HAProxy's servers-state dump: every server with its state, maintenance and drain first", () => {
    assert.deepEqual(
      parseServersState(dump, 'app').map((s) => `${s.name} ${s.state}`),
      ['app-0 UP', 'app-1 DRAIN', 'app-9 MAINT', 'app-4 DOWN'],
    );
    assert.throws(() => parseServersState("Can't find backend.\n", 'nope'), /HAProxy has no backend "nope"/);
    assert.throws(() => parseServersState('Unknown command.\n', 'app'), /not a servers-state dump: "Unknown command\."/);
  });

  it('a runtime API socket that is not there: the read says so', async () => {
    const read = await readPool({ source: 'haproxy', socket: '/nonexistent/haproxy.sock', backend: 'app', timeoutMs: 1_000 });
    assert.deepEqual(read, {
      ok: false,
      where: 'HAProxy backend app (runtime API /nonexistent/haproxy.sock)',
      error: 'no such socket (is HAProxy running, with `stats socket` at this path?)',
    });
  });

  it('a command: one name per line (blank lines and # comments skipped, renamed); one that fails says how it ended', async () => {
    const script = "console.log('# pool shop\\n web-0 \\n\\nweb-1\\nweb-1\\ndb-0')";
    const read = await readPool({
      source: 'command',
      command: [process.execPath, '-e', script],
      cwd: '',
      timeoutMs: 10_000,
      rename: { match: '^web-', to: 'app-' },
    });
    assert.ok(read.ok);
    assert.deepEqual(
      read.members.map((m) => `${m.server}→${m.member}`),
      ['web-0→app-0', 'web-1→app-1', 'db-0→db-0'],
    );
    const failed = await readPool({
      source: 'command',
      command: [process.execPath, '-e', "console.error('inventory: token expired'); process.exit(3)"],
      cwd: '',
      timeoutMs: 10_000,
    });
    assert.ok(!failed.ok);
    assert.match(failed.error, /-e .* exited 3 \(stderr: inventory: token expired\)$/);
    const slow = await readPool({ source: 'command', command: [process.execPath, '-e', 'setTimeout(() => {}, 60_000)'], cwd: '', timeoutMs: 300 });
    assert.ok(!slow.ok);
    assert.match(slow.error, /timed out after 0\.3s$/);
  });
});

describe('coverage as a passive check', () => {
  const target = { host: 'lb', service: 'coverage', refreshMs: 60_000 };
  const judged = (c: Coverage) => coverageCheck(c, target, NOW);
  const covered = compareCoverage(shop(shopHosts()), pool('app-0', 'app-1', 'app-2'));
  const read = (...members: Array<[string, string]>): PoolRead => ({
    ok: true,
    where: 'HAProxy backend app',
    members: members.map(([member, state]) => ({ member, server: member, state })),
  });

  it('OK when covered, with the gap counts and the pool as perfdata', () => {
    const check = judged(covered);
    assert.equal(check.state, 0);
    assert.equal(check.output, 'OK - shop: covered, all 3 in the pool are monitored');
    assert.equal(check.perfdata, 'unmonitored=0;;;0 not_in_pool=0;;;0 disabled=0;;;0 pool=3;;;0 monitored=3;;;0');
    assert.deepEqual(check.longOutput, ['pool: HAProxy backend app', 'covered (3): app-0 (UP), app-1 (UP), app-2 (UP)']);
    assert.deepEqual([check.host, check.service, check.timestamp], ['lb', 'coverage', Math.floor(NOW / 1000)]);
  });

  it('CRITICAL when an unmonitored member takes traffic; the others named too, each kind on the first line', () => {
    const hosts = shopHosts({ 'app-1': { host: disabled, services: { HTTP: disabled } } });
    const check = judged(compareCoverage(shop(hosts), read(['app-0', 'UP'], ['app-1', 'UP'], ['app-9', 'UP'], ['app-8', 'MAINT'])));
    assert.equal(check.state, 2);
    assert.equal(
      check.output,
      'CRITICAL - shop: 4 coverage gaps — unmonitored: app-8 (MAINT), app-9 (UP) — not in the pool: app-2 — checks all disabled: app-1 (UP)',
    );
    assert.equal(check.perfdata, 'unmonitored=2;;;0 not_in_pool=1;;;0 disabled=1;;;0 pool=4;;;0 monitored=3;;;0');
    assert.match(check.longOutput[1], /^unmonitored: app-8: in the pool \(MAINT\), but shop has no member app-8/);
  });

  it('WARNING when no unmonitored member takes traffic: one in MAINT or DOWN, a member gone from the pool, one with every check off', () => {
    for (const state of ['MAINT', 'DOWN']) {
      const check = judged(compareCoverage(shop(shopHosts()), read(['app-0', 'UP'], ['app-1', 'UP'], ['app-2', 'UP'], ['app-9', state])));
      assert.equal(check.state, 1, `${state}: ${check.output}`);
    }
    for (const listed of ['listed', 'DRAIN', 'NOLB']) {
      const check = judged(compareCoverage(shop(shopHosts()), read(['app-0', 'UP'], ['app-1', 'UP'], ['app-2', 'UP'], ['app-9', listed])));
      assert.equal(check.state, 2, `${listed} may take traffic: ${check.output}`);
    }
    const gone = judged(compareCoverage(shop(shopHosts()), pool('app-0', 'app-1')));
    assert.deepEqual([gone.state, gone.output], [1, 'WARNING - shop: 1 coverage gap — not in the pool: app-2']);
    const hosts = shopHosts({ 'app-1': { host: disabled, services: { HTTP: disabled } } });
    const off = judged(compareCoverage(shop(hosts), pool('app-0', 'app-1', 'app-2')));
    assert.deepEqual([off.state, off.output], [1, 'WARNING - shop: 1 coverage gap — checks all disabled: app-1 (UP)']);
  });

  it('UNKNOWN when the pool or the monitoring cannot be read: the problem named, no counts', () => {
    const check = judged(compareCoverage(shop(shopHosts()), { ok: false, where: 'Prometheus up (label server)', error: 'cannot reach Prometheus' }));
    assert.equal(check.state, 3);
    assert.equal(
      check.output,
      'UNKNOWN - shop: cannot tell whether the monitoring covers the pool: pool: Prometheus up (label server): cannot reach Prometheus',
    );
    assert.equal(check.perfdata, '');
  });

  it('names at most 10 members per kind on the first line, 50 gaps in the long output', () => {
    const many = Array.from({ length: 60 }, (_, i) => [`new-${String(i).padStart(2, '0')}`, 'UP'] as [string, string]);
    const check = judged(compareCoverage(shop(shopHosts()), read(['app-0', 'UP'], ['app-1', 'UP'], ['app-2', 'UP'], ...many)));
    assert.match(check.output, /unmonitored: new-00 \(UP\), .*, new-09 \(UP\), and 50 more$/);
    assert.equal(check.longOutput.length, 1 + 50 + 1 + 1);
    assert.equal(check.longOutput.at(-2), 'and 10 more gaps (vigil model coverage shop)');
  });

  it('is sent when it changes or when the last one sent is refreshMs old, not every evaluation', () => {
    const sends = createCoverageSends(new Map([['shop', target]]));
    const gaps = compareCoverage(shop(shopHosts()), pool('app-0', 'app-1', 'app-2', 'app-9'));
    const at = (c: Coverage, ms: number) => sends([{ ...c, poolReadAt: new Date(ms).toISOString() }], ms).map((s) => `${s.node} ${s.check.state}`);
    assert.deepEqual(at(covered, NOW), ['shop 0'], 'the first evaluation after a start');
    assert.deepEqual(at(covered, NOW + 1_000), [], 'unchanged (only the read time differs)');
    assert.deepEqual(at(gaps, NOW + 2_000), ['shop 2'], 'changed');
    assert.deepEqual(at(gaps, NOW + 61_000), [], 'unchanged, 59 s after the last one sent');
    assert.deepEqual(at(gaps, NOW + 62_000), ['shop 2'], 'unchanged, refreshMs after the last one sent');
    assert.deepEqual(sends([{ ...covered, node: 'green' }], NOW), [], 'a node without pool.nagios sends nothing');
  });
});
