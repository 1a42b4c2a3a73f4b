// The undo ledger across a kill -9 of `vigil serve` (docs/scenarios.md, "SIGTERM and kill -9"), on one
// real example stack: serve runs member loss on a schedule; once the scenario has destroyed app-0,
// serve's whole process group is killed with SIGKILL — no cleanup can run, so app-0 stays out of
// HAProxy and the store still owes its restore. serve started again on the same store (same replica
// name) runs the owed undo before anything else: app-0 is UP in HAProxy's runtime API, the ledger is
// empty and the log names the undo and the scenario run it was owed by; /metrics says none is owed.
// Started under another name, serve leaves the killed replica's row alone until its lease ran out,
// then pays it on the lease beat.
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
    stack = await startStack({ members: 3 });
    scheduled = await stack.writeVigilYaml({ browser: browserYaml() || undefined, suite: false, recheck: false });
    // The same config with the entry's next fire a year away: the second start does nothing but what it owes.
    quiet = join(stack.dir, 'vigil-quiet.yaml');
    await copyFile(scheduled, quiet);
    const entry = (schedule: string) =>
      `  schedule:\n    member-loss:\n      file: ${join(repoRoot, 'scenarios', 'member-loss.feature')}\n      schedule: "${schedule}"\n      destructive: true\n      environments: [stack]\n`;
    const api = `api:\n  lease: ${LEASE_MS / 1000}s\n`;
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
      runs: Array<{ id: string; status: string; result: { cleanup: Array<{ text: string; status: string }>; note?: string } }>;
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
    killGroup(other.child);
    await other.exited;
    t.diagnostic(`another replica paid the undo ${seconds(paidAfterMs)} after the kill (lease ${seconds(LEASE_MS)})`);
  });
});
