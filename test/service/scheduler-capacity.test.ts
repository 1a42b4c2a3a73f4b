// The scheduler never runs more suites at once than api.concurrency, however many triggers arrive at
// once, and the memory guard holds runs in the queue while the box lacks room for one more — letting them
// go when memory comes back, even before a run ends. The run function is the scheduler's input (not
// Vigil's orchestrator): it only counts how many runs are going.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { VigilConfig } from '../../src/config/schema.ts';
import type { RunResult } from '../../src/core/index.ts';
import { createMemoryGuard } from '../../src/scheduler/memory-guard.ts';
import { defaultConcurrency } from '../../src/shared/box-capacity.ts';
import { createScheduler, type SchedulerDeps } from '../../src/scheduler/scheduler.ts';
import { passedRun } from '../helpers/fake-runs.ts';

const MiB = 1024 * 1024;

function harness(pairs: number, deps: Partial<SchedulerDeps> & { runMs: (i: number) => Promise<void> }) {
  const environments = Array.from({ length: pairs }, (_, i) => `e${i}`);
  const suites = { s: { environments } } as unknown as VigilConfig['suites'];
  const envs = Object.fromEntries(environments.map((e) => [e, {}])) as unknown as VigilConfig['environments'];
  const h = { running: 0, peak: 0, started: 0, warnings: [] as string[] };
  const log = { info() {}, debug() {}, error() {}, warn: (_o: unknown, msg?: string) => void h.warnings.push(String(msg)) };
  const scheduler = createScheduler({
    config: { suites, environments: envs },
    log,
    maxQueue: pairs,
    ...deps,
    orchestrator: {
      async run({ suite, environment, trigger, runId }): Promise<RunResult> {
        const i = h.started++;
        h.running++;
        h.peak = Math.max(h.peak, h.running);
        try {
          await deps.runMs(i);
        } finally {
          h.running--;
        }
        return passedRun({ suite, environment, trigger, runId });
      },
    },
  });
  const burst = () =>
    environments.map((e) => {
      const outcome = scheduler.trigger('s', e, 'api');
      assert.equal(outcome.kind, 'queued', `trigger ${e}: ${'message' in outcome ? outcome.message : ''}`);
      return (outcome as Extract<typeof outcome, { kind: 'queued' }>).done;
    });
  return { h, scheduler, burst };
}

