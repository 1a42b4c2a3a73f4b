// api.jitter on the real scheduler: each scheduled fire waits random × jitter before it queues. Schedules
// fire every second (node-cron's seconds field); the run function — the scheduler's input, not Vigil's
// orchestrator — only notes when it was called. The random source is injected, so delays are known.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { VigilConfig } from '../../src/config/schema.ts';
import type { RunResult } from '../../src/core/index.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import { passedRun } from '../helpers/fake-runs.ts';

const EVERY_SECOND = '* * * * * *';
// Timers never fire early; late by more than this means a machine too busy to say anything.
const LATE_MS = 300;

interface Harness {
  scheduler: ReturnType<typeof createScheduler>;
  /** Each random() call: when, and what it answered. */
  fires: Array<{ at: number; value: number }>;
  /** Each run the scheduler started: which pair, when. */
  runs: Array<{ pair: string; at: number }>;
  skips: Array<{ pair: string; reason: string; at: number }>;
  warnings: string[];
}

function harness(environments: string[], jitterMs: number, values: number[]): Harness {
  const h = { fires: [], runs: [], skips: [], warnings: [] } as unknown as Harness;
  // Only the fields the scheduler reads; the rest of a suite's config does not matter to it.
  const suites = { s: { environments, schedule: EVERY_SECOND } } as unknown as VigilConfig['suites'];
  const envs = Object.fromEntries(environments.map((e) => [e, {}])) as unknown as VigilConfig['environments'];
  const log = { info() {}, debug() {}, error() {}, warn: (_o: unknown, msg?: string) => void h.warnings.push(String(msg)) };
  h.scheduler = createScheduler({
    config: { suites, environments: envs },
    log,
    concurrency: environments.length,
    jitterMs,
    random: () => {
      const value = values[Math.min(h.fires.length, values.length - 1)];
      h.fires.push({ at: Date.now(), value });
      return value;
    },
    onSkip: (suite, environment, reason) => void h.skips.push({ pair: `${suite}@${environment}`, reason, at: Date.now() }),
    orchestrator: {
      async run({ suite, environment, trigger, runId }): Promise<RunResult> {
        h.runs.push({ pair: `${suite}@${environment}`, at: Date.now() });
        return passedRun({ suite, environment, trigger, runId });
      },
    },
  });
  return h;
}

/** Waits (bounded) until `done()` holds. */
async function until(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

// Start just after a second boundary so that every pair's first fire falls on the same cron slot.
const startOnFreshSecond = async (h: Harness) => {
  await sleep(1_050 - (Date.now() % 1_000));
  h.scheduler.start();
};

describe('scheduler: api.jitter', { timeout: 30_000 }, () => {
  test('fires on the same slot start spread out, each random × jitter after its fire, never beyond jitter', async () => {
    const jitterMs = 1_200;
    const values = [0, 1 / 3, 2 / 3, 0.999];
    const envs = ['e1', 'e2', 'e3', 'e4'];
    const h = harness(envs, jitterMs, values);
    await startOnFreshSecond(h);
    try {
      await until(() => envs.every((e) => h.runs.some((r) => r.pair === `s@${e}`)), 'a run of every pair', 5_000);
    } finally {
      await h.scheduler.stop({ graceMs: 0 });
    }
    // The first fire of every pair falls on one slot, before any second fire.
    const first = h.fires.slice(0, envs.length);
    assert.ok(first.at(-1)!.at - first[0].at < 100, `first fires ${first.map((f) => f.at - first[0].at).join(', ')} ms apart`);
    const starts = envs.map((e) => h.runs.find((r) => r.pair === `s@${e}`)!.at).sort((a, b) => a - b);
    // Where each fire was due: its fire time plus random × jitter. Matched in order against the starts.
    const due = first.map((f) => f.at + Math.floor(f.value * jitterMs)).sort((a, b) => a - b);
    starts.forEach((start, i) => {
      const delay = start - first[0].at;
      assert.ok(delay >= 0 && delay <= jitterMs + LATE_MS, `run ${i} started ${delay} ms after its fire (jitter ${jitterMs} ms)`);
      assert.ok(start >= due[i] - 2 && start <= due[i] + LATE_MS, `run ${i} started ${start - due[i]} ms from when random × jitter made it due`);
    });
    const spread = starts.at(-1)! - starts[0];
    assert.ok(spread >= jitterMs * 0.8, `the four runs of one slot started within ${spread} ms of each other`);
  });

  test('a fire still waiting out its jitter makes its pair busy: the next fires are skipped and counted, the waiting one still runs', async () => {
    const jitterMs = 2_000;
    const h = harness(['e1'], jitterMs, [0.8]); // 1,600 ms: the fire of the next slot finds it waiting
    await startOnFreshSecond(h);
    try {
      await until(() => h.runs.length > 0, 'the jittered run', 5_000);
    } finally {
      await h.scheduler.stop({ graceMs: 0 });
    }
    const fired = h.fires[0].at;
    const skippedBeforeRun = h.skips.filter((s) => s.at < h.runs[0].at);
    assert.ok(skippedBeforeRun.length >= 1, `no fire was skipped while the first waited ${h.runs[0].at - fired} ms`);
    for (const s of skippedBeforeRun) assert.deepEqual([s.pair, s.reason], ['s@e1', 'busy']);
    assert.equal(h.fires.filter((f) => f.at < h.runs[0].at).length, 1, 'a skipped fire draws no new delay of its own');
    assert.ok(
      h.warnings.some((w) => w === 'scheduled fire skipped: s@e1 is still waiting out its jitter'),
      h.warnings.join('\n'),
    );
    assert.ok(h.runs[0].at - fired >= 1_600 - 2, `the waiting fire ran ${h.runs[0].at - fired} ms after it fired`);
  });

  test('stop() cancels the fires waiting out their jitter: no run starts afterwards and no timer is left', async () => {
    const jitterMs = 1_500;
    const envs = ['e1', 'e2'];
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const h = harness(envs, jitterMs, [0.9]); // 1,350 ms each
    await startOnFreshSecond(h);
    await until(() => h.fires.length === envs.length, 'both pairs to fire', 3_000);
    await h.scheduler.stop({ graceMs: 0 });
    assert.ok(timers() <= before, `${timers() - before} timer(s) left running after stop()`);
    await sleep(jitterMs + LATE_MS); // past the moment the jittered fires were due
    assert.deepEqual(h.runs, [], 'a run started after stop()');
    assert.deepEqual(h.skips, []);
    assert.equal(h.fires.length, envs.length, 'a schedule fired after stop()');
  });
});
