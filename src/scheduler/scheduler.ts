// Fires each suite × environment on its cron schedule. A suite still running (or waiting) when its
// next fire comes skips that fire (counted, logged); a global limit caps how many browsers run at once,
// the rest wait in a bounded queue. stop() fires nothing new, drops what waits, lets in-flight runs
// finish within the grace period, then interrupts them — the orchestrator still tears their tenants
// down and records them.
// Each step has its file: scheduled fires (fire-claims.ts), the queue and its slots (run-queue.ts), one
// run in its cluster-wide pair slot (pair-slot.ts), the cron tasks (cron-tasks.ts), stop (scheduler-stop.ts).
import { locationRuleOf, targetKey, type Trigger } from '../core/index.ts';
import { startSchedules } from './cron-tasks.ts';
import { fireOnce } from './fire-claims.ts';
import { queueRun } from './run-queue.ts';
import { waitForSlot } from './shared-slots.ts';
import { allPairs, createSchedulerState, pairs, publicRun } from './scheduler-state.ts';
import { stopScheduler } from './scheduler-stop.ts';
import type { ActiveRun, PairSchedule, SchedulerDeps, TriggerOutcome } from './scheduler-types.ts';

export type { ActiveRun, ClusterSlots, PairSchedule, RunState, SchedulerDeps, SkipReason, TriggerOutcome } from './scheduler-types.ts';

export function createScheduler(deps: SchedulerDeps) {
  const sched = createSchedulerState(deps);
  const { config, controllers, active, queue, tasks } = sched;

  return {
    start() {
      if (sched.state !== 'idle') return;
      sched.state = 'running';
      startSchedules(sched);
    },
    /** Queues every owned pair once (`--run-now`); replicas starting within the same minute run it once. */
    runAllNow() {
      const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      for (const { suite, environment } of pairs(sched)) fireOnce(sched, suite, environment, minute);
    },
    /** Interrupts a running run whose lease another replica took over (it recorded the run already). */
    abandon(runId: string, reason: string): boolean {
      const controller = controllers.get(runId);
      controller?.abort(new Error(reason));
      return controller !== undefined;
    },
    /** The runs this replica has going (their ids), for renewing their leases. */
    runningIds: (): string[] => [...controllers.keys()],
    /** Queues a run now (API, gate, CLI); the pair must be configured, owned, idle, and the queue not full. */
    trigger: (suite: string, environment: string, how: Trigger, opts: { runId?: string } = {}): TriggerOutcome =>
      queueRun(sched, suite, environment, how, opts),
    /** One slot of api.concurrency for a scheduled scenario: resolves with its release once free (shared-slots.ts). */
    waitForSlot: (signal: AbortSignal, environments: readonly string[] = []): Promise<() => void> => waitForSlot(sched, signal, environments),
    /** True between start() and stop(). */
    isRunning: () => sched.state === 'running',
    /** Runs held now, oldest first. */
    status(): { running: ActiveRun[]; queued: ActiveRun[]; concurrency: number; maxQueue: number } {
      const all = [...active.values()].map(publicRun);
      return { running: all.filter((r) => r.state === 'running'), queued: queue.map(publicRun), concurrency: sched.limit, maxQueue: sched.maxQueue };
    },
    /** A queued or running run by id. */
    find: (runId: string): ActiveRun | undefined => {
      for (const job of active.values()) if (job.runId === runId) return publicRun(job);
      return undefined;
    },
    /** The pairs this replica owns, with their schedule and next fire; `here: false` for those other locations run. */
    schedules(): PairSchedule[] {
      return allPairs(sched).map(({ suite, environment, schedule, here }) => {
        const next = sched.state === 'running' && here ? tasks.get(targetKey(suite, environment))?.getNextRun() : undefined;
        const locations = locationRuleOf(config.suites[suite]);
        return {
          suite,
          environment,
          ...(schedule ? { schedule } : {}),
          ...(next ? { nextRun: next.toISOString() } : {}),
          ...(locations ? { locations } : {}),
          here,
        };
      });
    },
    /** Stop firing, drop the queue, give in-flight runs `graceMs`, then interrupt them with `reason`. */
    stop: ({ graceMs, reason = 'Vigil is shutting down' }: { graceMs: number; reason?: string }): Promise<void> => stopScheduler(sched, { graceMs, reason }),
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
