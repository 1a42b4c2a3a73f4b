// A scheduled fire on its way to the queue: it waits out its jitter (one at a time per pair), is taken
// in the store by one replica only when there are replicas, is skipped while its pair is paused, and is
// counted as skipped when its pair is still busy or the queue is full. Runs triggered by hand skip all of
// this and go straight to queueRun (run-queue.ts).
import { nanoid } from 'nanoid';
import { targetKey } from '../core/index.ts';
import { hasRoom, queueRun } from './run-queue.ts';
import type { SchedulerState } from './scheduler-state.ts';

// With replicas: a replica without a free slot waits this long (plus a little per queued run) before
// it tries to take a fire, so one with room takes it first. Far below the missed-fire tolerance.
const BUSY_CLAIM_DELAY_MS = 1_500;
const PER_QUEUED_CLAIM_DELAY_MS = 250;

/** A cron fire: after a random jitter when one is configured. */
export function fireLater(sched: SchedulerState, suite: string, environment: string, fireAt: Date): void {
  const { jitterMs, jittering, jitterTimers, log } = sched;
  if (jitterMs === 0) {
    fireOnce(sched, suite, environment, fireAt);
    return;
  }
  const k = targetKey(suite, environment);
  // A fire still waiting out its jitter makes the pair busy: a jitter longer than the schedule's
  // interval must not pile up fires.
  if (jittering.has(k)) {
    log.warn({ suite, environment, reason: 'busy' }, `scheduled fire skipped: ${k} is still waiting out its jitter`);
    sched.deps.onSkip?.(suite, environment, 'busy');
    return;
  }
  jittering.add(k);
  const timer = setTimeout(
    () => {
      jitterTimers.delete(timer);
      jittering.delete(k);
      fireOnce(sched, suite, environment, fireAt);
    },
    Math.floor(sched.random() * jitterMs),
  );
  jitterTimers.add(timer);
}

/**
 * With replicas, a fire is first taken in the store — by one replica only, preferably one with room
 * (a busy one waits a moment) — and only the replica that took it goes on (and counts any skip).
 */
export function fireOnce(sched: SchedulerState, suite: string, environment: string, fireAt: Date): void {
  const { cluster } = sched.deps;
  const { log } = sched;
  if (!cluster) {
    fire(sched, suite, environment);
    return;
  }
  const runId = nanoid();
  const delay = hasRoom(sched) ? 0 : BUSY_CLAIM_DELAY_MS + sched.queue.length * PER_QUEUED_CLAIM_DELAY_MS;
  const take = async () => {
    if (sched.state !== 'running') return;
    let mine: boolean;
    try {
      mine = await cluster.takeFire(suite, environment, fireAt, runId);
    } catch (err) {
      log.error({ suite, environment, err: String(err) }, 'cannot take the fire in the store; another replica may run it');
      return;
    }
    if (mine) fire(sched, suite, environment, runId);
    else log.debug({ suite, environment, fireAt: fireAt.toISOString() }, 'fire taken by another replica');
  };
  if (delay === 0) return void take();
  const timer = setTimeout(() => {
    sched.jitterTimers.delete(timer);
    void take();
  }, delay);
  sched.jitterTimers.add(timer);
}

function fire(sched: SchedulerState, suite: string, environment: string, runId?: string): void {
  const { deps, log } = sched;
  // Scheduled fires only: a run someone triggers by hand during a pause (a deploy gate) still runs.
  const pause = deps.pauses?.pausedNow(suite, environment);
  if (pause && sched.state === 'running') {
    log.info(
      { suite, environment, reason: 'paused', until: pause.until, source: pause.source },
      `scheduled fire skipped: ${targetKey(suite, environment)} is paused until ${pause.until} (${pause.reason})`,
    );
    deps.onSkip?.(suite, environment, 'paused', pause);
    return;
  }
  const outcome = queueRun(sched, suite, environment, 'schedule', runId ? { runId } : {});
  if (outcome.kind === 'queued') {
    outcome.done.catch((err) => log.warn({ suite, environment, err: String(err) }, 'scheduled run did not run'));
    return;
  }
  if (outcome.kind === 'busy' || outcome.kind === 'queue_full') {
    log.warn({ suite, environment, reason: outcome.kind, ...(runId ? { runId } : {}) }, `scheduled fire skipped: ${outcome.message}`);
    deps.onSkip?.(suite, environment, outcome.kind);
  }
}
