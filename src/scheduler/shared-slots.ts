// A slot of api.concurrency taken by something that is not a suite run: a scheduled scenario in
// `vigil serve` (docs/scenarios.md, "Pauses, maintenance windows and api.concurrency"). It waits,
// without a place in the run queue, for the next free slot — ahead of queued runs, since a fire is rare
// and waits on the cron's time — and for the suite runs going on its environments to end; it holds the
// slot and those environments while it runs (its own suite steps run inside it), so no suite run of
// this process meets the damage it does on purpose; its release lets the queue move. Stopping the
// scheduler refuses new waiters and drops those waiting.
import { pump } from './run-queue.ts';
import type { SchedulerState, SlotWaiter } from './scheduler-state.ts';

/**
 * Resolves with the slot's release once one is free and no suite run of this process is going on
 * `environments` (the ones the scenario acts on); until its release no queued run starts there.
 * Rejects with the signal's reason if aborted first, rejects with the signal's reason if aborted first,
 * or at once when the scheduler is stopping.
 */
export function waitForSlot(sched: SchedulerState, signal: AbortSignal, environments: readonly string[] = []): Promise<() => void> {
  if (sched.state === 'stopping' || sched.state === 'stopped') return Promise.reject(new Error('Vigil is shutting down'));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const waiter: SlotWaiter = {
      environments,
      grant: (release) => {
        signal.removeEventListener('abort', onAbort);
        resolve(release);
      },
    };
    const onAbort = () => {
      const at = sched.slotWaiters.indexOf(waiter);
      if (at >= 0) sched.slotWaiters.splice(at, 1);
      reject(signal.reason);
      // Runs held back for this waiter's environments may start now.
      pump(sched);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    sched.slotWaiters.push(waiter);
    pump(sched);
  });
}
