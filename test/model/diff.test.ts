// `vigil model diff` without a server: two models over hand-built snapshots, reduced to their shape
// (members as discovered, checks by identity and type, suites' filters) and compared line by line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffShapes, modelShape, parseModel, renderDiff, type NodeShape, type Snapshot } from '../../src/model/index.ts';
import type { SuiteFilters } from '../../src/config/index.ts';
import { nagiosRead, NOW, ok, shopHosts, type HostFixture } from './fixtures.ts';

const sides = { a: 'staging.yaml', b: 'production.yaml' };

interface Side {
  nodes?: unknown[];
  hosts?: Record<string, HostFixture>;
  groups?: Record<string, string[]>;
  suites?: SuiteFilters | null;
  extra?: Partial<Snapshot>;
  strip?: RegExp;
}

const shopNode = (extra: Record<string, unknown> = {}) => ({
  name: 'shop',
  checks: [{ nagios: { host: 'shop-lb', service: 'HTTP' } }],
  members: { min: 2, discover: { source: 'nagios', hostgroup: 'shop-app', checks: ['HTTP'] } },
  ...extra,
});

function shape(s: Side = {}): NodeShape[] {
  const model = parseModel({
    sources: { nagios: { statusFile: '/var/lib/nagios4/status.dat' }, icinga2: { url: 'https://icinga:5665', user: 'vigil', password: 'x' } },
    nodes: s.nodes ?? [shopNode()],
  });
  const snapshot: Snapshot = { nowMs: NOW, nagios: nagiosRead(s.hosts ?? shopHosts(), s.groups ?? { 'shop-app': ['app-0', 'app-1', 'app-2'] }), ...s.extra };
  const result = modelShape(model, snapshot, { suites: s.suites ?? null, strip: s.strip });
  return result.nodes;
}

const messages = (a: Side, b: Side) => diffShapes(shape(a), shape(b), sides).map((d) => d.message);

