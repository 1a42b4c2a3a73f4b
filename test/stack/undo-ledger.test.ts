// The undo ledger across a kill -9 of `vigil serve` (docs/scenarios.md, "SIGTERM and kill -9"), on one
// real example stack: serve runs member loss on a schedule; once the scenario has destroyed app-0,
// serve's whole process group is killed with SIGKILL — no cleanup can run, so app-0 stays out of
// HAProxy and the store still owes its restore. serve started again on the same store (same replica
// name) runs the owed undo before anything else: app-0 is UP in HAProxy's runtime API, the ledger is
// empty and the log names the undo and the scenario run it was owed by; /metrics says none is owed.
// The killed run itself is recorded interrupted, naming the step it was in, and — like a suite run
// whose replica stopped — reaches the monitoring: vigil_scenario_state 3 and the entry's passive
// service UNKNOWN in the real Nagios (a harness fault, never OK). Started under another name, serve
// leaves the killed replica's rows alone until their lease ran out, then pays the undo and records
// the run on the lease beat — counted, but with a later fire of the entry already stored, not paged.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFile, copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startStack, type Stack } from '../../demo/stack/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { OwedUndo } from '../../src/store/types.ts';
import { browserYaml } from '../helpers/e2e-setup.ts';
import { stackSkip } from '../helpers/stack-processes.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';
import { eventually, metricValue } from '../service/serve-harness.ts';

const REPLICA = 'undo-r1';
// The shortest api.lease serve takes: another replica pays a killed one's undo once it ran out.
const LEASE_MS = 20_000;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface LogLine {
  msg: string;
  step?: string;
  status?: string;
  cleanup?: boolean;
  url?: string;
  scenarioRun?: string;
}

