// The scheduler's stop: nothing new fires (cron tasks, jitter and claim timers, the clock watch and the
// memory re-check all end), queued runs are refused, and in-flight runs get the grace period before
// they are interrupted — the orchestrator still tears their tenants down and records them.
import { targetKey } from '../core/index.ts';
import type { SchedulerState } from './scheduler-state.ts';

export async function stopScheduler(sched: SchedulerState, { graceMs, reason }: { graceMs: number; reason: string }): Promise<void> {
  const { jitterTimers, tasks, queue, active, inFlight, controllers, log } = sched;
  if (sched.state === 'stopping' || sched.state === 'stopped') return;
  sched.state = 'stopping';
  for (const timer of jitterTimers) clearTimeout(timer);
  jitterTimers.clear();
  sched.jittering.clear();
  sched.clockWatch?.stop();
  clearTimeout(sched.memoryRecheck);
  for (const t of tasks.values()) await t.stop();
  // Waiting scenarios get no slot now: their waits end with their own signals (the scenario schedule stops them).
  sched.slotWaiters.length = 0;
  for (const job of queue.splice(0)) {
    active.delete(targetKey(job.suite, job.environment));
    job.reject(new Error(`${reason}: run ${job.runId} was still queued and did not start`));
  }
  const all = Promise.allSettled([...inFlight]);
  const timer = setTimeout(() => {
    if (controllers.size) log.warn({ runs: [...controllers.keys()], graceMs }, 'grace period over: interrupting in-flight runs');
    for (const c of controllers.values()) c.abort(new Error(`${reason}; the ${graceMs / 1000}s grace period ran out`));
  }, graceMs);
  await all;
  clearTimeout(timer);
  sched.state = 'stopped';
}
