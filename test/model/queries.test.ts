// The model's questions on fixture trees (no server): what "all green" and "all red" mean,
// transitively and not, and what never counts as green.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allGreen, allRed, combine, evaluateModel, findNode, parseModel, type Snapshot } from '../../src/model/index.ts';
import type { PrometheusRead } from '../../src/model/sources/prometheus-read.ts';
import { critical, down, nagiosRead, NOW, ok, prometheusRead, shopGroups, shopHosts, shopModel, type HostFixture } from './fixtures.ts';

const evaluate = (raw: unknown, hosts: Record<string, HostFixture>, groups: Record<string, string[]> = shopGroups(), extra: Partial<Snapshot> = {}) =>
  evaluateModel(parseModel(raw), { nowMs: NOW, nagios: nagiosRead(hosts, groups), ...extra });

const whats = (answer: { blockers: Array<{ what: string }> }) => answer.blockers.map((b) => b.what);

describe("the seed's scenario: shop with members app-0…app-2", () => {
  it('everything OK: shop is all green, transitively and not', () => {
    const [shop] = evaluate(shopModel(), shopHosts());
    assert.deepEqual(
      shop.members.map((m) => m.name),
      ['app-0', 'app-1', 'app-2'],
    );
    assert.equal(allGreen(shop, true).holds, true);
    assert.equal(allGreen(shop, true).checks, 7, 'lb HTTP + 3 × (host + HTTP)');
    assert.equal(allGreen(shop, false).holds, true);
    assert.equal(allGreen(shop, false).checks, 1);
    assert.equal(shop.state, 'OK');
  });

  it('one member destroyed: shop stays all green non-transitively, not transitively, and the member is all red', () => {
    const roots = evaluate(shopModel(), shopHosts({ 'app-0': { host: down, services: { HTTP: critical } } }));
    const shop = findNode(roots, 'shop');
    assert.equal(allGreen(shop, false).holds, true, 'the transitivity flip: the service itself still works');
    const transitive = allGreen(shop, true);
    assert.equal(transitive.holds, false);
    assert.deepEqual(whats(transitive), ['nagios:app-0', 'nagios:app-0!HTTP']);
    assert.match(transitive.blockers[0].message, /^shop\/app-0: nagios:app-0 is DOWN \(CRITICAL\), fresh — CRITICAL - host unreachable by ping$/);
    const app0 = findNode(roots, 'app-0');
    assert.equal(allRed(app0, false).holds, true);
    assert.equal(allRed(findNode(roots, 'shop/app-1'), false).holds, false);
    assert.deepEqual(whats(allRed(findNode(roots, 'app-1'), false)), ['nagios:app-1', 'nagios:app-1!HTTP']);
  });

  it('all red of the service needs every check in scope to be a fresh failure', () => {
    const everythingDown = shopHosts({
      'shop-lb': { services: { HTTP: critical } },
      'app-0': { host: down, services: { HTTP: critical } },
      'app-1': { host: down, services: { HTTP: critical } },
      'app-2': { host: down, services: { HTTP: critical } },
    });
    const [shop] = evaluate(shopModel(), everythingDown);
    assert.equal(allRed(shop, true).holds, true);
    const [partly] = evaluate(shopModel(), shopHosts({ 'shop-lb': { services: { HTTP: critical } }, 'app-0': { host: down, services: { HTTP: critical } } }));
    assert.equal(allRed(partly, false).holds, true);
    assert.deepEqual(whats(allRed(partly, true)), ['nagios:app-1', 'nagios:app-1!HTTP', 'nagios:app-2', 'nagios:app-2!HTTP']);
  });
});

