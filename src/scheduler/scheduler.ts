// Fires each suite × environment on its cron schedule. A suite still running when its next fire comes
// skips that fire (counted, logged); a global limit caps how many browsers run at once, the rest wait
// in a queue. stop() fires nothing new, lets in-flight runs finish within the grace period, then
// interrupts them — the orchestrator still tears their tenants down and records them.
import cron, { type ScheduledTask } from 'node-cron';
import type { VigilConfig } from '../config/schema.ts';
import type { Log } from '../shared/log.ts';
import type { RunOrchestrator } from '../runs/orchestrator.ts';
import type { RunResult, Trigger } from '../runs/run-result.ts';

export interface SchedulerDeps {
  config: VigilConfig;
  orchestrator: RunOrchestrator;
  log: Log;
  /** Browsers at once; 2 cores hold one comfortably. */
  concurrency?: number;
  onSkip?: (suite: string, environment: string) => void;
}

interface Job {
  suite: string;
  environment: string;
  trigger: Trigger;
  resolve: (r: RunResult) => void;
  reject: (e: unknown) => void;
}

export function createScheduler(deps: SchedulerDeps) {
  const { config, orchestrator, log } = deps;
  const limit = Math.max(1, deps.concurrency ?? 1);
  const tasks: ScheduledTask[] = [];
  const queue: Job[] = [];
  const busy = new Set<string>(); // queued or running, per suite × environment
  const running = new Map<string, AbortController>();
  const inFlight = new Set<Promise<unknown>>();
  let stopping = false;

  const key = (suite: string, environment: string) => `${suite}@${environment}`;

  function pump() {
    while (!stopping && running.size < limit && queue.length > 0) {
      const job = queue.shift()!;
      const k = key(job.suite, job.environment);
      const controller = new AbortController();
      running.set(k, controller);
      const p = orchestrator
        .run({ suite: job.suite, environment: job.environment, trigger: job.trigger, signal: controller.signal })
        .then(job.resolve, job.reject)
        .finally(() => {
          running.delete(k);
          busy.delete(k);
          inFlight.delete(p);
          pump();
        });
      inFlight.add(p);
    }
  }

  /** Queues a run; undefined when that suite × environment is already queued or running. */
  function enqueue(suite: string, environment: string, trigger: Trigger): Promise<RunResult> | undefined {
    const k = key(suite, environment);
    if (stopping || busy.has(k)) return undefined;
    busy.add(k);
    const done = new Promise<RunResult>((resolve, reject) => queue.push({ suite, environment, trigger, resolve, reject }));
    pump();
    return done;
  }

  function fire(suite: string, environment: string) {
    const started = enqueue(suite, environment, 'schedule');
    if (!started) {
      log.warn({ suite, environment }, 'previous run still going: this scheduled fire is skipped');
      deps.onSkip?.(suite, environment);
      return;
    }
    started.catch((err) => log.error({ suite, environment, err: String(err) }, 'scheduled run failed to start'));
  }

  return {
    start() {
      for (const [suite, s] of Object.entries(config.suites)) {
        if (!s.schedule) continue;
        for (const environment of s.environments) {
          tasks.push(cron.schedule(s.schedule, () => fire(suite, environment), { name: key(suite, environment) }));
        }
      }
      log.info({ jobs: tasks.length, concurrency: limit }, 'scheduler started');
    },
    runAllNow() {
      for (const [suite, s] of Object.entries(config.suites)) for (const env of s.environments) fire(suite, env);
    },
    enqueue,
    status: () => ({ running: [...running.keys()], queued: queue.map((j) => key(j.suite, j.environment)) }),
    async stop({ graceMs }: { graceMs: number }) {
      stopping = true;
      for (const t of tasks) await t.stop();
      for (const job of queue.splice(0)) {
        busy.delete(key(job.suite, job.environment));
        job.reject(new Error('scheduler stopped before the run started'));
      }
      const all = Promise.allSettled([...inFlight]);
      const timer = setTimeout(() => {
        for (const c of running.values()) c.abort(new Error('Vigil is shutting down'));
      }, graceMs);
      await all;
      clearTimeout(timer);
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
