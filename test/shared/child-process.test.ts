// The one child runner (src/shared/child-process.ts) with real processes: a child that ignores SIGTERM
// cannot hold its caller past timeout + grace, a daemon left behind neither holds the caller (it keeps
// the pipes open) nor survives unless asked to, and every way of ending has its words.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeEnd, runChild } from '../../src/shared/child-process.ts';
import { findMarkedProcesses, groupAlive } from '../../src/shared/process-tree.ts';

const env = { PATH: process.env.PATH };
const killGroupNow = (pgid: number | undefined) => {
  try {
    if (pgid) process.kill(-pgid, 'SIGKILL');
  } catch {
    // gone
  }
};

describe('runChild', () => {
  it('a child ignoring SIGTERM is killed after the grace: timed out, nothing of its group left', async () => {
    const started = Date.now();
    const end = await runChild({ command: "trap '' TERM; sleep 40 & wait", env, timeoutMs: 1000, graceMs: 1000 });
    const took = Date.now() - started;
    assert.equal(end.stopped, 'timeout');
    assert.equal(describeEnd(end, { timeoutMs: 1000 }), 'timed out after 1s');
    assert.ok(took < 4000, `returned after ${took} ms (timeout 1 s + grace 1 s)`);
    assert.equal(groupAlive(end.pid!), false, 'the TERM-ignoring shell and its sleep are gone');
  });

  it("a daemon holding the pipes does not hold the caller; leftovers 'leave' keeps it running, 'kill' ends it", async () => {
    for (const leftovers of ['leave', 'kill'] as const) {
      const started = Date.now();
      const end = await runChild({ command: 'sleep 30 & echo started', env, leftovers, timeoutMs: 10_000 });
      const took = Date.now() - started;
      try {
        assert.equal(end.code, 0);
        assert.equal(end.stopped, undefined);
        assert.equal(end.stdout.toString(), 'started\n');
        assert.ok(took < 3000, `${leftovers}: returned after ${took} ms, not when the daemon's 30 s are up`);
        assert.equal(groupAlive(end.pid!), leftovers === 'leave', `${leftovers}: the daemon is ${leftovers === 'leave' ? 'still running' : 'gone'}`);
      } finally {
        killGroupNow(end.pid);
      }
    }
  });

  it('aborting stops the group: "was interrupted"', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('SIGTERM received')), 200);
    const end = await runChild({ command: ['sleep', '30'], env, signal: controller.signal, graceMs: 500 });
    assert.equal(end.stopped, 'aborted');
    assert.equal(describeEnd(end), 'was interrupted');
    assert.equal(groupAlive(end.pid!), false);
  });

  it('stdout past its limit stops the group at once, keeping nothing of it', async () => {
    const end = await runChild({ command: ['yes'], env, stdoutLimit: 10_000, graceMs: 500, timeoutMs: 10_000 });
    assert.equal(end.stopped, 'overflow');
    assert.equal(end.stdout.length, 0);
    assert.equal(describeEnd(end, { stdoutLimit: 10_000 }), 'printed more than 10000 bytes on stdout and was stopped');
  });

  it('a process that left the group but carries the marker is found and killed with the run', async () => {
    const marker = `test-${process.pid}-${Date.now()}`;
    // setsid: a new session and group, as a Chromium helper can do; the marker stays in its environment.
    const end = await runChild({ command: 'setsid sleep 30 & sleep 0.2; echo ok', env: { ...env, VIGIL_RUN_MARKER: marker }, marker, leftovers: 'kill' });
    assert.equal(end.code, 0);
    assert.deepEqual(findMarkedProcesses(marker), []);
  });

  it('says how it ended: exited N, killed by a signal, could not start; stdin is written; tails are bounded', async () => {
    assert.equal(describeEnd(await runChild({ command: 'exit 3', env })), 'exited 3');
    assert.equal(describeEnd(await runChild({ command: 'kill -9 $$', env })), 'was killed by SIGKILL');
    assert.match(describeEnd(await runChild({ command: ['/nonexistent/tool'], env })), /^could not start: spawn \/nonexistent\/tool ENOENT$/);
    const echoed = await runChild({ command: ['cat'], env, stdin: 'tenant json' });
    assert.equal(echoed.stdout.toString(), 'tenant json');
    const long = await runChild({ command: 'head -c 100000 /dev/zero | tr "\\0" x; echo; echo the end >&2', env, tailBytes: 1000 });
    assert.equal(long.stdout.length, 1000);
    assert.equal(long.stderr, 'the end\n');
  });
});
