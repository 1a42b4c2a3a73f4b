// `vigil model diff` end to end: the real CLI, a real Nagios 4 holding three environments' hosts (its
// host groups stg-app, prd-app, dr-app), one config file per environment. Issue 19's "done when": the
// diff names a member count difference between two configured environments.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nagiosAvailable } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { startModelNagios, type ModelNagios } from '../helpers/nagios-model-server.ts';
import { runVigil } from '../helpers/vigil-cli.ts';

const MEMBERS = { stg: 3, prd: 2, dr: 3 };
const hostsOf = (env: string, n: number) => Array.from({ length: n }, (_, i) => `${env}-app-${i}`);

describe('vigil model diff (CLI) → real Nagios 4', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 120_000 }, () => {
  let nagios: ModelNagios;
  let dir: string;
  const file = (name: string) => join(dir, name);
  // The config of one environment: its load balancer, its host group, its suite run with its grep filters.
  const environmentConfig = (env: string, environment: string, statusFile = nagios.statusFile) => `store: ./${env}.db
suites:
  checkout:
    path: ./suites/checkout
    environments: [staging, production, dr]
    grep: "@smoke"
    grepInvert: { production: "@payments" }
model:
  sources:
    nagios: { statusFile: "${statusFile}" }
  nodes:
    - name: shop
      checks:
        - nagios: { host: ${env}-lb, service: HTTP }
        - vigil: { suite: checkout, environment: ${environment} }
      members:
        min: 2
        discover: { source: nagios, hostgroup: ${env}-app, checks: [HTTP] }
`;
  const diff = (...args: string[]) => runVigil(['model', 'diff', ...args], { cwd: dir, timeoutMs: 60_000 });

  before(async () => {
    const envs = Object.entries(MEMBERS);
    nagios = await startModelNagios({
      hosts: envs.flatMap(([env, n]) => [{ name: `${env}-lb` }, ...hostsOf(env, n).map((name) => ({ name, groups: [`${env}-app`] }))]),
      services: envs.flatMap(([env, n]) => [`${env}-lb`, ...hostsOf(env, n)].map((host) => ({ host, service: 'HTTP' }))),
    });
    dir = await mkdtemp(join(tmpdir(), 'vigil-model-diff-'));
    await writeFile(file('staging.yaml'), environmentConfig('stg', 'staging'));
    await writeFile(file('production.yaml'), environmentConfig('prd', 'production'));
    await writeFile(file('dr.yaml'), environmentConfig('dr', 'dr'));
  });
  after(async () => {
    await nagios?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('staging vs production: exit 2, the member count (3 vs 2) and the suite filter that differ, one line each', async () => {
    const r = await diff('staging.yaml', 'production.yaml', '--strip', '^(stg|prd)-');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(
      r.stdout,
      [
        'shop: members: 3 vs 2',
        'shop: members only in staging.yaml: stg-app-2',
        'shop: vigil:checkout: grepInvert: none vs "@payments"',
        '3 differences in shape between staging.yaml (4 nodes, 8 checks) and production.yaml (3 nodes, 6 checks); values read staging.yaml vs production.yaml',
        '',
      ].join('\n'),
    );

    const json = JSON.parse((await diff('staging.yaml', 'production.yaml', '--strip', '^(stg|prd)-', '--json')).stdout);
    assert.equal(json.exitCode, 2);
    assert.deepEqual(json.differences[0], { path: 'shop', kind: 'members', a: '3', b: '2', message: 'shop: members: 3 vs 2' });
    assert.deepEqual(
      json.shapes.b[0].members.map((m: { shown: string }) => m.shown),
      ['prd-app-0', 'prd-app-1'],
    );
  });

  it('without --strip the environment-specific names are differences, each named', async () => {
    const r = await diff('staging.yaml', 'dr.yaml');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /^shop: members only in staging\.yaml: stg-app-0, stg-app-1, stg-app-2$/m);
    assert.match(r.stdout, /^shop: nagios:dr-lb!HTTP: only in dr\.yaml \(nagios service\)$/m);
  });

  it('staging vs dr: the same shape, exit 0', async () => {
    const r = await diff('staging.yaml', 'dr.yaml', '--strip', '^(stg|dr)-');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'same shape: staging.yaml (4 nodes, 8 checks) and dr.yaml (4 nodes, 8 checks)\n');
    const member = await diff('staging.yaml', 'production.yaml', '--strip', '^(stg|prd)-', '--node', 'shop/stg-app-0');
    assert.equal(member.code, 3, 'the node is looked up as each model names it: production has no stg-app-0');
    assert.match(member.stderr, /cannot read production\.yaml: no node "shop\/stg-app-0" in the model/);
  });

  it('exit 3 when a side cannot be read, naming which and why, with its secrets masked', async () => {
    await writeFile(file('broken.yaml'), environmentConfig('prd', 'production', '/nonexistent/${NAGIOS_SECRET_DIR}/status.dat'));
    const r = await runVigil(['model', 'diff', 'staging.yaml', 'broken.yaml'], { cwd: dir, env: { NAGIOS_SECRET_DIR: 'hunter2-secret' }, timeoutMs: 60_000 });
    assert.equal(r.code, 3, r.stdout);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^vigil model diff: cannot read broken\.yaml: the monitoring cannot be read: shop: cannot discover members \(Nagios host group prd-app\): .*\/nonexistent\/\*\*\*\/status\.dat/m,
    );
    assert.doesNotMatch(r.stderr, /hunter2-secret|staging\.yaml/);

    const missing = await diff('staging.yaml', 'nope.yaml');
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /^vigil model diff: cannot read nope\.yaml: config file nope\.yaml not found$/m);
  });
});
