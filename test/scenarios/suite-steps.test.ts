// A Vigil suite as a scenario step: run through the orchestrator (tenant, suite, teardown) and recorded
// like any run; "passes" and "fails" judge that run — "fails" is the negative control. Uses the
// browserless quick suite (test/fixtures/quick-suite) and a command provisioner.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

const QUICK = join(repoRoot, 'test/fixtures/quick-suite');

describe('vigil scenario run: suites as steps', { timeout: 120_000 }, () => {
  let dir: string;
  let config: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-scenario-suites-'));
    config = join(dir, 'vigil.yaml');
    await writeFile(
      config,
      `store: ./vigil.db
artifacts: { dir: ./artifacts }
environments:
  staging: { baseURL: "http://127.0.0.1:9", tenants: local }
tenants:
  local:
    kind: command
    create: { command: ["sh", "-c", "echo '{\\"id\\": \\"t-1\\"}'"] }
    delete: { command: ["true"] }
suites:
  checkout: { path: ${QUICK}, environments: [staging] }
  broken: { path: ${QUICK}, environments: [staging], env: { QUICK_FAIL: "1" } }
model:
  sources: { nagios: { statusFile: ./no/status.dat } }
  nodes: [{ name: shop, checks: [{ vigil: { suite: checkout, environment: staging } }] }]
`,
    );
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the suites, records the runs, and judges them: a passing one passes, a broken one fails as the control expects', async () => {
    const file = join(dir, 'suites.feature');
    await writeFile(
      file,
      `Feature: suites
  Scenario: the app and its negative control
    When I run the suite "checkout" on "staging"
    And I run the suite "broken" on "staging"
    Then the suite "checkout" on "staging" passes
    And the suite "broken" on "staging" fails
    And within 5s the service "shop" is all green
    And the suite "broken" on "staging" passes
`,
    );
    const r = await runVigil(['scenario', 'run', file, '--config', config, '--json'], { timeoutMs: 110_000 });
    assert.equal(r.code, 2, r.stderr + r.stdout);
    const [result] = JSON.parse(r.stdout).scenarios;
    assert.deepEqual(
      result.steps.map((s: { status: string }) => s.status),
      ['passed', 'passed', 'passed', 'passed', 'passed', 'failed'],
    );
    assert.match(result.steps[0].note, /^passed \(run \S+: 1 passed, 0 failed\)$/);
    assert.match(result.steps[5].message, /^suite "broken" on "staging" failed, expected it to pass \(run \S+\)\n {2}answers quickly: /);

    const db = new DatabaseSync(join(dir, 'vigil.db'), { readOnly: true });
    const runs = db.prepare('SELECT suite, status, trigger FROM runs ORDER BY started_at').all();
    db.close();
    assert.deepEqual(
      runs.map((row) => ({ ...row })),
      [
        { suite: 'checkout', status: 'passed', trigger: 'cli' },
        { suite: 'broken', status: 'failed', trigger: 'cli' },
      ],
    );
  });
});
