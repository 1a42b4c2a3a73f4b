// `vigil model show|check` end to end: the real CLI, a real Nagios, the seed's scenario.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { nagiosAvailable } from '../helpers/nagios-server.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { startModelNagios, type ModelNagios } from '../helpers/nagios-model-server.ts';
import { runVigil, spawnVigil, waitForOutput } from '../helpers/vigil-cli.ts';

const APPS = ['app-0', 'app-1', 'app-2'];

describe('vigil model (CLI) → real Nagios 4', { skip: requireBinary('nagios4', nagiosAvailable()), timeout: 120_000 }, () => {
  let nagios: ModelNagios;
  let dir: string;
  let config: string;
  const vigil = (...args: string[]) => runVigil(['model', ...args, '--config', config], { timeoutMs: 60_000 });
  const allOk = () =>
    nagios.command(
      'PROCESS_SERVICE_CHECK_RESULT;shop-lb;HTTP;0;HTTP OK',
      ...APPS.flatMap((h) => [`PROCESS_HOST_CHECK_RESULT;${h};0;PING OK`, `PROCESS_SERVICE_CHECK_RESULT;${h};HTTP;0;HTTP OK`]),
    );

  before(async () => {
    nagios = await startModelNagios({
      hosts: [{ name: 'shop-lb' }, ...APPS.map((name) => ({ name, groups: ['shop-app'] }))],
      services: [{ host: 'shop-lb', service: 'HTTP' }, ...APPS.map((host) => ({ host, service: 'HTTP' }))],
    });
    dir = await mkdtemp(join(tmpdir(), 'vigil-model-cli-'));
    config = join(dir, 'vigil.yaml');
    await writeFile(
      config,
      `store: ./vigil.db
model:
  sources:
    nagios: { statusFile: ${nagios.statusFile}, commandFile: ${nagios.commandFile} }
  nodes:
    - name: shop
      checks:
        - nagios: { host: shop-lb, service: HTTP }
      members:
        min: 2
        discover: { source: nagios, hostgroup: shop-app, checks: [HTTP] }
`,
    );
    await allOk();
    await nagios.waitForStatus((s) => s.services.every((b) => b.has_been_checked === '1') && s.hosts.filter((h) => h.has_been_checked === '1').length === 3);
  });
  after(async () => {
    await nagios?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('show draws the tree with states and reasons', async () => {
    const r = await vigil('show', 'shop', '--transitive');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /^shop {2}OK {2}\(and; 1 check, 3 members\)$/);
    assert.match(lines[1], /^ {2}✓ OK {7}nagios:shop-lb!HTTP \[fresh, \d+s ago\] — HTTP OK$/);
    assert.match(r.stdout, /\n {2}app-0 {2}OK {2}\(and; 2 checks, 0 members; discovered\)\n {4}✓ OK {7}nagios:app-0 UP \[fresh, \d+s ago\] — PING OK\n/);
    assert.match(r.stdout, /all green transitively: yes · all red transitively: no\n$/);
  });

  it('show --json gives the evaluated tree and both answers', async () => {
    const r = await vigil('show', 'app-1', '--json');
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout);
    assert.equal(json.nodes[0].path, 'shop/app-1');
    assert.deepEqual(
      json.nodes[0].checks.map((c: { id: string; reason: string }) => [c.id, c.reason]),
      [
        ['nagios:app-1', 'fresh'],
        ['nagios:app-1!HTTP', 'fresh'],
      ],
    );
    assert.equal(json.nodes[0].allGreen.holds, true);
  });

  it("the seed's scenario: destroy app-0; shop stays all green non-transitively, app-0 goes all red, shop is not all green transitively", async () => {
    assert.equal((await vigil('check', 'shop', '--expect', 'all-green', '--transitive', '--within', '5s', '--interval', '200ms')).code, 0);
    // app-0 "dies" once the check has polled and said it is not red yet: it must wait for it, then hold.
    const red = spawnVigil(['model', 'check', 'app-0', '--expect', 'all-red', '--within', '20s', '--interval', '300ms', '--config', config]);
    await waitForOutput(red, 'stderr', (t) => /not all-red yet/.test(t), 20_000);
    await nagios.command('PROCESS_HOST_CHECK_RESULT;app-0;1;PING CRITICAL - 100% loss', 'PROCESS_SERVICE_CHECK_RESULT;app-0;HTTP;2;connection refused');
    const r = await red.done;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /shop\/app-0 not all-red yet \(2 in the way\)/);
    assert.match(r.stdout, /^shop\/app-0 is all red non-transitively \(2 checks in scope\) after \d+\.\ds/);

    assert.equal((await vigil('check', 'shop', '--expect', 'all-green', '--within', '2s', '--interval', '200ms')).code, 0);
    const transitive = await vigil('check', 'shop', '--expect', 'all-green', '--transitive', '--within', '1s', '--interval', '200ms');
    assert.equal(transitive.code, 2, transitive.stderr);
    assert.match(
      transitive.stdout,
      /^shop is not all green transitively \(7 checks in scope\) by the deadline \(1s\); in the way:\n {2}shop\/app-0: nagios:app-0 is DOWN \(CRITICAL\), fresh — PING CRITICAL - 100% loss\n {2}shop\/app-0: nagios:app-0!HTTP is CRITICAL, fresh — connection refused\n$/,
    );
  });

  it('check --recheck asks Nagios to re-check the checks in scope and says so', async () => {
    const r = await vigil('check', 'app-1', '--expect', 'all-red', '--within', '1s', '--interval', '200ms', '--recheck', '--json');
    assert.equal(r.code, 2);
    const json = JSON.parse(r.stdout);
    assert.equal(json.rechecksForced, 2);
    assert.ok(json.tree.checks.every((c: { recheckForcedAt?: string }) => typeof c.recheckForcedAt === 'string'));
    // Nagios reads its command file in its own time: wait (at most 10 s) for both commands in its log.
    let log = '';
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(200)) {
      log = await readFile(join(nagios.dir, 'nagios.log'), 'utf8');
      if (/SCHEDULE_FORCED_SVC_CHECK;app-1;HTTP/.test(log) && /SCHEDULE_FORCED_HOST_CHECK;app-1;/.test(log)) break;
    }
    assert.match(log, /EXTERNAL COMMAND: SCHEDULE_FORCED_SVC_CHECK;app-1;HTTP;\d+/);
    assert.match(log, /EXTERNAL COMMAND: SCHEDULE_FORCED_HOST_CHECK;app-1;\d+/);
  });

  it('exit 3 for an unknown node, an unreadable status.dat and a bad model file, each named', async () => {
    const unknown = await vigil('check', 'shpo', '--expect', 'all-green', '--within', '1s');
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /no node "shpo" in the model — did you mean 'shop'\?/);

    const notATime = await vigil('check', 'shop', '--expect', 'all-green', '--within', '1s', '--since', 'yesterday');
    assert.equal(notATime.code, 3);
    assert.match(
      notATime.stderr,
      /--since: "yesterday" is not a time: give an ISO 8601 time \(2026-12-06T10:00:00Z\), epoch seconds, "now", or a duration ago \(90s, 5m\)/,
    );

    const gone = join(dir, 'gone.yaml');
    await writeFile(
      gone,
      `model:\n  sources: { nagios: { statusFile: ./nope/status.dat } }\n  nodes: [{ name: shop, checks: [{ nagios: { host: shop-lb } }] }]\n`,
    );
    const unreachable = await runVigil(['model', 'check', 'shop', '--expect', 'all-green', '--within', '10s', '--config', gone]);
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /cannot ask the monitoring: nagios:shop-lb: status.dat .*nope\/status.dat does not exist/);

    const bad = join(dir, 'bad.yaml');
    await writeFile(
      join(dir, 'shop-model.yaml'),
      `nodes:\n  - name: shop\n    checks:\n      - nagios: { host: shop-lb }\n        vigil: { suite: demo, environment: prod }\n    agregate: or\n`,
    );
    await writeFile(bad, 'model: ./shop-model.yaml\n');
    const invalid = await runVigil(['model', 'show', '--config', bad]);
    assert.equal(invalid.code, 3);
    assert.match(
      invalid.stderr,
      /shop-model\.yaml: nodes\[0\]\.checks\[0\]: a check needs exactly one source \(nagios, icinga2, prometheus, vigil\), got nagios and vigil/,
    );
    assert.match(invalid.stderr, /shop-model\.yaml: nodes\[0\]\.agregate: unknown key — did you mean 'aggregate'\?/);

    // A model file is parsed like the config file: an alias bomb is a configuration error, not a crash.
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++)
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    await writeFile(join(dir, 'bomb-model.yaml'), `${levels.join('\n')}\n`);
    await writeFile(bad, 'model: ./bomb-model.yaml\n');
    const bombed = await runVigil(['model', 'show', '--config', bad]);
    assert.equal(bombed.code, 3);
    assert.match(bombed.stderr, /configuration error:\n {2}model file \.\/bomb-model\.yaml: .*alias/i);
    assert.doesNotMatch(bombed.stderr, /unexpected error|ReferenceError/);
  });
  it('vigil gate --model waits for the node to be all green transitively next to the suites, and fails the gate naming what is in the way', async () => {
    await allOk();
    const gateConfig = join(dir, 'gate.yaml');
    const quickSuite = join(import.meta.dirname, '../fixtures/quick-suite');
    await writeFile(
      gateConfig,
      `store: ./gate.db
artifacts: { dir: ./gate-artifacts }
environments:
  green: { baseURL: "http://127.0.0.1:9", tenants: stub }
tenants:
  stub:
    kind: command
    create: { command: ["node", "-e", "console.log(JSON.stringify({ id: '1' }))"] }
    delete: { command: ["true"] }
suites:
  quick: { path: ${quickSuite}, environments: [green], timeout: 1m }
model:
  sources:
    nagios: { statusFile: ${nagios.statusFile}, commandFile: ${nagios.commandFile} }
  nodes:
    - name: shop
      checks:
        - nagios: { host: shop-lb, service: HTTP }
      members:
        discover: { source: nagios, hostgroup: shop-app, checks: [HTTP] }
`,
    );
    const gate = (...args: string[]) => runVigil(['gate', '--config', gateConfig, '--environment', 'green', ...args], { timeoutMs: 90_000 });

    // The pipeline's deploy step ended here (Nagios' results carry whole seconds).
    const deployEnded = String(Math.floor(Date.now() / 1000) - 1);
    await allOk();
    const checkedSince = (since: string) => (b: { last_check?: string }) => Number(b.last_check) >= Number(since);
    await nagios.waitForStatus((st) => st.services.every(checkedSince(deployEnded)) && st.hosts.filter(checkedSince(deployEnded)).length === 3);
    const green = await gate('--model', 'shop', '--timeout', '60s', '--since', deployEnded);
    assert.equal(green.code, 0, green.stdout + green.stderr);
    assert.match(green.stdout, /^MODEL shop is all green transitively \(7 checks in scope\) after \d+\.\ds$/m);
    assert.match(green.stdout, /gate green: PASSED \(1 suite \+ model shop, exit 0\)/);
    assert.doesNotMatch(green.stderr, /forced a re-check/, 'every result was taken after the deploy: nothing to re-check');

    // Without --since, results from before the gate started do not count: each is re-checked (here
    // Nagios' check command is /bin/true) and the gate holds on the new results only.
    await sleep(1100);
    const recheck = await gate('--model', 'shop', '--timeout', '60s', '--json');
    assert.equal(recheck.code, 0, recheck.stdout + recheck.stderr);
    assert.match(recheck.stderr, /vigil gate: forced a re-check of 7 checks/);
    assert.match(recheck.stderr, /vigil gate: shop not all-green yet \(7 in the way\)/);

    const redSince = String(Math.floor(Date.now() / 1000) - 1);
    await allOk();
    await nagios.command('PROCESS_SERVICE_CHECK_RESULT;app-2;HTTP;2;HTTP CRITICAL - connection refused');
    await nagios.waitForStatus((st) => st.services.some((b) => b.host_name === 'app-2' && b.current_state === '2'));
    // Long enough for the suite to finish on a busy machine: the model holds the gate until the deadline.
    const junit = join(dir, 'gate.xml');
    const red = await gate('--model', 'shop', '--timeout', '20s', '--json', '--since', redSince, '--junit', junit);
    assert.equal(red.code, 2, red.stdout + red.stderr);
    const json = JSON.parse(red.stdout);
    assert.equal(json.results[0].status, 'passed', 'the suite passed: the model alone fails the gate');
    assert.equal(json.model.holds, false);
    assert.ok(
      json.model.answer.blockers.some((b: { what: string }) => b.what === 'nagios:app-2!HTTP'),
      JSON.stringify(json.model.answer.blockers),
    );
    // In JUnit the model is one more testcase, failed with what stood in the way.
    const xml = await readFile(junit, 'utf8');
    assert.match(xml, /<testcase classname="vigil\.green" name="quick@green" time="[\d.]+">\n {6}<system-out>/);
    assert.match(
      xml,
      /<testcase classname="vigil\.green" name="model shop" time="[\d.]+">\n {6}<failure message="MODEL shop is not all green transitively \(7 checks in scope\) by the deadline; in the way:" type="failed">[^<]*shop\/app-2: nagios:app-2!HTTP is CRITICAL, fresh/,
    );

    const unknown = await gate('--model', 'shpo', '--timeout', '10s');
    assert.equal(unknown.code, 3);
    assert.match(unknown.stdout, /MODEL shpo: cannot ask the monitoring: .*no node "shpo"/);
    await allOk();
  });
});
