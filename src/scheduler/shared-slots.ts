// A slot of api.concurrency taken by something that is not a suite run: a scheduled scenario in
// `vigil serve` (docs/scenarios.md, "Sharing api.concurrency"). It waits, without a place in the run
// queue, for the next free slot — ahead of queued runs, since a fire is rare and waits on the cron's
// time — holds it while it runs (its suite steps run inside it) and gives it back; every release lets
// the queue move. Stopping the scheduler refuses new waiters and drops those waiting.
import { pump } from './run-queue.ts';
import type { SchedulerState } from './scheduler-state.ts';

/**
 * Resolves with the slot's release once one is free; rejects with the signal's reason if aborted first,
 * or at once when the scheduler is stopping.
 */
export function waitForSlot(sched: SchedulerState, signal: AbortSignal): Promise<() => void> {
  if (sched.state === 'stopping' || sched.state === 'stopped') return Promise.reject(new Error('Vigil is shutting down'));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const waiter = (release: () => void) => {
      signal.removeEventListener('abort', onAbort);
      resolve(release);
    };
    const onAbort = () => {
      const at = sched.slotWaiters.indexOf(waiter);
      if (at >= 0) sched.slotWaiters.splice(at, 1);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    sched.slotWaiters.push(waiter);
    pump(sched);
  });
}
