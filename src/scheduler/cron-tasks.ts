// The scheduler's start: one node-cron task per scheduled pair this replica runs (a late fire still
// runs within the tolerance, a later one is counted as missed), and the clock watch that re-plans them
// all when the wall clock jumps back.
import cron from 'node-cron';
import { targetKey } from '../core/index.ts';
import { createClockWatch } from './clock-watch.ts';
import { fireLater } from './fire-claims.ts';
import { pairs, type SchedulerState } from './scheduler-state.ts';

const CLOCK_WATCH = { everyMs: 10_000, thresholdMs: 5_000 };

export function startSchedules(sched: SchedulerState): void {
  const { deps, log, tasks, missedToleranceMs } = sched;
  for (const { suite, environment, schedule } of pairs(sched)) {
    if (!schedule) continue;
    const name = targetKey(suite, environment);
    const task = cron.schedule(schedule, (context) => fireLater(sched, suite, environment, context.date), {
      name,
      timezone: deps.timezone,
      missedExecutionTolerance: missedToleranceMs,
    });
    task.on('execution:missed', (context) => {
      log.warn(
        { suite, environment, reason: 'missed', at: context.date.toISOString() },
        `scheduled fire skipped: its time passed unseen (the wall clock jumped forward or the process was stalled over ${missedToleranceMs / 1000}s)`,
      );
      deps.onSkip?.(suite, environment, 'missed');
    });
    tasks.set(name, task);
  }
  sched.clockWatch = createClockWatch({
    ...CLOCK_WATCH,
    ...deps.clockWatch,
    onJump(jumpMs) {
      if (jumpMs > 0) {
        // node-cron sees the fires in between as missed (logged and counted above); the next one fires on time.
        return void log.warn({ jumpMs }, `the wall clock jumped forward by ${Math.round(jumpMs / 1000)}s: fires in between are skipped as missed`);
      }
      // Re-planned from the new time: otherwise a jump back leaves every schedule silent for as long as the jump.
      for (const task of tasks.values()) void Promise.resolve(task.stop()).then(() => task.start());
      log.warn({ jumpMs, jobs: tasks.size }, `the wall clock jumped back by ${Math.round(-jumpMs / 1000)}s: schedules re-planned from the new time`);
    },
  });
  log.info(
    { jobs: tasks.size, concurrency: sched.limit, maxQueue: sched.maxQueue, timezone: deps.timezone, jitterMs: sched.jitterMs, shard: sched.shard },
    'scheduler started',
  );
}
