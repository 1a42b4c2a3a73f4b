// A scheduled scenario across replicas on one PostgreSQL (docs/scenarios.md, "Across replicas"): two
// `vigil serve` children, A and B, on the same store with the same suite and scenario entry — only the
// entry's cron differs, so each replica takes fires of its own. The scenario is a command that marks its
// start and end and sleeps 15 s in between. While it runs on A: a suite run triggered on B on the same
// environment waits, and starts after the scenario's end; a fire of the entry asked of B by hand is
// refused (409, naming A); B's own fire of the entry is skipped as an overlap (counted on B's /metrics)
// instead of running beside it. A SIGKILLed mid-scenario leaves its holds behind: B's suite run waits
// for them, and starts once their lease (10 s) has run out. The same entry rules for a scheduled entry
// run by `vigil gate --scenario` here, without --server, on the replicas' store; and `vigil gate` and
// `vigil run` here take their pair's slot as a replica's run does.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import type { E2E } from '../helpers/e2e-setup.ts';
import { requireBinary } from '../helpers/nagios-skip.ts';
import { postgresAvailable, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { runVigil, spawnVigil } from '../helpers/vigil-cli.ts';
import { ask, eventually, metricValue, newToken, quickSuiteDir, startServe, type Served } from '../service/serve-harness.ts';

const token = newToken();
const LEASE_S = 10;
// A fires at :00 and :30, B at :10 and :40 — inside A's 15-second runs; then B again with a cron that
// stays quiet, so that after A's death no fire of B's takes the environment before the suite run.
const A_CRON = '0,30 * * * * *';
const B_CRON = '10,40 * * * * *';
const QUIET_CRON = '0 0 0 1 1 *';

function config(dir: string, cron: string): string {
  return `store: "\${VIGIL_DATABASE_URL}"
artifacts: { dir: ${path.join(dir, 'artifacts')} }
environments:
  local: { baseURL: "http://127.0.0.1:9", tenants: quick }
  other: { baseURL: "http://127.0.0.1:9", tenants: quick }
tenants:
  quick:
    kind: command
    create: { command: ["sh", "-c", "echo '{\\"id\\": \\"t1\\"}'"] }
    delete: { command: ["true"] }
suites:
  quick: { path: ${quickSuiteDir}, environments: [local, other], timeout: 1m, env: { QUICK_SLEEP_MS: "0", QUICK_FAIL: "0" } }
  quick2: { path: ${quickSuiteDir}, environments: [local], timeout: 1m, env: { QUICK_SLEEP_MS: "0", QUICK_FAIL: "0" } }
  slow: { path: ${quickSuiteDir}, environments: [local], timeout: 1m, env: { QUICK_SLEEP_MS: "20000", QUICK_FAIL: "0", QUICK_MARK: ${path.join(dir, 'slow-marks')} } }
api: { token: "\${VIGIL_API_TOKEN}", lease: ${LEASE_S}s, concurrency: 2 }
model:
  sources: { nagios: { statusFile: ./no/status.dat } }
  nodes: [{ name: shop, checks: [{ nagios: { host: shop-lb } }] }]
scenarios:
  actions:
    break-local: { command: ["sh", "-c", "echo broken >> gate-marks"], undo: repair-local }
    repair-local: { command: ["sh", "-c", "date +%s%3N >> repaired"] }
  schedule:
    hold:
      file: ./hold.feature
      schedule: "${cron}"
      destructive: true
      environments: [local]
    gated:
      file: ./gated.feature
      schedule: "${QUIET_CRON}"
      destructive: true
      environments: [local]
`;
}

describe('a scheduled scenario across replicas on one PostgreSQL', {
  skip: requireBinary('postgres', postgresAvailable(), 'postgresql-15'),
  timeout: 360_000,
}, () => {
  let server: TestPostgres;
  let dir: string;
  let url: string;
  let db: pg.Client;
  let marks: string;
  const served: Served[] = [];
  const replica = async (name: string, cron: string) => {
    const configFile = path.join(dir, `${name}.yaml`);
    await writeFile(configFile, config(dir, cron));
    const e = { configFile, env: { ...process.env } } as unknown as E2E;
    const s = await startServe(e, { token, args: ['--replica', name], env: { VIGIL_DATABASE_URL: url } });
    served.push(s);
    return s;
  };
  const started = async () => (await readFile(marks, 'utf8').catch(() => '')).split('\n').filter((l) => l === 'start').length;
  const runOf = async (runId: string) =>
    (await db.query<{ started_at: string; status: string }>('SELECT started_at, status FROM runs WHERE run_id = $1', [runId])).rows[0];
  /** The run once it is recorded. */
  const recorded = (runId: string, what: string) =>
    eventually(
      async () => {
        const r = await runOf(runId);
        return r?.status ? r : undefined;
      },
      what,
      45_000,
    );
  /** Once the replica's /metrics counts a skipped fire of the entry for `reason`. */
  const skipped = (on: Served, reason: string, what: string, timeoutMs: number) =>
    eventually(
      async () => {
        const metrics = await (await fetch(`${on.url}/metrics`)).text();
        return (metricValue(metrics, 'vigil_scenario_fires_skipped_total', { schedule: 'hold', reason }) ?? 0) >= 1 ? true : undefined;
      },
      what,
      timeoutMs,
      250,
    );
  const trigger = async (on: Served, suite = 'quick', environment = 'local') => {
    const answer = await ask(`${on.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite, environment }) });
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    return String(answer.json.runId);
  };

  before(async () => {
    server = await startPostgres();
    url = await server.createDatabase();
    db = new pg.Client({ connectionString: url });
    await db.connect();
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-scenario-holds-'));
    marks = path.join(dir, 'marks');
    await writeFile(
      path.join(dir, 'hold.feature'),
      `Feature: hold\n  Scenario: the environment is held\n    When I run the command "echo start >> ${marks}; sleep 15; echo end >> ${marks}"\n`,
    );
    await writeFile(
      path.join(dir, 'gated.feature'),
      `Feature: gated\n  Scenario: local is broken while the gate runs\n    When I run the action "break-local"\n    And I run the command "echo gstart >> gate-marks; sleep 5"\n`,
    );
  });
  after(async () => {
    for (const s of served) if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
    await db?.end();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('holds its entry and environment on every replica while it runs, and not past its lease once its replica is killed', async (t) => {
    const a = await replica('a', A_CRON);
    await eventually(async () => ((await started()) >= 1 ? true : undefined), "A's first fire", 45_000, 200);
    const b = await replica('b', B_CRON);

    // A suite run triggered on B while A's scenario acts on "local" waits for the scenario's end.
    const triggeredAt = new Date().toISOString();
    const waiting = await trigger(b);
    // Both of B's slots (api.concurrency 2) taken by runs waiting for the scenario: they give them up
    // meanwhile, so a run on another environment starts in one before the scenario ends.
    const alsoWaiting = await trigger(b, 'quick2');
    await eventually(async () => (/run waits: .*quick2|"suite":"quick2".*run waits/.test(b.log()) ? true : undefined), "B's second run waiting", 10_000, 100);
    const elsewhere = await trigger(b, 'quick', 'other');
    // A fire of the entry asked of B by hand (API, UI, vigil gate --server): refused as here, naming A.
    const askedAt = new Date().toISOString();
    const manual = await ask(`${b.url}/api/scenarios/schedule/hold/run`, { method: 'POST', token });
    assert.equal(manual.status, 409, JSON.stringify(manual.json));
    assert.match(String(manual.json.error), /^hold is already running on replica a \(fire [\w-]+\): one scenario at a time/);
    const run = await recorded(waiting, "B's suite run");
    const scenario = (await db.query<{ started_at: string; finished_at: string }>('SELECT started_at, finished_at FROM scenario_runs ORDER BY started_at'))
      .rows[0];
    assert.ok(scenario, 'the scenario ran');
    assert.equal(run.status, 'passed');
    assert.ok(triggeredAt < scenario.finished_at, `triggered ${triggeredAt}, before the scenario's end ${scenario.finished_at}`);
    assert.ok(askedAt < scenario.finished_at, `fire asked of B ${askedAt}, before the scenario's end ${scenario.finished_at}`);
    const other = (await recorded(elsewhere, 'the run on "other"')).started_at;
    assert.ok(
      other < scenario.finished_at,
      `the run on "other" started ${other}, before the scenario's end ${scenario.finished_at}: no slot kept by a waiting run`,
    );
    const second = await recorded(alsoWaiting, "B's second waiting run");
    assert.equal(second.status, 'passed');
    assert.ok(second.started_at > scenario.finished_at, `quick2 started ${second.started_at}, after the scenario's end`);
    assert.ok(run.started_at > scenario.finished_at, `B's run started ${run.started_at}, after the scenario's end ${scenario.finished_at}`);
    assert.match(b.log(), /run waits: the scheduled scenario hold holds local on replica a/);
    t.diagnostic(`B's run waited ${Date.parse(run.started_at) - Date.parse(triggeredAt)} ms for A's scenario`);

    // B's own fire of the entry comes while A runs it: skipped as an overlap, not run beside it.
    await skipped(b, 'overlap', "B's fire skipped as an overlap", 75_000);
    assert.match(b.log(), /scheduled scenario fire skipped: hold is running on replica a/);
    assert.doesNotMatch(b.log(), /"msg":"scheduled scenario: started"/, 'B never ran the entry beside A');
    await b.stop();
    const quietB = await replica('b', QUIET_CRON);

    // A killed mid-scenario (its :30 fire): its holds stay until their lease runs out, then B's run starts.
    const before = await started();
    await eventually(async () => ((await started()) > before ? true : undefined), "A's next fire", 45_000, 100);
    a.child.kill('SIGKILL');
    await a.child.done;
    const killedAt = Date.now();
    const held = (await db.query<{ hold_key: string; replica: string }>('SELECT hold_key, replica FROM scenario_holds ORDER BY hold_key')).rows;
    assert.deepEqual(
      held.map((h) => [h.hold_key, h.replica]),
      [
        ['environment:local', 'a'],
        ['scenario:hold', 'a'],
      ],
      'the killed replica left its holds',
    );
    const late = await trigger(quietB);
    const lateRun = await recorded(late, "B's run after A's holds ran out");
    const waitedMs = Date.parse(lateRun.started_at) - killedAt;
    assert.equal(lateRun.status, 'passed');
    t.diagnostic(`B's run started ${waitedMs} ms after A was killed holding (lease ${LEASE_S} s)`);
    assert.ok(waitedMs >= (LEASE_S / 4) * 1000, `started ${waitedMs} ms after the kill: it waited for the holds' lease`);
    assert.ok(waitedMs <= (LEASE_S + 10) * 1000, `started ${waitedMs} ms after the kill: the holds outlived their lease`);
    await eventually(
      async () => (Number((await db.query('SELECT count(*) AS n FROM scenario_holds')).rows[0].n) === 0 ? true : undefined),
      'the expired holds dropped',
      15_000,
    );

    // A fire whose holds vanish under it (its database lost them, or its replica stalled past their
    // lease): stopped by the next renewal, and UNKNOWN — not the previous answer left standing. On a
    // replica C started once A's killed run is recorded (by B, with state 3): C has no state before.
    await eventually(async () => ((await db.query('SELECT 1 FROM scenario_undos')).rowCount === 0 ? true : undefined), "A's killed run recorded", 30_000);
    const c = await replica('c', QUIET_CRON);
    assert.equal(metricValue(await (await fetch(`${c.url}/metrics`)).text(), 'vigil_scenario_state', { schedule: 'hold' }), undefined);
    const fire = await ask(`${c.url}/api/scenarios/schedule/hold/run`, { method: 'POST', token });
    assert.equal(fire.status, 202, JSON.stringify(fire.json));
    await eventually(
      async () => ((await db.query(`SELECT 1 FROM scenario_holds WHERE replica = 'c'`)).rowCount ? true : undefined),
      "C's fire holding",
      15_000,
      100,
    );
    await db.query(`DELETE FROM scenario_holds WHERE replica = 'c'`);
    const fired = await eventually(
      async () => {
        const answer = await ask(`${c.url}/api/scenarios/fires/${String(fire.json.fireId)}`);
        return answer.json.state === 'finished' ? answer.json : undefined;
      },
      'the fire stopped',
      20_000,
      250,
    );
    assert.equal(fired.judged, 3, JSON.stringify(fired));
    assert.match(String(fired.line), /could not be carried out \(interrupted\): .*its holds in the store ran out/);
    assert.match(c.log(), /this scheduled scenario's holds ran out/);
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'vigil_scenario_state', { schedule: 'hold' }), 3);
  });

  it('vigil gate --scenario run here holds the entry and its environment as a replica does, and past a kill -9 until its undo is paid', async (t) => {
    const e = await replica('e', QUIET_CRON);
    const gateMarks = path.join(dir, 'gate-marks');
    const gstarts = async () => (await readFile(gateMarks, 'utf8').catch(() => '')).split('\n').filter((l) => l === 'gstart').length;
    const gate = () =>
      spawnVigil(['gate', '-e', 'local', '--config', path.join(dir, 'e.yaml'), '--scenario', 'gated', '--timeout', '2m'], {
        cwd: dir,
        env: { VIGIL_DATABASE_URL: url, VIGIL_API_TOKEN: token, VIGIL_LOG_LEVEL: 'warn' },
      });

    // Run to its end: a suite run triggered on E meanwhile waits for it; a fire of the entry asked of E is refused, naming the gate.
    const first = gate();
    await eventually(async () => ((await gstarts()) >= 1 ? true : undefined), "the gate's scenario acting", 60_000, 100);
    const triggeredAt = new Date().toISOString();
    const waiting = await trigger(e);
    const manual = await ask(`${e.url}/api/scenarios/schedule/gated/run`, { method: 'POST', token });
    const heldNow = JSON.stringify((await db.query('SELECT * FROM scenario_holds')).rows);
    assert.equal(manual.status, 409, `${JSON.stringify(manual.json)}; holds: ${heldNow}; ${(await first.done).stderr}`);
    assert.match(String(manual.json.error), /^gated is already running on replica scenario-run@[^:]+:\d+ \(fire gate-[\w-]+\)/);
    const done = await first.done;
    assert.equal(done.code, 0, done.stdout + done.stderr);
    assert.match(done.stdout, /SCENARIO gated: OK/);
    const run = await recorded(waiting, "E's run triggered during the gate's scenario");
    const ran = (await db.query<{ finished_at: string }>(`SELECT finished_at FROM scenario_runs WHERE scenario = 'local is broken while the gate runs'`))
      .rows[0];
    assert.ok(
      triggeredAt < ran.finished_at && run.started_at > ran.finished_at,
      `triggered ${triggeredAt}, started ${run.started_at}, scenario ended ${ran.finished_at}`,
    );
    assert.match(e.log(), /run waits: the scheduled scenario gated holds local on replica scenario-run@/);
    assert.equal((await db.query('SELECT 1 FROM scenario_holds')).rowCount, 0, 'the gate gave its holds back');

    // The entry running on E (fired there by hand): the gate waits for it, then runs.
    const fired = await ask(`${e.url}/api/scenarios/schedule/gated/run`, { method: 'POST', token });
    assert.equal(fired.status, 202, JSON.stringify(fired.json));
    await eventually(async () => ((await gstarts()) >= 2 ? true : undefined), "E's fire acting", 30_000, 100);
    const after = gate();
    const waited = await after.done;
    assert.equal(waited.code, 0, waited.stdout + waited.stderr);
    assert.match(waited.stderr, /vigil gate: scenario gated waits: gated is running on replica e\n/);
    const [onE, here] = (
      await db.query<{ started_at: string; finished_at: string }>(
        `SELECT started_at, finished_at FROM scenario_runs WHERE scenario = 'local is broken while the gate runs' ORDER BY started_at DESC LIMIT 2`,
      )
    ).rows.reverse();
    assert.ok(here.started_at > onE.finished_at, `the gate's scenario started ${here.started_at}, before E's ended ${onE.finished_at}`);

    // Its holds gone under it (the database lost them, or it stalled past their lease): it stops at the
    // next renewal, its undo runs, and the gate says UNKNOWN — suite runs may have started there.
    const cut = gate();
    await eventually(async () => ((await gstarts()) >= 4 ? true : undefined), "the third gate's scenario acting", 60_000, 100);
    await db.query(`DELETE FROM scenario_holds WHERE replica LIKE 'scenario-run@%'`);
    const stopped = await cut.done;
    assert.equal(stopped.code, 3, stopped.stdout + stopped.stderr);
    assert.match(stopped.stderr, /vigil gate: scenario gated: its holds in the store ran out; stopping it/);
    assert.match(stopped.stdout, /SCENARIO gated: UNKNOWN - .*interrupted.*its holds in the store ran out/);

    // Killed with -9 after its action: the hold outlives its lease until E has paid the undo.
    const second = gate();
    await eventually(async () => ((await gstarts()) >= 5 ? true : undefined), "the last gate's scenario acting", 60_000, 100);
    second.kill('SIGKILL');
    await second.done;
    const killedAt = Date.now();
    const late = await trigger(e);
    const lateRun = await recorded(late, "E's run after the killed gate");
    const repairedAt = Number((await readFile(path.join(dir, 'repaired'), 'utf8')).trim().split('\n').at(-1));
    t.diagnostic(
      `undo paid ${repairedAt - killedAt} ms after the kill, E's run started ${Date.parse(lateRun.started_at) - killedAt} ms after it (lease ${LEASE_S} s)`,
    );
    assert.ok(repairedAt > killedAt, 'the undo was paid after the kill (by a replica)');
    assert.ok(
      Date.parse(lateRun.started_at) >= repairedAt,
      `E's run started ${lateRun.started_at}, before the undo was paid at ${new Date(repairedAt).toISOString()}`,
    );
    // Paid by whichever replica claimed it first (B and C from the first test still run).
    assert.match(
      served.map((s) => s.log()).join('\n'),
      /owed undo ran: \\?"repair-local\\?" for scenario run [\w-]+ \(local is broken while the gate runs, schedule gated\), left by scenario-run@/,
    );
    await eventually(
      async () =>
        (await db.query(`SELECT 1 FROM scenario_runs WHERE scenario = 'local is broken while the gate runs' AND status = 'interrupted'`)).rowCount
          ? true
          : undefined,
      "the killed gate's run recorded interrupted",
      30_000,
    );
    e.child.kill('SIGKILL');
    await e.child.done;
  });

  it('vigil gate and vigil run here wait for a scheduled scenario holding their environment, and a killed one is recorded by a replica', async (t) => {
    const f = await replica('f', QUIET_CRON);
    const env = { VIGIL_DATABASE_URL: url, VIGIL_API_TOKEN: token, VIGIL_LOG_LEVEL: 'warn' };
    const configFile = path.join(dir, 'f.yaml');
    const before = await started();
    const fired = await ask(`${f.url}/api/scenarios/schedule/hold/run`, { method: 'POST', token });
    assert.equal(fired.status, 202, JSON.stringify(fired.json));
    await eventually(async () => ((await started()) > before ? true : undefined), "F's scenario acting", 30_000, 100);
    const gated = await runVigil(['gate', '-e', 'local', '--suite', 'quick', '--config', configFile, '--json', '--timeout', '2m'], { env, cwd: dir });
    assert.equal(gated.code, 0, gated.stdout + gated.stderr);
    assert.match(gated.stderr, /vigil gate: quick@local waits: the scheduled scenario hold holds local on replica f\n/);
    const runId = String(JSON.parse(gated.stdout).results[0].runId);
    const run = await runOf(runId);
    const scenario = (await db.query<{ finished_at: string }>('SELECT finished_at FROM scenario_runs ORDER BY started_at DESC LIMIT 1')).rows[0];
    assert.ok(run.started_at > scenario.finished_at, `the gate's run started ${run.started_at}, before the scenario's end ${scenario.finished_at}`);
    t.diagnostic(`the gate's run started ${Date.parse(run.started_at) - Date.parse(scenario.finished_at)} ms after the scenario's end`);

    // `vigil run` killed with -9 mid-run: its lease runs out, a replica records the run interrupted and deletes its tenant.
    const killed = spawnVigil(['run', '--suite', 'slow', '--environment', 'local', '--config', configFile], { env, cwd: dir });
    const row = await eventually(
      async () => (await db.query<{ run_id: string; replica: string }>(`SELECT run_id, replica FROM active_runs WHERE suite = 'slow'`)).rows[0],
      "vigil run's slot",
      30_000,
      100,
    );
    assert.match(row.replica, /^run@[^:]+:\d+$/);
    await eventually(
      async () => ((await readFile(path.join(dir, 'slow-marks'), 'utf8').catch(() => '')).includes('test') ? true : undefined),
      'the slow suite running',
      60_000,
      100,
    );
    killed.kill('SIGKILL');
    await killed.done;
    const killedAt = Date.now();
    const lost = await recorded(row.run_id, 'the killed vigil run recorded by a replica');
    const result = JSON.parse((await db.query<{ result: string }>('SELECT result FROM runs WHERE run_id = $1', [row.run_id])).rows[0].result);
    t.diagnostic(`recorded by a replica ${Date.now() - killedAt} ms after the kill (lease ${LEASE_S} s)`);
    assert.equal(lost.status, 'error');
    assert.equal(result.errorPhase, 'interrupted');
    assert.match(result.errorMessage, /^replica run@[^ ]+ stopped renewing its lease .*recorded by replica [a-z]$/);
    assert.equal(result.tenant?.state, 'destroyed');
    f.child.kill('SIGKILL');
    await f.child.done;
  });

  it('a fire whose holds the store cannot take is skipped and counted (reason "store"), and the entry runs again once it can', async () => {
    // A store that refuses the holds: every new row of them breaks a constraint (the rows there stay).
    await db.query('ALTER TABLE scenario_holds ADD CONSTRAINT refused CHECK (false) NOT VALID');
    const before = await started();
    const d = await replica('d', '*/2 * * * * *');
    await skipped(d, 'store', "D's fire skipped for want of its holds", 20_000);
    assert.match(d.log(), /scheduled scenario fire skipped: cannot hold its environments in the store/);
    assert.equal(await started(), before, 'nothing ran without its holds');
    await db.query('ALTER TABLE scenario_holds DROP CONSTRAINT refused');
    await eventually(async () => ((await started()) > before ? true : undefined), "D's fire once the store holds again", 20_000, 200);
    d.child.kill('SIGKILL');
    await d.child.done;
  });
});
