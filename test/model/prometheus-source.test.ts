// The Prometheus source against a real Prometheus scraping two tiny targets whose metrics the test
// rewrites (and finally switches off), with alerting rules evaluated every second.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  allGreen,
  allRed,
  evaluateModel,
  findNode,
  parseModel,
  takeSnapshot,
  type CheckStatus,
  type EvaluatedNode,
  type Model,
} from '../../src/model/index.ts';
import { freePort } from '../helpers/nagios-nsca.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { prometheusAvailable, startMetricsTarget, startPrometheus, type MetricsTarget, type PrometheusServer } from '../helpers/prometheus-server.ts';
import { setTimeout as sleep } from 'node:timers/promises';

const RULES = `groups:
  - name: vigil-test
    interval: 1s
    rules:
      - alert: AppDown
        expr: up{job="app"} == 0
        for: 0s
      - alert: QueueDeep
        expr: queue_depth > 10
        for: 1h
`;

describe('Prometheus source → real Prometheus', { skip: requireBinary('prometheus', prometheusAvailable(), 'prometheus'), timeout: 120_000 }, () => {
  let prom: PrometheusServer;
  let t0: MetricsTarget;
  let t1: MetricsTarget;
  const modelOf = (nodes: unknown[], url = prom.url): Model => parseModel({ sources: { prometheus: { url, timeout: '3s' } }, nodes });
  const walk = (nodes: EvaluatedNode[]): CheckStatus[] => nodes.flatMap((n) => [...n.checks, ...walk(n.members)]);
  const check = async (spec: Record<string, unknown>, opts: { url?: string; now?: () => number } = {}): Promise<CheckStatus> => {
    const model = modelOf([{ name: 'x', checks: [{ prometheus: spec }] }], opts.url);
    return walk(evaluateModel(model, await takeSnapshot(model, { now: opts.now })))[0];
  };
  /** Polls until Prometheus shows what the test just changed (a scrape or an evaluation later). */
  const until = async (what: string, probe: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await probe())) {
      if (Date.now() > deadline) assert.fail(`Prometheus did not show: ${what}`);
      await sleep(250);
    }
  };

  before(async () => {
    t0 = await startMetricsTarget('vigil_test_healthy 1\nqueue_depth 5\n');
    t1 = await startMetricsTarget('vigil_test_healthy 1\n');
    prom = await startPrometheus({ jobs: { app: [t0.address, t1.address] }, rules: RULES });
  });
  after(async () => {
    await prom?.stop();
    await t0?.close();
    await t1?.close();
  });

  it('every series satisfying the condition is a fresh OK, green', async () => {
    const c = await check({ query: 'vigil_test_healthy', condition: '== 1' });
    assert.deepEqual([c.reason, c.state, c.green, c.output], ['fresh', 'OK', true, '2 series, all == 1']);
    assert.equal(c.id, 'prometheus:vigil_test_healthy == 1');
    assert.ok(Math.abs(Date.parse(c.lastCheck!) - Date.now()) < 10_000);
    const scalar = await check({ query: 'scalar(sum(vigil_test_healthy))', condition: '>= 2' });
    assert.deepEqual([scalar.state, scalar.green, scalar.raw], ['OK', true, '2']);
  });

  it('one series failing the condition makes the check CRITICAL and red, naming the series', async () => {
    t0.set('vigil_test_healthy 0\nqueue_depth 5\n');
    await until('t0 unhealthy', async () => (await prom.query('vigil_test_healthy == 0')).length === 1);
    const c = await check({ query: 'vigil_test_healthy', condition: '== 1' });
    assert.deepEqual([c.state, c.red, c.green, c.raw], ['CRITICAL', true, false, '0']);
    assert.match(c.output, new RegExp(`^1 of 2 series not == 1: vigil_test_healthy\\{instance="${t0.address}",job="app"\\} = 0$`));
    t0.set('vigil_test_healthy 1\nqueue_depth 5\n');
    await until('t0 healthy again', async () => (await prom.query('vigil_test_healthy == 0')).length === 0);
  });

  it('a value failing the condition but meeting warning is WARNING', async () => {
    t0.set('vigil_test_healthy 1\nqueue_depth 50\n');
    await until('queue_depth 50', async () => (await prom.query('queue_depth == 50')).length === 1);
    const c = await check({ query: 'queue_depth', condition: '< 10', warning: '< 100' });
    assert.deepEqual([c.state, c.green, c.red, c.raw], ['WARNING', false, false, '50']);
    assert.equal((await check({ query: 'queue_depth', condition: '< 10' })).state, 'CRITICAL', 'without warning: CRITICAL');
  });

  it('an alert check follows the rule: pending is WARNING; a rule that is not loaded is missing', async () => {
    // queue_depth is 50 since the test before: QueueDeep waits 1h before firing.
    await until('QueueDeep pending', async () => (await prom.query('ALERTS{alertname="QueueDeep",alertstate="pending"}')).length === 1);
    const pending = await check({ alert: 'QueueDeep' });
    assert.deepEqual([pending.state, pending.raw, pending.reason, pending.green], ['WARNING', 'pending', 'fresh', false]);
    assert.match(pending.output, /^1 alert pending: \{alertname="QueueDeep",instance=/);
    const quiet = await check({ alert: 'AppDown' });
    assert.deepEqual([quiet.state, quiet.raw, quiet.green, quiet.output], ['OK', 'inactive', true, 'rule loaded, not firing']);
    const absent = await check({ alert: 'NoSuchAlert' });
    assert.deepEqual([absent.reason, absent.green], ['missing', false]);
    assert.match(absent.detail!, /no alerting rule "NoSuchAlert" is loaded in Prometheus/);
  });

  it('no series is missing, never green: an unknown selector, and a series that stops being exposed', async () => {
    const none = await check({ query: 'up{job="nope"}', condition: '== 1' });
    assert.deepEqual([none.reason, none.state, none.green], ['missing', 'UNKNOWN', false]);
    assert.match(none.detail!, /returned no series: an absent series is not green/);
    assert.equal((await check({ query: 'queue_depth', condition: '>= 0' })).green, true);
    t0.set('vigil_test_healthy 1\n');
    // The next scrape writes a stale marker: the series is gone from instant queries at once.
    await until('queue_depth gone', async () => (await prom.query('queue_depth')).length === 0);
    assert.equal((await check({ query: 'queue_depth', condition: '>= 0' })).reason, 'missing');
  });

  it("a query Prometheus refuses is unreachable with Prometheus' own error; so is a range vector", async () => {
    const bad = await check({ query: 'up{', condition: '== 1' });
    assert.deepEqual([bad.reason, bad.state, bad.green], ['unreachable', 'UNKNOWN', false]);
    assert.match(bad.detail!, /^Prometheus answered 400: bad_data: .*parse error/);
    const range = await check({ query: 'up[1m]', condition: '== 1' });
    assert.equal(range.reason, 'unreachable');
    assert.match(range.detail!, /returns a range vector/);
  });

  it('a Prometheus that does not answer makes every check from it unreachable', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const c = await check({ query: 'up', condition: '== 1' }, { url });
    assert.equal(c.reason, 'unreachable');
    assert.match(c.detail!, new RegExp(`cannot reach Prometheus at ${url}: ECONNREFUSED`));
    const alert = await check({ alert: 'AppDown' }, { url });
    assert.equal(alert.reason, 'unreachable');
  });

  it("a sample older than its freshness is stale (an instant query's sample carries the evaluation time)", async () => {
    const later = () => Date.now() + 60 * 60_000;
    const c = await check({ query: 'vigil_test_healthy', condition: '== 1' }, { now: later });
    assert.deepEqual([c.reason, c.state, c.green], ['stale', 'OK', false]);
    assert.match(c.detail!, /sample 60m old, older than its freshness 10m/);
    const alert = await check({ alert: 'AppDown' }, { now: later });
    assert.equal(alert.reason, 'stale');
  });

  it('with a since, an answer counts once the samples behind it were scraped after it: a selector by its own sample time, a computed query and a rule by the targets', async () => {
    const model = modelOf([
      {
        name: 'x',
        checks: [
          { prometheus: { query: 'vigil_test_healthy', condition: '== 1' } },
          { prometheus: { query: 'sum(vigil_test_healthy)', condition: '>= 2' } },
          { prometheus: { alert: 'AppDown' } },
        ],
      },
    ]);
    // A moment just ahead: nothing Prometheus holds now can have been scraped after it.
    const since = { atMs: Date.now() + 1_500, what: 'the test moment' };
    const ask = async () => walk(evaluateModel(model, await takeSnapshot(model, { since })));
    const first = await ask();
    assert.deepEqual(
      first.map((c) => [c.reason, c.state]),
      [
        ['predates', 'OK'],
        ['predates', 'OK'],
        ['predates', 'OK'],
      ],
    );
    assert.match(first[0].detail!, /^not checked since the test moment \(its result was taken \d+s before\)$/);
    assert.ok(Date.parse(first[0].takenAt!) < Date.parse(first[0].lastCheck!), 'a selector carries its scrape time, older than the evaluation');
    let last = first;
    await until('every answer resting on scrapes after the moment', async () => (last = await ask()).every((c) => c.reason === 'fresh'));
    for (const c of last) assert.ok(Date.parse(c.takenAt!) >= since.atMs, `${c.id}: taken ${c.takenAt}, since ${new Date(since.atMs).toISOString()}`);
    assert.deepEqual(
      last.map((c) => c.green),
      [true, true, true],
    );
  });

  it("members are the values of a label; a member's target going down makes it all red and fires the alert", async () => {
    const model = modelOf([
      {
        name: 'shop',
        checks: [{ prometheus: { query: 'sum(up{job="app"})', condition: '>= 1' } }],
        members: { discover: { source: 'prometheus', query: 'up{job="app"}', label: 'instance', condition: '== 1' }, min: 2 },
      },
      { name: 'alerting', checks: [{ prometheus: { alert: 'AppDown', labels: { instance: t1.address } } }] },
    ]);
    const evaluate = async () => evaluateModel(model, await takeSnapshot(model));
    const [shop] = await evaluate();
    assert.deepEqual(
      shop.members.map((m) => m.name),
      [t0.address, t1.address].sort(),
    );
    assert.ok(shop.members.every((m) => m.discovered));
    assert.equal(allGreen(shop, true).holds, true);
    assert.equal(shop.members[0].checks[0].id, `prometheus:up{job="app"} == 1 [instance="${shop.members[0].name}"]`);

    await t1.close();
    await until('t1 down', async () => (await prom.query(`up{instance="${t1.address}"} == 0`)).length === 1);
    await until('AppDown firing', async () => (await prom.query('ALERTS{alertname="AppDown",alertstate="firing"}')).length === 1);
    const roots = await evaluate();
    const service = findNode(roots, 'shop');
    assert.equal(allGreen(service, false).holds, true, 'the service level still passes');
    assert.equal(allGreen(service, true).holds, false);
    assert.equal(allRed(findNode(roots, `shop/${t1.address}`), false).holds, true, 'the lost member is all red');
    const [firing] = findNode(roots, 'alerting').checks;
    assert.deepEqual([firing.state, firing.raw, firing.red], ['CRITICAL', 'firing', true]);
    assert.match(firing.output, /^1 alert firing: \{alertname="AppDown",instance="127\.0\.0\.1:\d+",job="app"\}$/);
  });
});