/** serve in its own process group, so that a kill -9 takes it and every child it has going. */
function startServe(
  config: string,
  stack: Stack,
  replica = REPLICA,
): { child: ChildProcess; log: () => string; lines: () => LogLine[]; exited: Promise<unknown> } {
  let text = '';
  const child = spawn(process.execPath, [join(repoRoot, 'src/cli/vigil.js'), 'serve', '--config', config, '--listen', '127.0.0.1:0', '--replica', replica], {
    cwd: repoRoot,
    env: { ...process.env, CI: undefined, DEMO_ADMIN_TOKEN: stack.adminToken, VIGIL_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (text += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const lines = () =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine);
  return { child, log: () => text, lines, exited };
}

const killGroup = (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
};

describe('the undo ledger survives a kill -9 of vigil serve (member loss on the example stack)', { skip: stackSkip(), timeout: 300_000 }, () => {
  let stack: Stack;
  let scheduled: string;
  let quiet: string;
  const started: ChildProcess[] = [];
  const lbStatus = async (member: string) => (await stack.haproxy.servers()).find((s) => s.server === member)?.status;
  const ledger = async (): Promise<OwedUndo[]> => {
    const store = await openStore(join(stack.dir, 'vigil.db'));
    try {
      return await store.undos.list();
    } finally {
      await store.close();
    }
  };

  before(async () => {
    stack = await startStack({ members: 3, passive: ['scenario-member-loss'] });
    scheduled = await stack.writeVigilYaml({ browser: browserYaml() || undefined, suite: false, recheck: false });
    // The same config with the entry's next fire a year away: the second start does nothing but what it owes.
    quiet = join(stack.dir, 'vigil-quiet.yaml');
    await copyFile(scheduled, quiet);
    const entry = (schedule: string) =>
      `  schedule:\n    member-loss:\n      file: ${join(repoRoot, 'scenarios', 'member-loss.feature')}\n      schedule: "${schedule}"\n      destructive: true\n      environments: [stack]\n      nagios: { host: vigil, service: scenario-member-loss }\n`;
    const api = `api:\n  lease: ${LEASE_MS / 1000}s\nexporters:\n  nagios:\n    commandFile: ${stack.nagios.commandFile}\n`;
    await appendFile(scheduled, entry('*/3 * * * * *') + api);
    await appendFile(quiet, entry('0 0 1 1 *') + api);
  });
  after(async () => {
    for (const child of started) killGroup(child);
    await stack?.stop();
  });

  it('kill -9 after the destroy leaves app-0 out and its restore owed; the next start restores it first and empties the ledger', async (t) => {
    const first = startServe(scheduled, stack);
    started.push(first.child);
    const destroyed = await eventually(
      async () =>
        first.lines().find((l) => l.msg === 'scheduled scenario: step' && !l.cleanup && l.step === 'When I destroy member "app-0"' && l.status === 'passed'),
      `member loss destroying app-0 (serve's log:\n${first.log().slice(-3000)})`,
      120_000,
      100,
    );
    assert.ok(destroyed);
    // The run's own row in the ledger follows it: it is in the Then now.
    const going = await eventually(
      async () => {
        const store = await openStore(join(stack.dir, 'vigil.db'));
        try {
          return (await store.undos.runs()).find((m) => m.at?.text === 'within 2m the member "app-0" is all red');
        } finally {
          await store.close();
        }
      },
      "the run's row at the Then",
      10_000,
      50,
    );
    assert.deepEqual([going.scenario, going.schedule, going.owner, going.fire?.trigger], ['one app member is destroyed', 'member-loss', REPLICA, 'schedule']);
    assert.notEqual(await lbStatus('app-0'), 'UP', 'app-0 is out: the scenario is mid-way');
    const [owed, ...more] = await ledger();
    assert.deepEqual(more, []);
    assert.deepEqual(
      [owed.undo, owed.action, owed.params, owed.scenario, owed.schedule, owed.owner],
      ['restore-member', 'destroy-member', { member: 'app-0' }, 'one app member is destroyed', 'member-loss', REPLICA],
    );
    assert.doesNotMatch(JSON.stringify(owed), new RegExp(stack.adminToken));
    const firstURL = first.lines().find((l) => l.msg === 'vigil serving')!.url;
    const owing = await (await fetch(`${firstURL}/metrics`)).text();
    assert.equal(metricValue(owing, 'vigil_scenario_undos_owed', {}), 1, owing);
    assert.ok(metricValue(owing, 'vigil_scenario_undo_oldest_owed_seconds', {})! > 0);

    killGroup(first.child);
    await first.exited;
    await sleep(2_000);
    assert.notEqual(await lbStatus('app-0'), 'UP', 'nothing restored app-0: a kill -9 runs no cleanup');
    assert.equal((await ledger()).length, 1, 'the restore is still owed');
    // The step the killed run was in, as its row says (the Then, or a later step if the Then held since).
    const left = await (async () => {
      const store = await openStore(join(stack.dir, 'vigil.db'));
      try {
        return await store.undos.runs();
      } finally {
        await store.close();
      }
    })();
    assert.equal(left.length, 1, 'the killed run is still known to the store');
    const inStep = left[0].at!;
    assert.doesNotMatch(first.log(), /cleanup":true/, 'no cleanup step started before the kill');

    const startedAt = Date.now();
    const second = startServe(quiet, stack);
    started.push(second.child);
    const url = await eventually(
      async () => second.lines().find((l) => l.msg === 'vigil serving')?.url,
      `serve again (log:\n${second.log().slice(-3000)})`,
      60_000,
      100,
    );
    const upAfterMs = Date.now() - startedAt;
    // Before "vigil serving": the owed undo ran during start-up, and restore-member returns once HAProxy has app-0 UP.
    assert.equal(await lbStatus('app-0'), 'UP', second.log().slice(-3000));
    const ran = second.lines().find((l) => l.msg.startsWith('owed undo ran:'));
    assert.ok(ran, second.log().slice(-3000));
    assert.equal(
      ran.msg,
      `owed undo ran: "restore-member" "app-0" for scenario run ${owed.runId} (one app member is destroyed, schedule member-loss), left by ${REPLICA}`,
    );
    assert.equal(ran.scenarioRun, owed.runId);
    assert.deepEqual(await ledger(), [], 'the ledger is empty');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'vigil_scenario_undos_owed', {}), 0, metrics);
    assert.equal(metricValue(metrics, 'vigil_scenario_undo_oldest_owed_seconds', {}), 0);
    // The killed run itself, which its process never recorded: interrupted, its cleanup the paid undo.
    const runs = (await (await fetch(`${url}/api/scenarios`)).json()) as {
      runs: Array<{
        id: string;
        status: string;
        result: { steps: Array<{ text: string; status: string }>; cleanup: Array<{ text: string; status: string }>; note?: string };
      }>;
    };
    const killed = runs.runs.find((r) => r.id === owed.runId);
    assert.ok(killed, `the killed run ${owed.runId} in /api/scenarios: ${JSON.stringify(runs.runs.map((r) => [r.id, r.status]))}`);
    assert.equal(killed.status, 'interrupted');
    assert.deepEqual(
      killed.result.cleanup.map((c) => [c.text, c.status]),
      [['restore-member "app-0"', 'passed']],
    );
    assert.match(killed.result.note ?? '', new RegExp(`the process running it \\(${REPLICA}\\) stopped without recording it`));
    assert.match(metrics, /vigil_scenario_runs_total\{scenario="one app member is destroyed",status="interrupted"\} 1/);
    const stepLine = `${inStep.keyword} ${inStep.text}`.replace(/[()]/g, '\\$&');
    const IN_STEP = `the process running it \\(${REPLICA}\\) stopped during step "${stepLine}" \\(line ${inStep.line}\\)`;
    assert.deepEqual(
      killed.result.steps.map((s) => [s.text, s.status]),
      [[inStep.text, 'interrupted']],
    );
    assert.equal(metricValue(metrics, 'vigil_scenario_state', { schedule: 'member-loss' }), 3, 'UNKNOWN: the harness was cut short');
    const passive = await eventually(
      async () => (await stack.nagios.status()).find((e) => e.host === 'vigil' && e.service === 'scenario-member-loss' && e.checked),
      "the killed run's passive result in Nagios",
      30_000,
      500,
    );
    assert.equal(passive.state, 3, passive.output);
    assert.match(passive.output, new RegExp(`^UNKNOWN - member-loss: one app member is destroyed: could not be carried out \\(interrupted\\): ${IN_STEP}`));

    killGroup(second.child);
    await second.exited;
    t.diagnostic(`app-0 restored by the second start: UP in HAProxy ${seconds(upAfterMs)} after serve started again (before it served)`);
  });
  it("under another replica name, the killed replica's undo is paid once its lease ran out, by the lease beat after start", async (t) => {
    const first = startServe(scheduled, stack);
    started.push(first.child);
    await eventually(
      async () =>
        first.lines().find((l) => l.msg === 'scheduled scenario: step' && !l.cleanup && l.step === 'When I destroy member "app-0"' && l.status === 'passed'),
      `member loss destroying app-0 again (serve's log:\n${first.log().slice(-3000)})`,
      120_000,
      100,
    );
    killGroup(first.child);
    await first.exited;
    const killedAt = Date.now();
    const [owed] = await ledger();
    assert.equal(owed.owner, REPLICA);
    // Meanwhile another replica's next fire of the entry passed (stored as serve stores it): its answer
    // is newer than the killed run, so the run is recorded and counted but neither pages nor sets the state.
    const later = new Date(killedAt + 1_000).toISOString();
    const store = await openStore(join(stack.dir, 'vigil.db'));
    try {
      await store.scenarioRuns.save({
        id: 'a-later-fire',
        scenario: 'one app member is destroyed',
        file: join(repoRoot, 'scenarios', 'member-loss.feature'),
        status: 'passed',
        startedAt: later,
        finishedAt: later,
        result: { id: 'a-later-fire', scenario: 'one app member is destroyed', status: 'passed', steps: [], cleanup: [], startedAt: later, finishedAt: later },
      });
    } finally {
      await store.close();
    }

    const other = startServe(quiet, stack, 'undo-r2');
    started.push(other.child);
    const ran = await eventually(
      async () => other.lines().find((l) => l.msg.startsWith('owed undo ran:')),
      `the owed undo paid by undo-r2 (log:\n${other.log().slice(-3000)})`,
      LEASE_MS * 3,
      100,
    );
    const paidAfterMs = Date.now() - killedAt;
    assert.match(ran.msg, new RegExp(`for scenario run ${owed.runId} \\(one app member is destroyed, schedule member-loss\\), left by ${REPLICA}$`));
    const order = other.lines().map((l) => l.msg);
    assert.ok(order.indexOf('vigil serving') < order.indexOf(ran.msg), 'not at start-up: the lease still held then; the lease beat paid it');
    assert.ok(paidAfterMs < LEASE_MS * 1.25 + 10_000, `paid ${paidAfterMs} ms after the kill`);
    assert.equal(await lbStatus('app-0'), 'UP');
    assert.deepEqual(await ledger(), []);
    // The lease beat recorded the killed run too and counts it; the later fire's answer stands.
    const recorded = await eventually(
      async () => other.lines().find((l) => l.msg.startsWith(`a killed scenario run recorded as interrupted: ${owed.runId} `)),
      `the killed run recorded by undo-r2 (log:\n${other.log().slice(-3000)})`,
      10_000,
      100,
    );
    assert.match(recorded.msg, new RegExp(`\\(one app member is destroyed, schedule member-loss\\), left by ${REPLICA}$`));
    const url = other.lines().find((l) => l.msg === 'vigil serving')!.url;
    const metrics = await eventually(
      async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return /vigil_scenario_runs_total\{scenario="one app member is destroyed",status="interrupted"\} 2/.test(text) ? text : undefined;
      },
      'the killed run counted on the replica that recorded it',
      10_000,
      200,
    );
    assert.equal(metricValue(metrics, 'vigil_scenario_state', { schedule: 'member-loss' }), undefined, metrics);
    killGroup(other.child);
    await other.exited;
    t.diagnostic(`another replica paid the undo ${seconds(paidAfterMs)} after the kill (lease ${seconds(LEASE_MS)})`);
  });
});
