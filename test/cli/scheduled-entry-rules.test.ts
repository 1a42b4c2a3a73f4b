// A scheduled entry (scenarios.schedule) keeps serve's rules wherever it runs or is checked: `vigil gate
// --scenario` run here refuses an entry outside its allow-list, or held by a pause or maintenance window,
// before anything is done (UNKNOWN, exit 3, with serve's words); `vigil config check` reads every entry's
// feature file and refuses what serve would refuse at start. The real CLI, no monitoring needed (the
// model is never asked: the scenarios' only step is a command).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

const env = { DEMO_ADMIN_TOKEN: 'tok-0123456789' };

describe('scheduled entries: their rules in vigil gate --scenario (run here) and vigil config check', () => {
  let dir: string;
  let good: string;
  let bad: string;
  let ran: string;

  const entry = (name: string, file: string, environments: string, more = '') =>
    `    ${name}:\n      file: ${file}\n      schedule: "0 0 1 1 *"\n      destructive: true\n      environments: ${environments}\n${more}`;
  const config = (schedule: string, extra = '') => `store: ./vigil.db
environments:
  staging: { baseURL: "http://127.0.0.1:9", tenants: demo }
  qa: { baseURL: "http://127.0.0.1:9", tenants: demo }
  production: { baseURL: "http://127.0.0.1:9", tenants: demo }
tenants:
  demo:
    kind: http
    create: { method: POST, url: "{{environment.baseURL}}/admin/tenants", headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" }, body: { name: "{{tenant.name}}" } }
    fields: { id: id }
    delete: { method: DELETE, url: "{{environment.baseURL}}/admin/tenants/{{tenant.id}}", headers: { authorization: "Bearer \${DEMO_ADMIN_TOKEN}" } }
suites:
  demo:
    path: ${join(repoRoot, 'suites/demo')}
    environments: [staging, qa]
model:
  sources: { nagios: { statusFile: ./no/status.dat } }
  nodes: [{ name: shop, checks: [{ nagios: { host: shop-lb } }] }]
${extra}scenarios:
  steps: ./steps.ts
  schedule:
${schedule}`;
  const goodEntries = () =>
    entry('touch', 'touch.feature', '[staging]', '      nagios: { host: vigil, service: scenario-touch }\n') +
    entry('suite-check', 'suite-staging.feature', '[staging]') +
    entry('opted-in', 'touch.feature', '[production]', '      production: true\n');
  const gate = (name: string, file = bad, extra: string[] = []) =>
    runVigil(['gate', '-e', 'staging', '--config', file, '--scenario', name, ...extra], { env, timeoutMs: 60_000 });
  const ranLines = async () => (existsSync(ran) ? (await readFile(ran, 'utf8')).trim().split('\n') : []);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-entry-rules-'));
    ran = join(dir, 'ran.txt');
    await writeFile(join(dir, 'touch.feature'), `Feature: touch\n  Scenario: the entry leaves a mark\n    When I run the command "echo ran >> ${ran}"\n`);
    await writeFile(
      join(dir, 'suite-staging.feature'),
      'Feature: suite\n  Scenario: the suite runs on staging\n    When I run the suite "demo" on "staging"\n',
    );
    await writeFile(join(dir, 'suite-qa.feature'), 'Feature: suite\n  Scenario: the suite runs on qa\n    When I run the suite "demo" on "qa"\n');
    await writeFile(join(dir, 'reboot.feature'), 'Feature: reboot\n  Scenario: a member is rebooted\n    When I reboot member "app-0"\n');
    // A team's own step calling the suite runner: held to the entry's allow-list at run time.
    await writeFile(
      join(dir, 'steps.ts'),
      `export const steps = [{ pattern: 'the team runs the suite on {string}', usesSuites: true, async run(ctx, environment) { await ctx.env.runSuite('demo', environment, ctx.signal); } }];\n`,
    );
    await writeFile(join(dir, 'team-qa.feature'), 'Feature: team\n  Scenario: the team runs the suite on qa\n    When the team runs the suite on "qa"\n');
    good = join(dir, 'vigil.yaml');
    await writeFile(good, config(goodEntries()));
    bad = join(dir, 'vigil-bad.yaml');
    await writeFile(
      bad,
      config(
        goodEntries() +
          entry('prod-touch', 'touch.feature', '[production]') +
          entry('qa-suite', 'suite-qa.feature', '[staging]') +
          entry('nowhere', 'touch.feature', '[preprod]') +
          entry('team-qa', 'team-qa.feature', '[staging]') +
          entry('reboot', 'reboot.feature', '[staging]') +
          entry('gone', 'missing.feature', '[staging]'),
      ),
    );
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('config check reads every scheduled file and refuses what serve refuses at start, naming entry, file, line and step (exit 3)', async () => {
    const r = await runVigil(['config', 'check', '--config', bad], { env });
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /configuration error/);
    assert.match(
      r.stderr,
      /scenarios\.schedule\.prod-touch\.environments: "production" is production \(by its name\): a destructive scenario runs there only with production: true on the entry/,
    );
    assert.match(
      r.stderr,
      /scenarios\.schedule: qa-suite: \S*suite-qa\.feature:3: step "When I run the suite "demo" on "qa"": "qa" is not among the environments this scheduled scenario may touch \(scenarios\.schedule\.qa-suite\.environments: staging\)/,
    );
    assert.match(r.stderr, /scenarios\.schedule\.nowhere\.environments: no environment "preprod" \(defined: staging, qa, production\)/);
    assert.match(r.stderr, /scenarios\.schedule: reboot: \S*reboot\.feature:3: step "When I reboot member "app-0"": needs the action "reboot-member"/);
    assert.match(r.stderr, /scenarios\.schedule: gone: \S*missing\.feature: not found/);
    assert.doesNotMatch(r.stderr, /\b(touch|suite-check|opted-in):/, 'the entries serve would take are not named');
    assert.ok(!existsSync(join(dir, 'vigil.db')), 'config check opens no store');
  });

  it('config check without a model refuses the schedule as serve does; a good schedule is described, production named', async () => {
    const noModel = join(dir, 'vigil-no-model.yaml');
    await writeFile(noModel, config(goodEntries()).replace(/^model:\n( {2}.*\n)+/m, ''));
    const refused = await runVigil(['config', 'check', '--config', noModel], { env });
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /scenarios\.schedule: scheduled scenarios ask the service model: declare it under `model:`/);

    const r = await runVigil(['config', 'check', '--config', good], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /scheduled scenarios \(destructive: their actions run for real on every fire\):\n {2}touch: touch\.feature, schedule 0 0 1 1 \*\n/);
    assert.match(r.stdout, / {4}scenarios: the entry leaves a mark \(line 2\)\n {4}nagios: vigil!scenario-touch\n/);
    assert.match(r.stdout, / {2}opted-in: touch\.feature, schedule 0 0 1 1 \*\n {4}environments: production \(production\)\n/);
    assert.match(r.stdout, /config OK\n$/);
    assert.ok(!r.stdout.includes(env.DEMO_ADMIN_TOKEN));
    assert.ok(!existsSync(join(dir, 'vigil.db')), 'config check opens no store');
  });

  it('gate --scenario here: an entry outside its allow-list is refused with serve’s words, nothing run (UNKNOWN, exit 3); an allowed one runs (exit 0)', async () => {
    const prod = await gate('prod-touch');
    assert.equal(prod.code, 3, prod.stdout + prod.stderr);
    assert.match(
      prod.stdout,
      /^SCENARIO prod-touch: UNKNOWN - scenarios\.schedule\.prod-touch\.environments: "production" is production \(by its name\): a destructive scenario runs there only with production: true on the entry$/m,
    );
    const qa = await gate('qa-suite', bad, ['--json']);
    assert.equal(qa.code, 3, qa.stdout + qa.stderr);
    const [result] = JSON.parse(qa.stdout).scenarios;
    assert.equal(result.exitCode, 3);
    assert.deepEqual(result.runs, []);
    assert.match(
      result.lines[0],
      /suite-qa\.feature:3: step "When I run the suite "demo" on "qa"": "qa" is not among the environments this scheduled scenario may touch/,
    );
    assert.deepEqual(await ranLines(), [], 'no refused entry ran');
    // The team's step is refused when it calls the runner, before a tenant is asked for (no run stored):
    // a fault of the config, UNKNOWN (exit 3), not the monitoring failing to notice (CRITICAL, 2).
    const team = await gate('team-qa', bad, ['--json']);
    assert.equal(team.code, 3, team.stdout + team.stderr);
    const [teamRun] = JSON.parse(team.stdout).scenarios[0].runs;
    assert.match(teamRun.line, /"qa" is not among the environments this scheduled scenario may touch \(scenarios\.schedule\.team-qa\.environments: staging\)/);
    assert.match(teamRun.line, /could not be carried out \(error\)/);
    assert.doesNotMatch(teamRun.line, /did not notice/);
    assert.doesNotMatch(team.stderr, /tenant/);

    // The entry serve would take runs here, though others of the file would not start serve.
    const ok = await gate('touch');
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^SCENARIO touch: OK - /m);
    assert.deepEqual(await ranLines(), ['ran']);
    const opted = await gate('opted-in', good);
    assert.equal(opted.code, 0, opted.stdout + opted.stderr);
    assert.deepEqual(await ranLines(), ['ran', 'ran']);
  });

  it('gate --scenario here: a pause on the entry or on a pair its suite steps run, or a maintenance window, refuses it (exit 3); resumed, it runs', async () => {
    const pause = (args: string[]) => runVigil(['pause', ...args, '--for', '1h', '--reason', 'deploy 4.2', '--config', good], { env });
    const resume = (args: string[]) => runVigil(['resume', ...args, '--config', good], { env });
    assert.equal((await pause(['--suite', 'scenario:touch', '--environment', 'staging'])).code, 0);
    const held = await gate('touch', good);
    assert.equal(held.code, 3, held.stdout + held.stderr);
    assert.match(
      held.stdout,
      /^SCENARIO touch: UNKNOWN - touch is held on staging until \S+ \(scenario:touch: deploy 4\.2\): no fire starts during a pause or maintenance window, not even by hand — resume it first$/m,
    );
    assert.match(held.stdout, /^gate staging: ERROR \(0 suites \+ scenario touch, exit 3\)$/m);
    const before = (await ranLines()).length;
    assert.equal((await resume(['--suite', 'scenario:touch', '--environment', 'staging'])).code, 0);
    const resumed = await gate('touch', good);
    assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
    assert.equal((await ranLines()).length, before + 1, 'held: not run; resumed: run once');

    // A pause on demo@staging holds the entry whose suite step runs it: refused before the suite starts.
    assert.equal((await pause(['--suite', 'demo', '--environment', 'staging'])).code, 0);
    const pair = await gate('suite-check', good);
    assert.equal(pair.code, 3, pair.stdout + pair.stderr);
    assert.match(pair.stdout, /^SCENARIO suite-check: UNKNOWN - suite-check is held on staging until \S+ \(demo: deploy 4\.2\)/m);
    assert.doesNotMatch(pair.stderr, /running demo|tenant/);
    assert.equal((await resume(['--suite', 'demo', '--environment', 'staging'])).code, 0);

    // A maintenance window on every suite of staging (the default `suite: "*"`), open now.
    const windowed = join(dir, 'vigil-window.yaml');
    await writeFile(
      windowed,
      config(goodEntries(), 'maintenance:\n  - environment: staging\n    schedule: "* * * * *"\n    duration: 1h\n    reason: storage migration\n'),
    );
    const window = await gate('touch', windowed);
    assert.equal(window.code, 3, window.stdout + window.stderr);
    assert.match(window.stdout, /^SCENARIO touch: UNKNOWN - touch is held on staging until \S+ \(scenario:touch: storage migration\): no fire starts/m);
    assert.equal((await ranLines()).length, before + 1);
  });
});
