// The real scheduler when time misbehaves: the wall clock jumping back or forward (seen by comparing it
// with the monotonic clock; the wall clock is the one input injected here), and fires whose time passed
// while the process was stalled (a real blocked event loop), which are skipped and counted, not run late.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, test } from 'node:test';
import type { VigilConfig } from '../../src/config/schema.ts';
import type { RunResult } from '../../src/core/index.ts';
import { createScheduler, type SkipReason } from '../../src/scheduler/scheduler.ts';
import { passedRun } from '../helpers/fake-runs.ts';

function harness(opts: { wallOffset?: () => number; missedToleranceMs?: number } = {}) {
  const runs: number[] = [];
  const skips: SkipReason[] = [];
  const warnings: string[] = [];
  const suites = { s: { environments: ['e'], schedule: '* * * * * *' } } as unknown as VigilConfig['suites'];
  const scheduler = createScheduler({
    config: { suites, environments: { e: {} } as unknown as VigilConfig['environments'] },
    log: { info() {}, debug() {}, error() {}, warn: (_o: unknown, msg?: string) => void warnings.push(String(msg)) },
    missedToleranceMs: opts.missedToleranceMs,
    clockWatch: { everyMs: 100, thresholdMs: 2_000, wall: () => Date.now() + (opts.wallOffset?.() ?? 0) },
    onSkip: (_s, _e, reason) => void skips.push(reason),
    orchestrator: {
      async run({ suite, environment, trigger, runId }): Promise<RunResult> {
        runs.push(Date.now());
        return passedRun({ suite, environment, trigger, runId });
      },
    },
  });
  return { scheduler, runs, skips, warnings };
}

async function until(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !done(); await sleep(20)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

describe('the scheduler when the clock jumps or the process stalls', { timeout: 60_000 }, () => {
  test('a jump back is noticed and the schedules are re-planned; they go on firing', async () => {
    let offset = 0;
    const h = harness({ wallOffset: () => offset });
    h.scheduler.start();
    try {
      await until(() => h.runs.length >= 1, 'a first fire');
      offset = -3_600_000;
      await until(() => h.warnings.some((w) => w.startsWith('the wall clock jumped back by 3600s: schedules re-planned')), 'the jump noticed');
      const after = h.runs.length;
      await until(() => h.runs.length >= after + 2, 'fires after the re-plan');
    } finally {
      await h.scheduler.stop({ graceMs: 1_000 });
    }
  });

  test('a jump forward is noticed and said', async () => {
    let offset = 0;
    const h = harness({ wallOffset: () => offset });
    h.scheduler.start();
    try {
      offset = 600_000;
      await until(() => h.warnings.some((w) => w.startsWith('the wall clock jumped forward by 600s')), 'the jump noticed');
    } finally {
      await h.scheduler.stop({ graceMs: 1_000 });
    }
  });

  test('fires whose time passed during a stall are skipped as missed and counted, not run late', async () => {
    const h = harness({ missedToleranceMs: 200 });
    h.scheduler.start();
    try {
      await until(() => h.runs.length >= 1, 'a first fire');
      // Block the event loop for real, as a long synchronous task or a starved CPU would.
      const end = Date.now() + 2_600;
      while (Date.now() < end) {
        // busy
      }
      await until(() => h.skips.includes('missed'), 'a missed fire counted');
      assert.ok(
        h.warnings.some((w) => /^scheduled fire skipped: its time passed unseen/.test(w)),
        h.warnings.join('\n'),
      );
    } finally {
      await h.scheduler.stop({ graceMs: 1_000 });
    }
  });
});