async function until(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done(); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

describe('scheduler capacity', () => {
  test('a burst of 24 triggers never runs more than api.concurrency (3) at once, and all of them run', async () => {
    const { h, scheduler, burst } = harness(24, { concurrency: 3, runMs: (i) => sleep(5 + ((i * 7) % 30)) });
    const results = await Promise.all(burst());
    assert.equal(results.length, 24);
    assert.equal(h.started, 24);
    assert.equal(h.peak, 3, 'the limit is reached (the burst is real) and never exceeded');
    await scheduler.stop({ graceMs: 0 });
  });

  test('the memory guard holds runs in the queue while the box lacks room, and lets them go when memory comes back', async () => {
    let boxFreeMiB = 1000;
    const release: Array<() => void> = [];
    const { h, scheduler, burst } = harness(4, {
      concurrency: 4,
      // Each running run holds 450 MiB of what the box had free.
      memoryGuard: createMemoryGuard({ perRunMiB: 450, available: () => (boxFreeMiB - 450 * h.running) * MiB }),
      memoryRecheckMs: 20,
      runMs: () => new Promise<void>((r) => release.push(r)),
    });
    const done = burst();
    await until(() => h.running === 2, 'two runs');
    await sleep(150);
    assert.equal(h.running, 2, 'a third run would not fit in 1000 MiB: it waits though api.concurrency is 4');
    assert.equal(scheduler.status().queued.length, 2);
    assert.equal(h.warnings.filter((w) => w.startsWith('runs wait in the queue')).length, 1, 'said once, not at every look');

    boxFreeMiB = 4000; // another process ended: no run had to finish for the queue to move
    await until(() => h.running === 4, 'all four runs once memory is back');
    assert.equal(h.peak, 4);
    for (const r of release) r();
    await Promise.all(done);
    await scheduler.stop({ graceMs: 0 });
  });

  test('the first run always starts, even on a box that looks full (nothing else would free memory)', async () => {
    const { h, scheduler, burst } = harness(2, {
      concurrency: 2,
      memoryGuard: createMemoryGuard({ perRunMiB: 450, available: () => 10 * MiB }),
      memoryRecheckMs: 20,
      runMs: () => sleep(30),
    });
    await Promise.all(burst());
    assert.equal(h.started, 2, 'one after the other');
    assert.equal(h.peak, 1);
    await scheduler.stop({ graceMs: 0 });
  });

  test('a scheduled scenario takes one of the api.concurrency slots: it waits for one, suite runs wait while it holds it, and its release lets them in', async () => {
    const gates: Array<() => void> = [];
    const { h, scheduler, burst } = harness(3, { concurrency: 2, runMs: () => new Promise<void>((r) => gates.push(r)) });
    const done = burst();
    await until(() => h.running === 2, 'two runs hold both slots');
    const held: { release?: () => void } = {};
    const waiting = scheduler.waitForSlot(new AbortController().signal).then((r) => (held.release = r));
    await sleep(50);
    assert.equal(held.release, undefined, 'no slot is free: the scenario waits');
    gates.shift()!();
    const release = await waiting;
    assert.ok(held.release, 'the first slot freed goes to the waiting scenario, ahead of the queued run');
    assert.equal(h.running, 1, "the third suite run still waits: one slot is the scenario's");
    assert.equal(scheduler.trigger('s', 'e0', 'api').kind, 'queued', 'a trigger is still taken while the scenario holds its slot (the queue has room)');
    release();
    await until(() => h.running === 2, 'the queued run starts once the scenario gives the slot back');
    release(); // twice is once
    const aborted = new AbortController();
    const refused = scheduler.waitForSlot(aborted.signal);
    aborted.abort(new Error('serve is stopping'));
    await assert.rejects(refused, /serve is stopping/, 'a waiting scenario stopped before a slot came gives up its place');
    while (gates.length || h.running) {
      gates.shift()?.();
      await sleep(5);
    }
    await Promise.all(done);
    await scheduler.stop({ graceMs: 0 });
    await assert.rejects(scheduler.waitForSlot(new AbortController().signal), /shutting down/);
    assert.equal(h.peak, 2, 'suite runs alone never above api.concurrency');
  });

  test('a scenario acts on its environments alone: it waits for the suite runs there, and runs queued there wait for it, while other environments go on', async () => {
    const gates: Array<() => void> = [];
    const { h, scheduler } = harness(2, { concurrency: 4, runMs: () => new Promise<void>((open) => gates.push(open)) });
    const trigger = (e: string) => {
      const outcome = scheduler.trigger('s', e, 'api');
      assert.equal(outcome.kind, 'queued', 'message' in outcome ? outcome.message : '');
      return (outcome as Extract<typeof outcome, { kind: 'queued' }>).done;
    };
    const first = trigger('e0');
    await until(() => h.running === 1, 'a run on e0');
    const held: { release?: () => void } = {};
    const waiting = scheduler.waitForSlot(new AbortController().signal, ['e0']).then((r) => (held.release = r));
    await sleep(50);
    assert.equal(held.release, undefined, 'slots are free, but a suite run is going on e0: the scenario waits');
    const other = trigger('e1');
    await until(() => h.running === 2, "e1 is not the scenario's: its run starts");
    gates.shift()!();
    await first;
    const release = await waiting;
    assert.ok(held.release, 'the run on e0 ended: the scenario holds e0 now');
    const queued = trigger('e0');
    await sleep(50);
    assert.equal(h.running, 1, 'the run queued on e0 waits for the scenario (only e1 runs), with slots free');
    assert.equal(scheduler.status().queued.length, 1);
    release();
    await until(() => h.running === 2, 'the scenario is done: the run on e0 starts');
    while (gates.length) gates.shift()!();
    await Promise.all([other, queued]);
    await scheduler.stop({ graceMs: 0 });
  });

  test('default api.concurrency: two runs per core, fewer where memory is short, never below 1', () => {
    const GiB = 1024 * MiB;
    assert.equal(defaultConcurrency({ cores: 2, memoryBytes: 24 * GiB }), 4, 'this 2-core / 24 GiB box: cores decide');
    assert.equal(defaultConcurrency({ cores: 8, memoryBytes: 2 * GiB }), 2, '(2048 − 768) / 450 = 2.8: memory decides');
    assert.equal(defaultConcurrency({ cores: 1, memoryBytes: 512 * MiB }), 1, 'a box too small for one run still runs one');
    assert.equal(defaultConcurrency({ cores: 64, memoryBytes: 512 * GiB }), 64);
  });
});