describe('what is never green', () => {
  const one = (f: HostFixture['services'], model: Record<string, unknown> = {}) => {
    const [node] = evaluate({ ...shopModel(), nodes: [{ name: 'n', checks: [{ nagios: { host: 'h', service: 'S' } }], ...model }] }, { h: { services: f } });
    return node;
  };

  it('a result older than its freshness is stale, and says how old', () => {
    const node = one({ S: { ...ok, age: 11 * 60 } });
    assert.equal(node.checks[0].reason, 'stale');
    assert.equal(node.checks[0].state, 'OK', 'the last known state is kept for display');
    assert.equal(node.checks[0].green, false);
    assert.match(node.checks[0].detail!, /last result 11m ago, older than its freshness 10m/);
    assert.equal(allGreen(node, false).holds, false);
    assert.equal(node.state, 'UNKNOWN', 'a stale OK says nothing about now');
  });

  it('freshness comes from the check, else its nodes, else the model, else 2 × an active check interval, else 10m', () => {
    assert.equal(one({ S: { ...ok, age: 11 * 60 } }, { freshness: '15m' }).checks[0].reason, 'fresh');
    assert.equal(one({ S: { ...ok, age: 3 * 60, active: true, interval: 1 } }).checks[0].reason, 'stale', '2 × 1m');
    assert.equal(one({ S: { ...ok, age: 9 * 60, active: true, interval: 5 } }).checks[0].reason, 'fresh', '2 × 5m');
    const [node] = evaluate(
      {
        ...shopModel(),
        freshness: '1m',
        nodes: [{ name: 'n', checks: [{ nagios: { host: 'h', service: 'S' }, freshness: '5m' }, { nagios: { host: 'h', service: 'S' } }] }],
      },
      { h: { services: { S: { ...ok, age: 120 } } } },
    );
    assert.deepEqual(
      node.checks.map((c) => c.reason),
      ['fresh', 'stale'],
    );
  });

  it('a check Nagios never ran is pending, even though status.dat shows current_state=0', () => {
    const node = one({ S: { state: 0, age: null } });
    assert.equal(node.checks[0].reason, 'pending');
    assert.equal(node.checks[0].state, 'UNKNOWN');
    assert.equal(node.checks[0].raw, 'PENDING');
    assert.equal(node.checks[0].green, false);
  });

  it('active checks switched off at run time are disabled, however fresh the last result; a passive-only check is not', () => {
    const disabled = one({ S: { ...ok, active: false, passive: true, modified: 2 } });
    assert.equal(disabled.checks[0].reason, 'disabled');
    assert.match(disabled.checks[0].detail!, /DISABLE_SVC_CHECK/);
    assert.equal(disabled.checks[0].green, false);
    assert.equal(one({ S: { ...ok, active: false, passive: false } }).checks[0].reason, 'disabled');
    assert.equal(one({ S: { ...ok, active: false, passive: true } }).checks[0].green, true, 'passive-only by configuration');
  });

  it('a missing host or service is missing, and an unreadable source is unreachable', () => {
    const [node] = evaluate(
      { ...shopModel(), nodes: [{ name: 'n', checks: [{ nagios: { host: 'gone' } }, { nagios: { host: 'h', service: 'nope' } }] }] },
      { h: {} },
    );
    assert.deepEqual(
      node.checks.map((c) => c.reason),
      ['missing', 'missing'],
    );
    assert.match(node.checks[0].detail!, /host gone is not in Nagios/);
    const [cut] = evaluateModel(parseModel({ ...shopModel(), nodes: [{ name: 'n', checks: [{ nagios: { host: 'h' } }] }] }), {
      nowMs: NOW,
      nagios: { ok: false, error: 'status.dat /x does not exist' },
    });
    assert.equal(cut.checks[0].reason, 'unreachable');
    assert.equal(allGreen(cut, false).holds, false);
    assert.match(allGreen(cut, false).blockers[0].message, /unreachable: status.dat \/x does not exist/);
  });

  it('downtime and acknowledgement are shown, never counted green; a problem in either is still red', () => {
    const inDowntime = one({ S: { ...ok, downtime: true } });
    assert.equal(inDowntime.checks[0].downtime, true);
    assert.equal(inDowntime.checks[0].green, false);
    assert.match(allGreen(inDowntime, false).blockers[0].message, /in downtime/);
    const acked = one({ S: { ...critical, ack: true } });
    assert.equal(acked.checks[0].acknowledged, true);
    assert.equal(allRed(acked, false).holds, true);
    const hostDowntime = evaluate(
      { ...shopModel(), nodes: [{ name: 'n', checks: [{ nagios: { host: 'h', service: 'S' } }] }] },
      { h: { host: { ...ok, downtime: true }, services: { S: ok } } },
    );
    assert.equal(hostDowntime[0].checks[0].downtime, true, "a service inherits its host's downtime");
  });

  it('WARNING is neither green nor red; an UNREACHABLE host is UNKNOWN, not red', () => {
    const warning = one({ S: { state: 1 } });
    assert.equal(allGreen(warning, false).holds, false);
    assert.equal(allRed(warning, false).holds, false);
    const [host] = evaluate({ ...shopModel(), nodes: [{ name: 'n', checks: [{ nagios: { host: 'h' } }] }] }, { h: { host: { state: 2 } } });
    assert.equal(host.checks[0].raw, 'UNREACHABLE');
    assert.equal(host.checks[0].state, 'UNKNOWN');
    assert.equal(allRed(host, false).holds, false);
  });

  it('a node with nothing monitored is neither all green nor all red', () => {
    const [empty] = evaluate({ nodes: [{ name: 'empty' }] }, {});
    assert.equal(allGreen(empty, true).holds, false);
    assert.equal(allRed(empty, true).holds, false);
    assert.equal(allGreen(empty, true).checks, 0);
    assert.match(allGreen(empty, true).blockers[0].message, /nothing monitored/);
    assert.equal(empty.state, 'UNKNOWN');
  });

  it('a grouping node without checks of its own is not green non-transitively, but can be transitively', () => {
    const [group] = evaluate(
      { ...shopModel(), nodes: [{ name: 'group', members: [{ name: 'a', checks: [{ nagios: { host: 'h' } }] }] }] },
      { h: { host: ok } },
    );
    assert.equal(allGreen(group, false).holds, false);
    assert.match(allGreen(group, false).blockers[0].message, /no checks of its own \(ask transitively/);
    assert.equal(allGreen(group, true).holds, true);
  });
});

describe('members', () => {
  it('fewer members than members.min is a finding that names them, not green, but does not stop all red', () => {
    // app-2 is in the host group but Nagios has no status for it at all.
    const hosts = shopHosts({ 'app-0': { host: down, services: { HTTP: critical } }, 'app-1': { host: down, services: { HTTP: critical } } });
    delete hosts['app-2'];
    const [shop] = evaluate(shopModel(3, { checks: [{ nagios: { host: 'shop-lb', service: 'HTTP' } }] }), hosts);
    assert.deepEqual(
      shop.findings.map((f) => f.kind),
      [],
    );
    const [strict] = evaluate(
      { ...shopModel(), nodes: [{ ...shopModel().nodes[0], members: { discover: { source: 'nagios', hostgroup: 'shop-app', checks: ['HTTP'] }, min: 3 } }] },
      hosts,
    );
    assert.deepEqual(strict.findings, [{ kind: 'members-below-min', message: '2 members present, at least 3 required (not in the monitoring: app-2)' }]);
    assert.equal(strict.state, 'CRITICAL');
    assert.deepEqual(whats(allGreen(strict, false)), ['members-below-min']);
    assert.equal(findNode([strict], 'app-2').checks[0].reason, 'missing');
    assert.deepEqual(whats(allRed(strict, false)), ['nagios:shop-lb!HTTP'], 'only the OK lb check stands in the way of red');
  });

  it('a discovered member lacking a required service has that check missing', () => {
    const [shop] = evaluate(shopModel(), shopHosts({ 'app-1': { host: ok, services: {} } }));
    const app1 = findNode([shop], 'app-1');
    assert.deepEqual(
      app1.checks.map((c) => [c.id, c.reason]),
      [
        ['nagios:app-1', 'fresh'],
        ['nagios:app-1!HTTP', 'missing'],
      ],
    );
    assert.match(app1.checks[1].detail!, /host app-1 has no service "HTTP"/);
  });

  it('discovery by host name pattern, and listed members winning over discovered ones', () => {
    const model = {
      ...shopModel(),
      nodes: [
        {
          name: 'web',
          members: {
            nodes: [{ name: 'app-1', checks: [{ nagios: { host: 'app-1', service: 'HTTP' } }] }],
            discover: { source: 'nagios', hostPattern: '^app-[12]$', hostCheck: false, checks: ['HTTP'] },
          },
        },
      ],
    };
    const [web] = evaluate(model, shopHosts());
    assert.deepEqual(
      web.members.map((m) => [m.name, m.discovered]),
      [
        ['app-1', false],
        ['app-2', true],
      ],
    );
    assert.deepEqual(
      web.members[1].checks.map((c) => c.id),
      ['nagios:app-2!HTTP'],
    );
  });

  it('a host group Nagios does not define is a finding, not an empty (vacuously green) service', () => {
    const [shop] = evaluate(shopModel(), shopHosts(), {});
    assert.equal(shop.findings[0].kind, 'discovery-failed');
    assert.match(shop.findings[0].message, /host group "shop-app" is not defined in Nagios/);
    assert.equal(allGreen(shop, true).holds, false);
    assert.equal(allRed(shop, true).holds, false);
  });
});

describe('aggregated state (Icinga Business Process operators)', () => {
  it('and is the worst, or the best, min N the N-th best; OK < WARNING < UNKNOWN < CRITICAL', () => {
    assert.equal(combine('and', ['OK', 'WARNING', 'CRITICAL']), 'CRITICAL');
    assert.equal(combine('and', ['OK', 'UNKNOWN', 'WARNING']), 'UNKNOWN');
    assert.equal(combine('or', ['CRITICAL', 'WARNING', 'OK']), 'OK');
    assert.equal(combine({ min: 2 }, ['OK', 'CRITICAL', 'OK']), 'OK');
    assert.equal(combine({ min: 2 }, ['OK', 'CRITICAL', 'WARNING']), 'WARNING');
    assert.equal(combine({ min: 3 }, ['OK', 'OK']), 'CRITICAL', 'fewer children than N');
    assert.equal(combine('and', []), 'UNKNOWN');
  });

  it('with min 3 of its four children (lb + 3 members) the service stays OK when one member is down; with and it is CRITICAL', () => {
    const hosts = shopHosts({ 'app-0': { host: down, services: { HTTP: critical } } });
    const [minTwo] = evaluate(shopModel(3, { aggregate: { min: 3 } }), hosts);
    assert.equal(minTwo.state, 'OK', 'lb + app-1 + app-2 are OK: 3 of 4 children');
    const [and] = evaluate(shopModel(), hosts);
    assert.equal(and.state, 'CRITICAL');
    assert.equal(findNode([and], 'app-0').state, 'CRITICAL');
    const [or] = evaluate(shopModel(3, { aggregate: 'or' }), hosts);
    assert.equal(or.state, 'OK');
  });
});

describe('Prometheus checks: an absent series is not green', () => {
  const promModel = (nodes: unknown[]) => parseModel({ sources: { prometheus: { url: 'http://prometheus:9090' } }, nodes });
  const run = (nodes: unknown[], queries: Parameters<typeof prometheusRead>[0]) =>
    evaluateModel(promModel(nodes), { nowMs: NOW, prometheus: prometheusRead(queries) });
  const up = { query: 'up{job="app"}', condition: '== 1' };

  it('an empty answer is missing: neither green nor red, and it stands in the way of both', () => {
    const [node] = run([{ name: 'n', checks: [{ prometheus: up }] }], { 'up{job="app"}': [] });
    assert.deepEqual([node.checks[0].reason, node.checks[0].green, node.checks[0].red], ['missing', false, false]);
    assert.equal(allGreen(node, false).holds, false);
    assert.equal(allRed(node, false).holds, false);
    assert.equal(node.state, 'UNKNOWN');
  });

  it('every series must satisfy the condition: one failing series is a fresh CRITICAL, red', () => {
    const [node] = run([{ name: 'n', checks: [{ prometheus: up }] }], {
      'up{job="app"}': [
        { labels: { instance: 'a' }, value: '1' },
        { labels: { instance: 'b' }, value: '0' },
      ],
    });
    assert.deepEqual([node.checks[0].state, node.checks[0].red], ['CRITICAL', true]);
    assert.equal(allRed(node, false).holds, true);
  });

  it('an empty discovery answer gives no members, so members.min is not met', () => {
    const [node] = run([{ name: 'shop', members: { discover: { source: 'prometheus', ...up, label: 'instance' }, min: 2 } }], { 'up{job="app"}': [] });
    assert.deepEqual(node.members, []);
    assert.deepEqual(whats(allGreen(node, true)), ['nothing-monitored', 'members-below-min']);
  });

  it("a discovered member's check sees only its own series; a sample older than its freshness is stale", () => {
    const answer = {
      'up{job="app"}': [
        { labels: { instance: 'a' }, value: '1', age: 700 },
        { labels: { instance: 'b/c' }, value: '1' },
      ],
    };
    const [shop] = run([{ name: 'shop', members: { discover: { source: 'prometheus', ...up, label: 'instance' } } }], answer);
    assert.deepEqual(
      shop.members.map((m) => m.name),
      ['a', 'b%2Fc'],
      'a "/" in a label value cannot be part of a node name',
    );
    assert.deepEqual(
      shop.members.map((m) => [m.checks[0].reason, m.checks[0].green]),
      [
        ['stale', false],
        ['fresh', true],
      ],
    );
  });
});

describe('evidence newer than the question (since)', () => {
  // The action ended 10 s before NOW; app-0's results are 30 s old (before it), the rest 5 s (after it).
  const since = { atMs: NOW - 10_000, what: 'the action before it ended' };
  const hosts = () =>
    shopHosts({
      'app-0': { host: { ...ok, age: 30 }, services: { HTTP: { ...ok, age: 30 } } },
      'app-1': { host: { ...ok, age: 5 }, services: { HTTP: { ...ok, age: 5 } } },
      'app-2': { host: { ...ok, age: 5 }, services: { HTTP: { ...ok, age: 5 } } },
      'shop-lb': { services: { HTTP: { ...ok, age: 5 } } },
    });

  it('a fresh OK taken before the action is `predates`: not green, and named with how much older it is', () => {
    const [shop] = evaluate(shopModel(), hosts(), shopGroups(), { since });
    const answer = allGreen(shop, true);
    assert.equal(answer.holds, false);
    assert.deepEqual(whats(answer), ['nagios:app-0', 'nagios:app-0!HTTP']);
    assert.match(
      answer.blockers[1].message,
      /^shop\/app-0: nagios:app-0!HTTP is OK, predates: not checked since the action before it ended \(its result was taken 20s before\) — OK - fine$/,
    );
    assert.equal(allGreen(shop, false).holds, true, "the service's own check was taken after the action");
    const [without] = evaluate(shopModel(), hosts());
    assert.equal(allGreen(without, true).holds, true, 'the same results, asked without a since, are all green');
  });

  it('all red: a CRITICAL from before the action is not red either', () => {
    const roots = evaluate(shopModel(), shopHosts({ 'app-0': { host: { ...down, age: 30 }, services: { HTTP: { ...critical, age: 5 } } } }), shopGroups(), {
      since,
    });
    const app0 = findNode(roots, 'app-0');
    assert.deepEqual(whats(allRed(app0, false)), ['nagios:app-0']);
    assert.equal(app0.checks[0].red, false);
    assert.equal(app0.checks[1].red, true, 'the HTTP result after the action is red');
  });

  it('stale, pending and disabled keep their own reason: predates is only ever a fresh result', () => {
    const [shop] = evaluate(shopModel(), shopHosts({ 'app-0': { host: { ...ok, age: 11 * 60 }, services: { HTTP: { ...ok, age: null } } } }), shopGroups(), {
      since,
    });
    const app0 = findNode([shop], 'app-0');
    assert.deepEqual(
      app0.checks.map((c) => c.reason),
      ['stale', 'pending'],
    );
  });

  it("Prometheus: a selector is judged by its samples' scrape time, a computed answer by the oldest scrape behind it", () => {
    const model = parseModel({
      sources: { prometheus: { url: 'http://prometheus:9090' } },
      nodes: [{ name: 'p', checks: [{ prometheus: { query: 'up{job="app"}', condition: '== 1' } }, { prometheus: { query: 'sum(up)', condition: '>= 1' } }] }],
    });
    const read = prometheusRead({ 'up{job="app"}': [{ labels: { __name__: 'up', job: 'app', instance: 'a' }, value: '1' }], 'sum(up)': [{ value: '3' }] });
    const seconds = (ms: number) => String(ms / 1000);
    const withTimes = (scrapedAgo: number, targetAgo: number) => ({
      ...read,
      sampleTimes: new Map([
        [
          'up{job="app"}',
          {
            ok: true as const,
            result: { resultType: 'vector' as const, samples: [{ labels: { job: 'app', instance: 'a' }, value: seconds(NOW - scrapedAgo), atMs: NOW }] },
          },
        ],
        // timestamp(sum(up)) is the evaluation time: no scrape time in it.
        ['sum(up)', { ok: true as const, result: { resultType: 'vector' as const, samples: [{ labels: {}, value: seconds(NOW), atMs: NOW }] } }],
      ]),
      targets: { ok: true as const, targets: [{ scrapeUrl: 'http://a/metrics', lastScrapeMs: NOW - targetAgo, intervalMs: 15_000 }] },
    });
    const reasons = (r: PrometheusRead) => evaluateModel(model, { nowMs: NOW, prometheus: r, since })[0].checks.map((c) => c.reason);
    assert.deepEqual(reasons(withTimes(3_000, 3_000)), ['fresh', 'fresh'], 'scraped 3 s ago, after the action');
    assert.deepEqual(reasons(withTimes(12_000, 3_000)), ['predates', 'fresh'], 'the series was scraped before the action; the target since');
    assert.deepEqual(reasons(withTimes(3_000, 12_000)), ['fresh', 'predates'], 'the target was last scraped before the action');
    assert.deepEqual(
      reasons({ ...withTimes(3_000, 3_000), targets: { ok: false, error: 'connection refused' } }),
      ['fresh', 'predates'],
      'no targets: the time is not known',
    );
  });
});
