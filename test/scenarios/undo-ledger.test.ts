// The undo ledger with the real CLI (docs/scenarios.md, "SIGTERM and kill -9"): `vigil scenario run`
// writes an action's undo to the store before the action starts — its name and the step's parameters,
// nothing the action takes from the environment — and a run killed with -9 (its whole process group)
// leaves it owed; the next `vigil scenario run` on the store leaves it alone while the killed run's
// lease holds, then runs it, says which undo for which scenario run, and empties the ledger. Every run
// is known to the store from its start (its own row in the ledger): the same pass records each killed
// run `interrupted` — the one that owed an undo, and one killed in a Given that owed none — naming the
// step and the process that stopped. A store that cannot keep a row stops the action (or the run)
// from starting.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ScenarioResult } from '../../src/scenarios/types.ts';
import { openStore } from '../../src/store/open-store.ts';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

const TOKEN = 's3cret-undo-token-4f9a';
const LEASE_MS = 10_000;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('vigil scenario run: the undo ledger survives kill -9', { timeout: 120_000 }, () => {
  let dir: string;
  let config: string;
  const env = { VIGIL_TEST_UNDO_TOKEN: TOKEN };
  const scenario = (file: string) => runVigil(['scenario', 'run', file, '--config', config], { env, timeoutMs: 60_000 });
  const inStore = async () => {
    const store = await openStore(join(dir, 'vigil.db'));
    try {
      return { undos: await store.undos.list(), runs: await store.undos.runs(), recorded: await store.scenarioRuns.list() };
    } finally {
      await store.close();
    }
  };
  const ledger = async () => (await inStore()).undos;
  const cli = (feature: string) =>
    spawn(process.execPath, [join(repoRoot, 'src/cli/vigil.js'), 'scenario', 'run', join(dir, feature), '--config', config], {
      cwd: repoRoot,
      env: { ...process.env, CI: undefined, ...env },
      stdio: 'ignore',
      detached: true,
    });
  const heldPid = async () => Number((await readFile(join(dir, 'held-pid'), 'utf8').catch(() => '')).trim()) || undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-undo-ledger-'));
    config = join(dir, 'vigil.yaml');
    // The hold takes the token from the environment (as a real action's credentials): the ledger must not.
    await writeFile(
      config,
      `store: ./vigil.db
api: { lease: ${LEASE_MS / 1000}s }
model:
  sources: { nagios: { statusFile: ./no/status.dat } }
  nodes: [{ name: shop, checks: [{ nagios: { host: shop-lb } }] }]
scenarios:
  steps: ./steps.ts
  actions:
    hold-member:
      command: ["sh", "-c", "echo $$ > held-pid; echo \\"$TOKEN\\" > /dev/null; exec sleep 60", "sh", "{{member}}", "${'${VIGIL_TEST_UNDO_TOKEN}'}"]
      env: { TOKEN: "${'${VIGIL_TEST_UNDO_TOKEN}'}" }
      timeout: 2m
      undo: release-member
    release-member: { command: ["sh", "-c", "echo released $1 >> released.txt", "sh", "{{member}}"] }
`,
    );
    await writeFile(
      join(dir, 'steps.ts'),
      `import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
export const steps = [
  { pattern: 'nothing happens', run() {} },
  { pattern: 'a slow precondition', async run(ctx) { writeFileSync(new URL('./slow-started', import.meta.url), ''); await sleep(60_000, undefined, { signal: ctx.signal }); } },
];
`,
    );
    await writeFile(
      join(dir, 'slow.feature'),
      'Feature: slow\n  Scenario: a precondition takes its time\n    Given a slow precondition\n    When I hold member "app-4"\n',
    );
    await writeFile(join(dir, 'hold.feature'), 'Feature: hold\n  Scenario: a member is held\n    When I hold member "app-3"\n');
    await writeFile(join(dir, 'quiet.feature'), 'Feature: quiet\n  Scenario: nothing changes\n    Given nothing happens\n');
  });
  after(async () => {
    const pid = await heldPid();
    try {
      if (pid) process.kill(pid, 'SIGKILL');
    } catch {
      // gone already: the runner stopped it
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('owed before the action runs (name and parameters only); after kill -9 the next run pays it once the lease ran out, and records both killed runs', async (t) => {
    // Two runs killed at once: one in its action (an undo owed), one in its Given (nothing owed).
    const child = cli('hold.feature');
    const slow = cli('slow.feature');
    const exited = Promise.all([child, slow].map((c) => new Promise((resolve) => c.on('exit', resolve))));
    try {
      await until('the hold action to start', heldPid);
      await until('the slow Given to start', async () => (existsSync(join(dir, 'slow-started')) ? true : undefined));
      const [row, ...more] = await ledger();
      assert.equal(more.length, 0);
      assert.equal(row.undo, 'release-member');
      assert.equal(row.action, 'hold-member');
      assert.deepEqual(row.params, { member: 'app-3' });
      assert.equal(row.scenario, 'a member is held');
      assert.match(row.owner, new RegExp(`^scenario-run@.+:${child.pid}$`));
      assert.equal(row.attempts, 0);
      assert.doesNotMatch(JSON.stringify(row), new RegExp(TOKEN));
      for (const file of ['vigil.db', 'vigil.db-wal']) {
        const bytes = await readFile(join(dir, file)).catch(() => Buffer.alloc(0));
        assert.equal(bytes.includes(TOKEN), false, `${file} holds the token`);
      }
      const going = (await inStore()).runs;
      assert.deepEqual(going.map((r) => [r.scenario, r.file, r.line, r.at?.text]).sort(), [
        ['a member is held', join(dir, 'hold.feature'), 2, 'I hold member "app-3"'],
        ['a precondition takes its time', join(dir, 'slow.feature'), 2, 'a slow precondition'],
      ]);
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
      process.kill(-slow.pid!, 'SIGKILL');
      await exited;
    }
    const killedAt = Date.now();
    process.kill((await heldPid())!, 'SIGKILL'); // the action's own process group outlives its parent
    const [owed] = await ledger();
    const slowRun = (await inStore()).runs.find((r) => r.scenario === 'a precondition takes its time')!;
    assert.equal(existsSync(join(dir, 'released.txt')), false, 'nothing restored it: the undo is still owed');

    const early = await scenario(join(dir, 'quiet.feature'));
    assert.equal(early.code, 0, early.stderr);
    assert.equal((await ledger()).length, 1, "the killed run's lease still holds: not this run's to pay");
    assert.doesNotMatch(early.stderr, /owed undo|killed scenario run/);
    assert.equal((await inStore()).recorded.filter((r) => r.status === 'interrupted').length, 0, 'nor to record');

    await sleep(Math.max(0, killedAt + LEASE_MS + 500 - Date.now()));
    const textfile = join(dir, 'scenarios.prom');
    const next = await runVigil(['scenario', 'run', join(dir, 'quiet.feature'), '--config', config, '--metrics-textfile', textfile], {
      env,
      timeoutMs: 60_000,
    });
    assert.equal(next.code, 0, next.stderr);
    assert.match(
      next.stderr,
      new RegExp(`owed undo ran: "release-member" "app-3" for scenario run ${owed.runId} \\(a member is held\\), left by scenario-run@`),
    );
    assert.equal(await readFile(join(dir, 'released.txt'), 'utf8'), 'released app-3\n');
    const after = await inStore();
    assert.deepEqual(after.undos, [], 'paid: the ledger is empty');
    assert.deepEqual(after.runs, [], "no run's row is left: the killed ones recorded, the quiet ones ended");
    const recorded = (id: string) => after.recorded.find((r) => r.id === id)?.result as ScenarioResult;
    const held = recorded(owed.runId);
    assert.equal(held.status, 'interrupted');
    assert.equal(held.file, join(dir, 'hold.feature'));
    assert.deepEqual(
      held.steps.map((s) => [s.keyword, s.text, s.line, s.status]),
      [['When', 'I hold member "app-3"', 3, 'interrupted']],
    );
    assert.deepEqual(
      held.cleanup.map((c) => [c.text, c.status]),
      [['release-member "app-3"', 'passed']],
    );
    assert.match(
      held.note!,
      new RegExp(
        `^the process running it \\(scenario-run@.+:${child.pid}\\) stopped without recording it \\(killed, or its machine lost\\) during step "When I hold member "app-3"" \\(line 3\\); its undos were run afterwards`,
      ),
    );
    const given = recorded(slowRun.runId);
    assert.ok(given, `the run killed in its Given is recorded too: ${JSON.stringify(after.recorded.map((r) => [r.scenario, r.status]))}`);
    assert.equal(given.status, 'interrupted');
    assert.deepEqual(
      given.steps.map((s) => [s.keyword, s.text, s.line, s.status]),
      [['Given', 'a slow precondition', 3, 'interrupted']],
    );
    assert.deepEqual(given.cleanup, []);
    assert.match(
      given.note!,
      new RegExp(
        `^the process running it \\(scenario-run@.+:${slow.pid}\\) stopped .* "Given a slow precondition" \\(line 3\\); no undo of it was owed any more; recorded by scenario-run@`,
      ),
    );
    assert.match(
      next.stderr,
      new RegExp(`a killed scenario run recorded as interrupted: ${slowRun.runId} \\(a precondition takes its time\\), left by scenario-run@.+:${slow.pid}`),
    );
    const prom = await readFile(textfile, 'utf8');
    assert.match(prom, /vigil_scenario_runs_total\{scenario="a precondition takes its time",status="interrupted"\} 1/);
    assert.match(prom, /vigil_scenario_runs_total\{scenario="a member is held",status="interrupted"\} 1/);
    assert.doesNotMatch(next.stderr + early.stderr, new RegExp(TOKEN));
    t.diagnostic(`paid ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (lease ${LEASE_MS / 1000} s)`);
  });

  it('a run that is not killed pays its own undo: the ledger is empty after it', async () => {
    const pid = await heldPid();
    // The hold would sleep a minute: a second step-less run cannot show it, so the undo runs via SIGTERM.
    const child = spawn(process.execPath, [join(repoRoot, 'src/cli/vigil.js'), 'scenario', 'run', join(dir, 'hold.feature'), '--config', config], {
      cwd: repoRoot,
      env: { ...process.env, CI: undefined, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await until('the hold action to start again', async () => {
      const now = await heldPid();
      return now && now !== pid ? now : undefined;
    });
    assert.equal((await ledger()).length, 1);
    child.kill('SIGTERM');
    assert.equal(await exited, 3, 'interrupted');
    assert.deepEqual(await ledger(), []);
    assert.equal(await readFile(join(dir, 'released.txt'), 'utf8'), 'released app-3\nreleased app-3\n');
  });
  it('a store that cannot keep the row: the action is not run, the step is an error (exit 3)', async () => {
    await rm(join(dir, 'held-pid'), { force: true });
    const db = new DatabaseSync(join(dir, 'vigil.db'));
    // Full for the undo's row only: the run's own row (written first) goes in.
    db.exec(`CREATE TRIGGER full_undos BEFORE INSERT ON scenario_undos WHEN NEW.undo_action <> '' BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    try {
      const r = await runVigil(['scenario', 'run', join(dir, 'hold.feature'), '--config', config, '--json'], { env, timeoutMs: 60_000 });
      assert.equal(r.code, 3, r.stderr);
      const [result] = JSON.parse(r.stdout).scenarios;
      assert.equal(result.steps[0].status, 'error');
      assert.match(result.steps[0].message, /^cannot record the undo "release-member" in the store's ledger, so "hold-member" was not run: .*disk is full/);
      assert.equal(existsSync(join(dir, 'held-pid')), false, 'the hold never ran');
      assert.deepEqual(result.cleanup, [], 'nothing to undo');
    } finally {
      db.exec('DROP TRIGGER full_undos');
      db.close();
    }
  });
  it("a store that cannot keep the run's own row: the run does not start, its first step is an error (exit 3)", async () => {
    await rm(join(dir, 'slow-started'), { force: true });
    const db = new DatabaseSync(join(dir, 'vigil.db'));
    db.exec(`CREATE TRIGGER full_runs BEFORE INSERT ON scenario_undos BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;`);
    try {
      const r = await runVigil(['scenario', 'run', join(dir, 'slow.feature'), '--config', config, '--json'], { env, timeoutMs: 60_000 });
      assert.equal(r.code, 3, r.stderr);
      const [result] = JSON.parse(r.stdout).scenarios;
      assert.equal(result.status, 'error');
      assert.deepEqual(
        result.steps.map((s: { status: string }) => s.status),
        ['error', 'skipped'],
      );
      assert.match(
        result.steps[0].message,
        /^cannot record the run's start in the store's ledger \(a kill -9 would leave no trace of it\), so it was not started: .*disk is full/,
      );
      assert.equal(existsSync(join(dir, 'slow-started')), false, 'the Given never ran');
    } finally {
      db.exec('DROP TRIGGER full_runs');
      db.close();
    }
  });
});
