// One run as the scheduler starts it: with replicas, the pair's slot is first taken cluster-wide (so a
// pair never runs on two replicas at once), then the orchestrator runs it, then the slot is given back.
// A scheduled fire whose pair runs elsewhere is skipped; a run triggered by hand waits for it instead.
// A run whose environment a scheduled scenario holds on another replica waits for it, whatever its trigger.
import { targetKey } from '../core/index.ts';
import type { ClusterSlots } from './scheduler-types.ts';
import { type Job, type SchedulerState, slotsInUse } from './scheduler-state.ts';

// A run triggered by hand while another replica runs the pair waits for it (a deploy gate wants a
// fresh run, not a refusal), looking again this often, for at most this long.
const BUSY_PAIR_RETRY_MS = 2_000;
const BUSY_PAIR_MAX_WAIT_MS = 15 * 60_000;
// A run waiting for a scheduled scenario on another replica to give its environment back looks this often.
const SCENARIO_RETRY_MS = 1_000;

const sleepUnless = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const scenarioHolding = (job: Job, slot: { replica: string; scenario?: string }) =>
  `the scheduled scenario ${slot.scenario} holds ${job.environment} on replica ${slot.replica}`;

/** Says once that a run waits for a scheduled scenario on another replica; when it began waiting. */
function saidWaiting(sched: SchedulerState, job: Job, slot: { replica: string; scenario?: string }): number {
  sched.log.info(
    { suite: job.suite, environment: job.environment, runId: job.runId, scenario: slot.scenario, holder: slot.replica },
    `run waits: ${scenarioHolding(job, slot)}`,
  );
  return Date.now();
}

/**
 * One wait of a run whose environment a scheduled scenario holds on another replica (docs/scenarios.md,
 * "Across replicas"): false once it waited too long or was stopped. Its slot of api.concurrency is
 * given up meanwhile (runs queued for other environments start in it, as in one process where such a
 * run waits in the queue), and taken again before it goes on: it looks again while no slot is free.
 */
async function waitOutScenario(sched: SchedulerState, job: Job, controller: AbortController, since: number, pump: () => void): Promise<boolean> {
  job.state = 'queued';
  sched.parked += 1;
  pump();
  try {
    do {
      if (Date.now() - since > BUSY_PAIR_MAX_WAIT_MS || controller.signal.aborted) return false;
      await sleepUnless(SCENARIO_RETRY_MS, controller.signal);
    } while (slotsInUse(sched) >= sched.limit && !controller.signal.aborted);
    return !controller.signal.aborted;
  } finally {
    sched.parked -= 1;
    job.state = 'running';
  }
}

/** Takes the pair's slot cluster-wide (with replicas), runs, gives the slot back; `pump` starts queued runs in a slot given up. */
export async function runInPairSlot(sched: SchedulerState, job: Job, controller: AbortController, pump: () => void): Promise<void> {
  const { cluster } = sched.deps;
  const { log } = sched;
  if (cluster) {
    const waitUntil = Date.now() + BUSY_PAIR_MAX_WAIT_MS;
    let scenarioSince: number | undefined;
    for (;;) {
      let slot: Awaited<ReturnType<ClusterSlots['startRun']>>;
      try {
        slot = await cluster.startRun({ runId: job.runId, suite: job.suite, environment: job.environment, trigger: job.trigger, startedAt: new Date() });
      } catch (err) {
        // Without the store nothing is coordinated (nor saved): better no run than a second one.
        log.error({ suite: job.suite, environment: job.environment, err: String(err) }, 'cannot take the pair in the store; the run does not start');
        return job.reject(err);
      }
      if (slot.ok) break;
      if (slot.scenario) {
        // As in one process: a run due where a scenario breaks things on purpose waits for it, whatever its trigger.
        scenarioSince ??= saidWaiting(sched, job, slot);
        if (!(await waitOutScenario(sched, job, controller, scenarioSince, pump))) return job.reject(new Error(`not run: ${scenarioHolding(job, slot)}`));
        continue;
      }
      const holder = `${targetKey(job.suite, job.environment)} is running on replica ${slot.replica} as run ${slot.runId}`;
      if (job.trigger === 'schedule') {
        log.warn(
          { suite: job.suite, environment: job.environment, reason: 'busy', holder: slot.replica, runId: job.runId },
          `scheduled fire skipped: ${holder}`,
        );
        sched.deps.onSkip?.(job.suite, job.environment, 'busy');
        return job.reject(new Error(`skipped: ${holder}`));
      }
      if (Date.now() > waitUntil || controller.signal.aborted)
        return job.reject(new Error(`not run: ${holder} (waited ${BUSY_PAIR_MAX_WAIT_MS / 60_000} min)`));
      job.state = 'queued';
      await sleepUnless(BUSY_PAIR_RETRY_MS, controller.signal);
      job.state = 'running';
    }
    job.startedAt = new Date().toISOString();
  }
  try {
    job.resolve(
      await sched.orchestrator.run({ suite: job.suite, environment: job.environment, trigger: job.trigger, runId: job.runId, signal: controller.signal }),
    );
  } catch (err) {
    job.reject(err);
  } finally {
    if (cluster)
      await cluster
        .finishRun(job.runId)
        .catch((err) => log.error({ runId: job.runId, err: String(err) }, 'cannot release the pair in the store; its lease runs out instead'));
  }
}