describe('model diff: the shape of two models', () => {
  it('the same shape: no difference, and the summary says so with what was compared', () => {
    const a = shape();
    const b = shape();
    assert.deepEqual(diffShapes(a, b, sides), []);
    assert.deepEqual(renderDiff([], sides, { a, b }), ['same shape: staging.yaml (4 nodes, 7 checks) and production.yaml (4 nodes, 7 checks)']);
  });

  it('member counts: 3 vs 2, naming the member only on one side; its checks are not compared one by one', () => {
    const two = { hosts: shopHosts({}, 2), groups: { 'shop-app': ['app-0', 'app-1'] } };
    const differences = diffShapes(shape(), shape(two), sides);
    assert.deepEqual(
      differences.map((d) => d.message),
      ['shop: members: 3 vs 2', 'shop: members only in staging.yaml: app-2'],
    );
    assert.deepEqual(differences[0], { path: 'shop', kind: 'members', a: '3', b: '2', message: 'shop: members: 3 vs 2' });
    assert.deepEqual(differences[1].only, { side: 'a', names: ['app-2'] });
    assert.deepEqual(
      renderDiff(differences, sides, { a: shape(), b: shape(two) }).at(-1),
      '2 differences in shape between staging.yaml (4 nodes, 7 checks) and production.yaml (3 nodes, 5 checks); values read staging.yaml vs production.yaml',
    );
  });

  it('the same count with other members: one line per side, and a declared node on one side only', () => {
    const other = { hosts: { ...shopHosts({}, 2), 'app-7': { host: ok, services: { HTTP: ok } } }, groups: { 'shop-app': ['app-0', 'app-1', 'app-7'] } };
    assert.deepEqual(messages({ nodes: [shopNode(), { name: 'cache', checks: [{ nagios: { host: 'cache-0' } }] }] }, other), [
      'cache: only in staging.yaml (1 node, 1 check)',
      'shop: members only in staging.yaml: app-2',
      'shop: members only in production.yaml: app-7',
    ]);
  });

  it('--strip takes the environment out of the names: qa-app-0 and prod-app-0 are one member', () => {
    const env = (prefix: string): Side => {
      const names = [0, 1, 2].map((i) => `${prefix}-app-${i}`);
      return {
        nodes: [{ ...shopNode(), checks: [{ nagios: { host: `${prefix}-lb`, service: 'HTTP' } }] }],
        hosts: { [`${prefix}-lb`]: { services: { HTTP: ok } }, ...Object.fromEntries(names.map((n) => [n, { host: ok, services: { HTTP: ok } }])) },
        groups: { 'shop-app': names },
      };
    };
    const [qa, prod] = [env('qa'), env('prod')];
    assert.deepEqual(messages(qa, prod), [
      'shop: members only in staging.yaml: qa-app-0, qa-app-1, qa-app-2',
      'shop: members only in production.yaml: prod-app-0, prod-app-1, prod-app-2',
      'shop: nagios:prod-lb!HTTP: only in production.yaml (nagios service)',
      'shop: nagios:qa-lb!HTTP: only in staging.yaml (nagios service)',
    ]);
    const strip = /^(qa|prod)-/g;
    assert.deepEqual(messages({ ...qa, strip }, { ...prod, strip }), []);
  });

  it('checks per member: a service only on one side, one the monitoring lacks, a check type differing', () => {
    const lb = (node: Record<string, unknown>) => ({
      ...node,
      members: { min: 2, discover: { source: 'nagios', hostgroup: 'shop-app', checks: ['HTTP', 'LB'] } },
    });
    const withLb = shopHosts(Object.fromEntries(['app-0', 'app-1', 'app-2'].map((h) => [h, { host: ok, services: { HTTP: ok, LB: ok } }])));
    assert.deepEqual(messages({}, { nodes: [lb(shopNode())], hosts: withLb }), [
      'shop/app-0: nagios:app-0!LB: only in production.yaml (nagios service)',
      'shop/app-1: nagios:app-1!LB: only in production.yaml (nagios service)',
      'shop/app-2: nagios:app-2!LB: only in production.yaml (nagios service)',
    ]);
    // Both declare LB; staging's Nagios has no such service on app-1.
    const lacking = { ...withLb, 'app-1': { host: ok, services: { HTTP: ok } } };
    assert.deepEqual(messages({ nodes: [lb(shopNode())], hosts: lacking }, { nodes: [lb(shopNode())], hosts: withLb }), [
      "shop/app-1: nagios:app-1!LB: not in staging.yaml's monitoring (missing)",
    ]);
    // Declared on one side only, and not even in that side's monitoring: both said on the one line.
    assert.deepEqual(messages({}, { nodes: [lb(shopNode())], hosts: lacking }), [
      'shop/app-0: nagios:app-0!LB: only in production.yaml (nagios service)',
      'shop/app-1: nagios:app-1!LB: only in production.yaml (nagios service; missing from its monitoring)',
      'shop/app-2: nagios:app-2!LB: only in production.yaml (nagios service)',
    ]);
    const icinga: Partial<Snapshot> = { icinga2: { ok: true, snapshot: { origin: 'https://icinga:5665', hosts: new Map() } } };
    const viaIcinga = { nodes: [shopNode({ checks: [{ icinga2: { host: 'shop-lb', service: 'HTTP' } }] })], extra: icinga };
    assert.deepEqual(messages({}, viaIcinga), ['shop: shop-lb!HTTP: check type nagios service vs icinga2 service']);
  });

  it("the node's own settings: aggregate and members.min", () => {
    assert.deepEqual(
      messages({}, { nodes: [shopNode({ aggregate: { min: 2 }, members: { discover: { source: 'nagios', hostgroup: 'shop-app', checks: ['HTTP'] } } })] }),
      ['shop: aggregate: and vs min 2', 'shop: members.min: 2 vs none'],
    );
  });

  it("vigil checks: the suite's grep filters on each side's own environment, not the environment's name", () => {
    const check = (environment: string) => ({ nodes: [shopNode({ checks: [{ vigil: { suite: 'checkout', environment } }] })] });
    const suites: SuiteFilters = {
      checkout: { environments: ['staging', 'production'], grep: '@smoke', grepInvert: { production: '@payments' }, projects: ['chromium'] },
    };
    assert.deepEqual(messages({ ...check('staging'), suites }, { ...check('production'), suites }), ['shop: vigil:checkout: grepInvert: none vs "@payments"']);
    assert.deepEqual(messages({ ...check('staging'), suites }, { ...check('staging'), suites }), []);
    const firefox: SuiteFilters = { checkout: { ...suites.checkout, projects: ['firefox'], grepInvert: undefined } };
    assert.deepEqual(messages({ ...check('staging'), suites }, { ...check('production'), suites: firefox }), [
      'shop: vigil:checkout: projects: chromium vs firefox',
    ]);
    assert.deepEqual(messages({ ...check('staging'), suites }, { ...check('production'), suites: {} }), [
      'shop: vigil:checkout: suite: defined vs not in suites:',
    ]);
    assert.deepEqual(messages({ ...check('staging'), suites }, { ...check('production'), suites: null }), [], 'a model-only config has no filters to compare');
  });

  it('lines come in a stable order: by node path, a node before its members, the node settings before its checks', () => {
    const b = {
      nodes: [shopNode({ aggregate: 'or', checks: [{ nagios: { host: 'shop-lb' } }] }), { name: 'cache', checks: [{ nagios: { host: 'cache-0' } }] }],
    };
    const hosts = { ...shopHosts({}, 2), 'cache-0': { host: ok } };
    assert.deepEqual(messages({}, { ...b, hosts, groups: { 'shop-app': ['app-0', 'app-1'] } }), [
      'cache: only in production.yaml (1 node, 1 check)',
      'shop: aggregate: and vs or',
      'shop: members: 3 vs 2',
      'shop: members only in staging.yaml: app-2',
      'shop: nagios:shop-lb: only in production.yaml (nagios host)',
      'shop: nagios:shop-lb!HTTP: only in staging.yaml (nagios service)',
    ]);
  });
});
