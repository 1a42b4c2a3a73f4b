// The queue between a trigger and a browser: a run is admitted (configured, owned, not already held,
// room in the queue), waits for one of the `concurrency` slots and — beyond the first run — for the
// memory to hold it, then starts; each run that ends lets the next one in.
import { nanoid } from 'nanoid';
import { targetKey, targetProblem, type RunResult, type Trigger } from '../core/index.ts';
import { runInPairSlot } from './pair-slot.ts';
import type { TriggerOutcome } from './scheduler-types.ts';
import { locatedElsewhere, owned, publicRun, slotsInUse, type Job, type SchedulerState } from './scheduler-state.ts';

/** The first run always starts (nothing else would free memory); further ones only when the box has room. */
function memoryAllows(sched: SchedulerState): boolean {
  const { deps, controllers, log } = sched;
  if (!deps.memoryGuard || controllers.size === 0) return true;
  const seen = deps.memoryGuard.admits();
  if (seen.ok) {
    sched.heldForMemory = false;
    return true;
  }
  if (!sched.heldForMemory)
    log.warn(
      { freeMiB: seen.freeMiB, perRunMiB: seen.perRunMiB, running: controllers.size, queued: sched.queue.length },
      `runs wait in the queue: ${seen.freeMiB} MiB free, one more run needs ${seen.perRunMiB} MiB (api.memoryPerRun)`,
    );
  sched.heldForMemory = true;
  // Memory can come back without a run ending (another process exits): look again soon.
  sched.memoryRecheck ??= setTimeout(() => {
    sched.memoryRecheck = undefined;
    pump(sched);
  }, deps.memoryRecheckMs ?? 2_000);
  return false;
}

/** Whether a suite run is going on one of `environments` in this process. */
function runningOn(sched: SchedulerState, environments: readonly string[]): boolean {
  for (const job of sched.active.values()) if (job.state === 'running' && environments.includes(job.environment)) return true;
  return false;
}

/**
 * Hands free slots to scenarios waiting for one (shared-slots.ts), oldest first, each once no suite
 * run is going on its environments; it then holds them until its release.
 */
function grantWaitingSlots(sched: SchedulerState): void {
  for (let i = 0; i < sched.slotWaiters.length && slotsInUse(sched) < sched.limit && sched.state !== 'stopping' && sched.state !== 'stopped'; ) {
    const waiter = sched.slotWaiters[i];
    if (runningOn(sched, waiter.environments)) {
      i++;
      continue;
    }
    sched.slotWaiters.splice(i, 1);
    sched.held += 1;
    for (const e of waiter.environments) sched.heldEnvironments.set(e, (sched.heldEnvironments.get(e) ?? 0) + 1);
    let released = false;
    waiter.grant(() => {
      if (released) return;
      released = true;
      sched.held -= 1;
      for (const e of waiter.environments) {
        const n = (sched.heldEnvironments.get(e) ?? 1) - 1;
        if (n > 0) sched.heldEnvironments.set(e, n);
        else sched.heldEnvironments.delete(e);
      }
      pump(sched);
    });
  }
}

/**
 * The next queued run that may start: the oldest on an environment no scenario holds or waits for
 * (a run there would meet the damage the scenario does on purpose, or keep the scenario waiting).
 */
function nextStartable(sched: SchedulerState): number {
  const waited = new Set(sched.slotWaiters.flatMap((w) => w.environments));
  return sched.queue.findIndex((job) => !sched.heldEnvironments.has(job.environment) && !waited.has(job.environment));
}

/** Starts queued runs while there are slots (and memory) for them. */
export function pump(sched: SchedulerState): void {
  const { queue, controllers, active, inFlight } = sched;
  grantWaitingSlots(sched);
  while (sched.state !== 'stopping' && sched.state !== 'stopped' && slotsInUse(sched) < sched.limit && queue.length > 0) {
    const next = nextStartable(sched);
    if (next < 0 || !memoryAllows(sched)) break;
    const job = queue.splice(next, 1)[0];
    const controller = new AbortController();
    controllers.set(job.runId, controller);
    job.state = 'running';
    job.startedAt = new Date().toISOString();
    const p = runInPairSlot(sched, job, controller, () => pump(sched)).finally(() => {
      controllers.delete(job.runId);
      active.delete(targetKey(job.suite, job.environment));
      inFlight.delete(p);
      pump(sched);
    });
    inFlight.add(p);
  }
}

/** Queues a run now (API, gate, CLI); the pair must be configured, owned, idle, and the queue not full. */
export function queueRun(sched: SchedulerState, suite: string, environment: string, how: Trigger, opts: { runId?: string } = {}): TriggerOutcome {
  const { config, here, shard, active, queue, limit, maxQueue } = sched;
  if (sched.state === 'stopping' || sched.state === 'stopped')
    return { kind: 'stopping', message: 'Vigil is shutting down and starts no new run; try the replica that replaces it' };
  const problem = targetProblem(config, suite, environment);
  if (problem) return { kind: 'unknown', message: problem };
  if (locatedElsewhere(sched, suite)) {
    const at = config.suites[suite]!.locations!.join(', ');
    return {
      kind: 'not_owned',
      message: `${suite} runs from ${at}; this replica ${here ? `is in ${here}` : 'has no location (--location)'}: send the trigger to a replica there`,
    };
  }
  if (!owned(sched, suite, environment)) {
    return {
      kind: 'not_owned',
      message: `${suite}@${environment} belongs to another shard (this replica is --shard ${shard!.index}/${shard!.count}): send the trigger to that replica`,
    };
  }
  const existing = active.get(targetKey(suite, environment));
  if (existing) return { kind: 'busy', runId: existing.runId, message: `${suite}@${environment} is already ${existing.state} as run ${existing.runId}` };
  if (slotsInUse(sched) >= limit && queue.length >= maxQueue) {
    return { kind: 'queue_full', message: `${queue.length} runs are already waiting for ${limit} slot(s) (api.maxQueue ${maxQueue}): try again later` };
  }
  let resolve!: (r: RunResult) => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<RunResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const job: Job = { runId: opts.runId ?? nanoid(), suite, environment, trigger: how, state: 'queued', queuedAt: new Date().toISOString(), resolve, reject };
  active.set(targetKey(suite, environment), job);
  queue.push(job);
  pump(sched);
  return { kind: 'queued', run: publicRun(job), done };
}

/** Free room for one more run now: a slot, and the memory for it. */
export function hasRoom(sched: SchedulerState): boolean {
  const { controllers, deps } = sched;
  return slotsInUse(sched) < sched.limit && sched.queue.length === 0 && (!deps.memoryGuard || controllers.size === 0 || deps.memoryGuard.admits().ok);
}
