// Scenario files that cannot be run are refused before anything runs, with file, line and step; a
// team's own step definitions load from scenarios.steps. The real CLI, no monitoring needed (the model
// is never asked).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

describe('vigil scenario run: files and steps', () => {
  let dir: string;
  let config: string;
  const feature = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };
  const scenario = (...args: string[]) => runVigil(['scenario', 'run', ...args, '--config', config], { timeoutMs: 60_000 });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-scenario-files-'));
    config = join(dir, 'vigil.yaml');
    await writeFile(
      config,
      `store: ./vigil.db
model:
  sources: { nagios: { statusFile: ./no/status.dat } }
  nodes: [{ name: shop, checks: [{ nagios: { host: shop-lb } }] }]
scenarios:
  steps: ./steps.ts
  actions:
    destroy-member: { command: ["true", "{{member}}"], undo: restore-member }
    restore-member: { command: ["sh", "-c", "echo restored $1 >> restored.txt", "sh", "{{member}}"] }
    switch: { http: { url: "http://127.0.0.1:9/{{service}}" } }
`,
    );
    await writeFile(
      join(dir, 'steps.ts'),
      `import { writeFile } from 'node:fs/promises';
export const steps = [
  { pattern: 'the team writes {string} to {string}', async run(ctx, text, file) { await writeFile(file, text + ' ' + ctx.step.type); } },
  { pattern: /^the team's step fails$/, run() { throw new Error('as it was told to'); } },
];
`,
    );
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a Gherkin syntax error names the file and line; nothing runs (exit 3)', async () => {
    const file = await feature('syntax.feature', 'Feature: broken\n  Scenario: one\n    Given the service "shop" is all green\n  this line is not Gherkin\n');
    const r = await scenario(file);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /syntax\.feature:4:3: expected: .*got 'this line is not Gherkin'/);
    assert.equal(r.stdout, '');
  });

  it('an unknown step names file, line and step and lists the closest known steps', async () => {
    const file = await feature(
      'unknown.feature',
      'Feature: typos\n  Scenario: one\n    Given the service "shop" is all green\n    When I destory the member "app-0"\n    Then within 2m the servise "shop" is all green\n',
    );
    const r = await scenario(file);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /unknown\.feature:4: step "When I destory the member "app-0"": no step matches this text; closest known steps:\n {4}I destroy member "app-0"\n/,
    );
    assert.match(
      r.stderr,
      /unknown\.feature:5: step "Then within 2m the servise "shop" is all green": no step matches this text; closest known steps:\n {4}within 2m the service "shop" is all green non-transitively\n/,
    );
  });

  it('an action the config does not define, a bad duration and a missing file are named before anything runs', async () => {
    const marker = join(dir, 'ran.txt');
    const file = await feature(
      'config.feature',
      `Feature: config\n  Scenario: one\n    When I run the command "touch ${marker}"\n    And I reboot member "app-0"\n    Then within soon the member "app-0" is all red\n    And I switch "shop" to "green"\n`,
    );
    const r = await scenario(file, join(dir, 'absent.feature'));
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /absent\.feature: not found/);
    const ok = await scenario(file);
    assert.equal(ok.code, 3, ok.stderr);
    assert.match(
      ok.stderr,
      /config\.feature:4: step "And I reboot member "app-0"": needs the action "reboot-member" in scenarios\.actions of the config \(defined: destroy-member, restore-member, switch\)/,
    );
    assert.match(ok.stderr, /config\.feature:5: step "Then within soon the member "app-0" is all red": "within soon": not a duration/);
    assert.doesNotMatch(ok.stderr, /config\.feature:6/, 'the switch step gives the {{service}} its action uses');
    await assert.rejects(readFile(marker), { code: 'ENOENT' });
  });

  it("a team's own steps run; a failing step fails the scenario (exit 2) and the undo of an earlier action still runs", async () => {
    const out = join(dir, 'team.txt');
    const file = await feature(
      'team.feature',
      `Feature: team steps\n  Scenario: custom\n    Given the team writes "hello" to "${out}"\n    When I destroy member "app-7"\n    Then the team's step fails\n    And the team writes "never" to "${out}"\n`,
    );
    const r = await scenario(file, '--json');
    assert.equal(r.code, 2, r.stderr);
    assert.equal(await readFile(out, 'utf8'), 'hello context');
    const [result] = JSON.parse(r.stdout).scenarios;
    assert.deepEqual(
      result.steps.map((s: { status: string }) => s.status),
      ['passed', 'passed', 'failed', 'skipped'],
    );
    assert.equal(result.steps[2].message, 'as it was told to');
    assert.equal(await readFile(join(dir, 'restored.txt'), 'utf8'), 'restored app-7\n');
  });

  it('the shipped example parses and binds to the shipped vocabulary', async () => {
    // Against a config with the suite it runs but without the actions: the only problem is the action
    // the config must supply.
    const bare = join(dir, 'bare.yaml');
    await writeFile(
      bare,
      `environments: { stack: { baseURL: "http://127.0.0.1:9", tenants: t } }
tenants: { t: { kind: command, create: { command: ["true"] }, delete: { command: ["true"] } } }
suites: { demo: { path: ${join(repoRoot, 'suites/demo')}, environments: [stack] } }
model:
  sources: { nagios: { statusFile: ./no/status.dat } }
  nodes: [{ name: shop }]
`,
    );
    const r = await runVigil(['scenario', 'run', join(repoRoot, 'scenarios/member-loss.feature'), '--config', bare]);
    assert.equal(r.code, 3);
    const problems = r.stderr.trim().split('\n').slice(1);
    assert.equal(problems.length, 1, r.stderr);
    assert.match(
      problems[0],
      /member-loss\.feature:19: step "When I destroy member "app-0"": needs the action "destroy-member" in scenarios\.actions of the config \(none defined\)$/,
    );
  });
});
