// `vigil scenario run` end to end: the real CLI, a real Nagios 4, actions that are real commands
// feeding it passive results (test/fixtures/scenarios/flip-member.sh stands in for destroying a VM).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { createApiServer } from '../../src/api/server.ts';
import { openStore } from '../../src/store/open-store.ts';
import { quietLog } from '../exporters/prometheus/helpers.ts';
import { nagiosAvailable } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { startModelNagios, type ModelNagios } from '../helpers/nagios-model-server.ts';
import { repoRoot, runVigil, spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';

const APPS = ['app-0', 'app-1', 'app-2'];
const FLIP = join(repoRoot, 'test/fixtures/scenarios/flip-member.sh');

describe('vigil scenario run → real Nagios 4', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 180_000 }, () => {
  let nagios: ModelNagios;
  let dir: string;
  let config: string;
  const feature = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };
  const scenario = (...args: string[]) => runVigil(['scenario', 'run', ...args, '--config', config], { timeoutMs: 120_000 });

  before(async () => {
    nagios = await startModelNagios({
      hosts: [{ name: 'shop-lb' }, ...APPS.map((name) => ({ name, groups: ['shop-app'] }))],
      services: [{ host: 'shop-lb', service: 'HTTP' }, ...APPS.map((host) => ({ host, service: 'HTTP' }))],
    });
    dir = await mkdtemp(join(tmpdir(), 'vigil-scenario-'));
    config = join(dir, 'vigil.yaml');
    // No commandFile in the model: this Nagios answers a forced check with /bin/true (OK), which
    // would undo the destroy; the actions write to the command file themselves.
    await writeFile(
      config,
      `store: ./vigil.db
model:
  sources:
    nagios: { statusFile: ${nagios.statusFile} }
  nodes:
    - name: shop
      checks:
        - nagios: { host: shop-lb, service: HTTP }
      members:
        min: 2
        discover: { source: nagios, hostgroup: shop-app, checks: [HTTP] }
scenarios:
  within: 20s
  interval: 200ms
  actions:
    destroy-member:
      command: [${FLIP}, ${nagios.commandFile}, "{{member}}", down, "1", shop-lb]
      undo: restore-member
    restore-member:
      command: [${FLIP}, ${nagios.commandFile}, "{{member}}", up]
`,
    );
  });
  beforeEach(async () => {
    await nagios.command(
      'PROCESS_SERVICE_CHECK_RESULT;shop-lb;HTTP;0;HTTP OK',
      ...APPS.flatMap((h) => [`PROCESS_HOST_CHECK_RESULT;${h};0;PING OK`, `PROCESS_SERVICE_CHECK_RESULT;${h};HTTP;0;HTTP OK`]),
    );
    await nagios.waitForStatus(
      (s) =>
        s.services.every((b) => b.current_state === '0' && b.has_been_checked === '1') &&
        s.hosts.filter((h) => h.has_been_checked === '1' && h.current_state === '0').length === 3,
    );
  });
  after(async () => {
    await nagios?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("the seed's example: the service stays green non-transitively, the destroyed member goes red; time to detect recorded, member restored", async () => {
    // The seed's words; the Thens wait for results taken after the destroy (they arrive a second later).
    const file = await feature(
      'member-loss.feature',
      `Feature: Losing one member of the shop
  Scenario: one app member is destroyed
    Given the service "shop" is all green transitively
    When I destroy member "app-0"
    Then the service "shop" is all green non-transitively
    And the member "app-0" is all red
`,
    );
    const metrics = join(dir, 'scenarios.prom');
    const r = await scenario(file, '--json', '--metrics-textfile', metrics);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const json = JSON.parse(r.stdout);
    const [result] = json.scenarios;
    assert.equal(result.status, 'passed');
    assert.deepEqual(
      result.steps.map((s: { keyword: string; status: string }) => `${s.keyword} ${s.status}`),
      ['Given passed', 'When passed', 'Then passed', 'And passed'],
    );
    // The results arrive a second after the destroy: neither Then can hold before them, and the
    // service level no longer holds "at once" on the OK from before the destroy.
    const [, , service, red] = result.steps;
    assert.equal(red.text, 'the member "app-0" is all red');
    assert.ok(red.timeToDetectMs >= 1000 && red.timeToDetectMs < 20_000, `time to detect ${red.timeToDetectMs}`);
    assert.ok(service.timeToDetectMs >= 1000 && service.timeToDetectMs < 20_000, `the service level held ${service.timeToDetectMs} ms after the destroy`);
    assert.match(r.stderr, /shop not all-green yet \(1 in the way\)/);
    assert.deepEqual(
      result.cleanup.map((s: { text: string; status: string }) => [s.text, s.status]),
      [['restore-member "app-0"', 'passed']],
    );
    assert.match(r.stderr, /✓ And the member "app-0" is all red — held \d+\.\ds after the action/);

    // The cleanup's effect: app-0 is back.
    await nagios.waitForStatus((s) => s.services.some((b) => b.host_name === 'app-0' && b.current_state === '0' && b.plugin_output === 'HTTP OK - restored'));

    const db = new DatabaseSync(join(dir, 'vigil.db'), { readOnly: true });
    const rows = db.prepare('SELECT scenario, status, result FROM scenario_runs').all() as Array<{ scenario: string; status: string; result: string }>;
    db.close();
    assert.deepEqual(
      rows.map((row) => [row.scenario, row.status]),
      [['one app member is destroyed', 'passed']],
    );
    assert.equal(JSON.parse(rows[0].result).steps[3].timeToDetectMs, red.timeToDetectMs);

    // The stored run in the UI and the API, as `vigil serve` shows it.
    const store = await openStore(join(dir, 'vigil.db'));
    const api = await createApiServer({ store, listen: '127.0.0.1:0', log: quietLog(), artifactsDir: join(dir, 'artifacts') });
    try {
      const list = await (await fetch(`${api.url}/scenarios`)).text();
      assert.match(list, /<span class="badge passed">passed<\/span><\/td><td><a href="\/scenarios\/[^"]+">one app member is destroyed<\/a>/);
      const runs = ((await (await fetch(`${api.url}/api/scenarios`)).json()) as { runs: Array<{ id: string; status: string }> }).runs;
      assert.deepEqual(
        runs.map((r) => r.status),
        ['passed'],
      );
      const one = await (await fetch(`${api.url}/scenarios/${encodeURIComponent(runs[0].id)}`)).text();
      assert.match(one, /the member &quot;app-0&quot; is all red/);
      assert.match(one, new RegExp(`${(red.timeToDetectMs / 1000).toFixed(1)} s`));
      assert.match(one, /<h2>Cleanup<\/h2>/);
      assert.equal((await fetch(`${api.url}/scenarios/nope`)).status, 404);
    } finally {
      await api.close();
      await store.close();
    }

    const text = await readFile(metrics, 'utf8');
    assert.match(text, /^vigil_scenario_runs_total\{scenario="one app member is destroyed",status="passed"\} 1$/m);
    assert.match(text, /^vigil_scenario_runs_total\{scenario="one app member is destroyed",status="failed"\} 0$/m);
    assert.match(text, /^vigil_scenario_last_success_timestamp_seconds\{scenario="one app member is destroyed"\} \d+(\.\d+)?$/m);
    const ttd = text.match(
      /^vigil_scenario_time_to_detect_seconds\{scenario="one app member is destroyed",step="the member \\"app-0\\" is all red"\} ([\d.]+)$/m,
    );
    assert.ok(ttd, text);
    assert.equal(Number(ttd[1]), red.timeToDetectMs / 1000);
  });

  it('a Then that never holds fails with what stood in the way at the deadline: exit 2, JUnit names the failing step', async () => {
    const file = await feature(
      'never.feature',
      `Feature: A negative control that the monitoring fails
  Scenario: a member that nobody broke is expected red
    Given the service "shop" is all green transitively
    When I run the command "true"
    Then within 1s the member "app-1" is all red
    And the service "shop" is all green
`,
    );
    const junit = join(dir, 'never.xml');
    const r = await scenario(file, '--junit', junit);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    assert.match(r.stdout, /^failed {6}a member that nobody broke is expected red \(.*never\.feature:2\)/m);
    assert.match(
      r.stdout,
      /never\.feature:5: Then within 1s the member "app-1" is all red: shop\/app-1 is not all red non-transitively \(2 checks in scope\) by the deadline \(1\.0s, \d+ polls\); in the way:/,
    );
    // Nobody checked app-1 since the action: its OKs from before neither hold nor fail the Then.
    assert.match(
      r.stdout,
      /\n {6}shop\/app-1: nagios:app-1 is UP \(OK\), predates: not checked since the action before it ended \(its result was taken \d+s before\) — PING OK\n {6}shop\/app-1: nagios:app-1!HTTP is OK, predates: not checked since the action before it ended \(its result was taken \d+s before\) — HTTP OK\n/,
    );
    assert.match(r.stdout, /the tree at the deadline:/);
    assert.match(r.stderr, /- And the service "shop" is all green \(skipped\)/);

    const xml = await readFile(junit, 'utf8');
    assert.equal(XMLValidator.validate(xml), true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    const testcase = doc.testsuites.testsuite.testcase;
    assert.equal(testcase.name, 'a member that nobody broke is expected red');
    assert.match(testcase.failure.message, /never\.feature:5: Then within 1s the member "app-1" is all red: shop\/app-1 is not all red/);
    assert.match(testcase.failure['#text'], /shop\/app-1: nagios:app-1!HTTP is OK, predates: not checked since the action before it ended/);
    assert.equal(doc.testsuites.failures, '1');
  });

  it('SIGTERM while a Then waits: the scenario stops, the undo still restores the member, exit 3', async () => {
    const file = await feature(
      'interrupted.feature',
      `Feature: Interrupted
  Scenario: destroy and wait for something that will not happen
    When I destroy member "app-0"
    And I wait 2s
    Then within 60s the member "app-0" is all green
    And finally I run the command "echo finally > ${join(dir, 'finally.txt')}"
`,
    );
    const child = spawnVigil(['scenario', 'run', file, '--config', config]);
    await waitForOutput(child, 'stderr', (t) => /shop\/app-0 not all-green yet \(2 in the way\)/.test(t));
    child.kill('SIGTERM');
    const r = await child.done;
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(r.stderr, /SIGTERM received, stopping and running the cleanups/);
    assert.match(r.stderr, /✓ cleanup: restore-member "app-0"/);
    assert.match(r.stdout, /^interrupted .*interrupted\.feature:2/m);
    await nagios.waitForStatus((s) => s.services.some((b) => b.host_name === 'app-0' && b.plugin_output === 'HTTP OK - restored'), 10_000);
    assert.equal(await readFile(join(dir, 'finally.txt'), 'utf8'), 'finally\n');
  });

  it('a source that cannot be read before anything changed is exit 3, and nothing ran', async () => {
    const gone = join(dir, 'gone.yaml');
    await writeFile(
      gone,
      `store: ./gone.db\nmodel:\n  sources: { nagios: { statusFile: ./nope/status.dat } }\n  nodes: [{ name: shop, checks: [{ nagios: { host: shop-lb } }] }]\n`,
    );
    const marker = join(dir, 'should-not-exist');
    const file = await feature(
      'unreachable.feature',
      `Feature: x\n  Scenario: y\n    Given the service "shop" is all green\n    When I run the command "touch ${marker}"\n`,
    );
    const r = await runVigil(['scenario', 'run', file, '--config', gone]);
    assert.equal(r.code, 3, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /^error {7}y .*unreachable\.feature:3: Given the service "shop" is all green: model check: cannot ask the monitoring: nagios:shop-lb: status\.dat .*nope\/status\.dat does not exist/ms,
    );
    await assert.rejects(readFile(marker), { code: 'ENOENT' });
  });
});
