// "I run the action "NAME" with member "app-0" and check "HTTP"": a named action with placeholders
// given in the step's text (the negative control's disable-check uses it). The real CLI; the steps
// never ask the model, so no monitoring is needed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runVigil } from '../helpers/vigil-cli.ts';

import { DatabaseSync } from 'node:sqlite';
import { openStore } from '../../src/store/open-store.ts';

describe('vigil scenario run: named actions with values', () => {
  let dir: string;
  let config: string;
  const feature = async (name: string, steps: string) => {
    const file = join(dir, name);
    await writeFile(file, `Feature: with\n  Scenario: one\n${steps}`);
    return file;
  };
  const SECRET_TOKEN = `tok-${process.pid}-s3cr3t-value`;
  const scenario = (file: string, ...args: string[]) =>
    runVigil(['scenario', 'run', file, '--config', config, ...args], { timeoutMs: 60_000, env: { SECRET_TOKEN } });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-scenario-with-'));
    config = join(dir, 'vigil.yaml');
    // Each action appends its values to log.txt, so the test sees what it was given and in which order.
    await writeFile(
      config,
      `store: ./vigil.db
model:
  sources: { nagios: { statusFile: ./no/status.dat } }
  nodes: [{ name: shop, checks: [{ nagios: { host: shop-lb } }] }]
scenarios:
  actions:
    disable-check: { command: ["sh", "-c", "echo disable $1 $2 >> log.txt", "sh", "{{member}}", "{{check}}"], undo: enable-check }
    enable-check: { command: ["sh", "-c", "echo enable $1 $2 >> log.txt", "sh", "{{member}}", "{{check}}"] }
    drain-lb: { command: ["sh", "-c", "echo drain >> log.txt"] }
    stubborn: { command: ["sh", "-c", "trap '' TERM; sleep 40 & wait"], timeout: 2s }
    start-server: { command: ["sh", "-c", "sleep 40 & echo $! > server.pid; echo started"] }
    leaky: { command: ["sh", "-c", "echo token=\${SECRET_TOKEN}; exit 1"] }
`,
    );
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fills the placeholders from the text, and the undo gets the same values', async () => {
    const file = await feature(
      'with.feature',
      '    When I run the action "disable-check" with member "app-0" and check "HTTP LB"\n    And I run the action "drain-lb"\n',
    );
    const r = await scenario(file, '--json');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await readFile(join(dir, 'log.txt'), 'utf8'), 'disable app-0 HTTP LB\ndrain\nenable app-0 HTTP LB\n');
    const [result] = JSON.parse(r.stdout).scenarios;
    assert.deepEqual(
      result.cleanup.map((s: { text: string }) => s.text),
      ['enable-check "app-0" "HTTP LB"'],
    );
  });

  it('a missing value or a malformed "with" is refused before anything runs, naming file, line and step', async () => {
    await rm(join(dir, 'log.txt'), { force: true });
    const file = await feature(
      'bad.feature',
      '    When I run the action "drain-lb"\n    And I run the action "disable-check" with member "app-0"\n    And I run the action "disable-check" with member app-0\n    And I run the action "disable-check" with member "a" and member "b"\n',
    );
    const r = await scenario(file);
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /bad\.feature:4: step "And I run the action "disable-check" with member "app-0"": action "disable-check" uses \{\{check\}\}, which this step does not give \(it gives: member\)/,
    );
    assert.match(r.stderr, /bad\.feature:5: step .*: "with member app-0": write the action's values as name "value", joined by "and"/);
    assert.match(r.stderr, /bad\.feature:6: step .*: "with member "a" and member "b"": member is given twice/);
    await assert.rejects(readFile(join(dir, 'log.txt')), { code: 'ENOENT' });
  });

  it('an action ignoring SIGTERM fails at its timeout + the grace, not when it would have ended; an action starting a server in the background passes when it exits and the server keeps running', async () => {
    const file = await feature('processes.feature', '    When I run the action "start-server"\n    And I run the action "stubborn"\n');
    const started = Date.now();
    const r = await scenario(file, '--json');
    const took = Date.now() - started;
    assert.equal(r.code, 2, r.stderr + r.stdout);
    const [result] = JSON.parse(r.stdout).scenarios;
    assert.deepEqual(
      result.steps.map((s: { status: string }) => s.status),
      ['passed', 'failed'],
    );
    assert.ok(
      result.steps[0].durationMs < 2_000,
      `start-server returned when its command exited (${result.steps[0].durationMs} ms), not when the server's pipes closed`,
    );
    assert.match(result.steps[1].message, /^command sh -c "trap '' TERM; sleep 40 & wait" timed out after 2s/);
    assert.ok(result.steps[1].durationMs < 9_000, `the stubborn action ended ${result.steps[1].durationMs} ms after it started (timeout 2 s + grace 5 s)`);
    assert.ok(took < 20_000, `the whole run took ${took} ms`);
    const serverPid = Number(await readFile(join(dir, 'server.pid'), 'utf8'));
    try {
      process.kill(serverPid, 0);
    } catch {
      assert.fail('the server the action started in the background was killed with its command');
    } finally {
      process.kill(serverPid, 'SIGKILL');
    }
  });

  it('a secret an action was given from the environment reaches no output: not the failure line, the JUnit file, --json or the stored run', async () => {
    const file = await feature('leaky.feature', '    When I run the action "leaky"\n');
    const junit = join(dir, 'junit.xml');
    const r = await scenario(file, '--json', '--junit', junit);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    const [result] = JSON.parse(r.stdout).scenarios;
    assert.match(result.steps[0].message, /token=\*\*\*/, 'the output is kept, the secret masked');
    const store = await openStore(join(dir, 'vigil.db'));
    try {
      const stored = JSON.stringify(await store.scenarioRuns.list({ limit: 50 }));
      for (const [where, text] of [
        ['stderr', r.stderr],
        ['stdout', r.stdout],
        ['JUnit', await readFile(junit, 'utf8')],
        ['the store', stored],
      ] as const) {
        assert.ok(!text.includes(SECRET_TOKEN), `${where} holds the token`);
      }
      assert.match(stored, /token=\*\*\*/);
    } finally {
      await store.close();
    }
  });

  it('a store that cannot keep a scenario run (full disk): said on stderr and counted once per run, the next scenario still runs, the JUnit file has both', async () => {
    const file = join(dir, 'two.feature');
    await writeFile(file, 'Feature: two\n  Scenario: first\n    When I run the action "drain-lb"\n  Scenario: second\n    When I run the action "drain-lb"\n');
    const junit = join(dir, 'two.xml');
    const db = new DatabaseSync(join(dir, 'vigil.db'));
    db.exec(`CREATE TRIGGER full_scenarios BEFORE INSERT ON scenario_runs BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    try {
      const r = await scenario(file, '--json', '--junit', junit);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const said = r.stderr.split('\n').filter((l) => l.includes('the store could not save'));
      assert.equal(said.length, 2, r.stderr);
      assert.match(
        said[0],
        /^vigil scenario: the store could not save scenario run \S+ \(first passed\); its result is still in this command's output: .*disk is full/,
      );
      assert.deepEqual(
        JSON.parse(r.stdout).scenarios.map((x: { scenario: string; status: string }) => `${x.scenario} ${x.status}`),
        ['first passed', 'second passed'],
      );
      assert.equal((await readFile(junit, 'utf8')).match(/<testcase /g)?.length, 2);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      db.exec('DROP TRIGGER full_scenarios');
      db.close();
    }
  });
});
