// What `vigil serve` does on a beat besides running suites: the reaper pass (old runs pruned, taken
// fires pruned, leaked tenants deleted) and the sweep for runs whose replica stopped. Each is one at a
// time (a slow pass is joined, not doubled) and never throws: a failure is logged with the redactor.
import { createRunRecovery } from '../../runs/run-recovery.ts';
import { messageOf } from '../../shared/errors.ts';
import { oneAtATime } from '../../shared/one-at-a-time.ts';
import { createReaper } from '../../tenants/reaper.ts';
import type { Context } from '../context.ts';
import { retainRuns } from '../retain-runs.ts';

// Taken fires are kept a day (who ran which fire), then pruned on the reaper's beat.
const FIRE_HISTORY_MS = 86_400_000;

export interface Housekeeping {
  reaper: ReturnType<typeof createReaper>;
  /** One reaper pass; `why` names it in the log ("start-up", "periodic"). */
  reap(why: string): Promise<void>;
  /** Runs of a replica that stopped (formerSelf: this replica's own, from before a restart) recorded interrupted. */
  sweepLost(formerSelf?: boolean): Promise<unknown>;
}

export function createHousekeeping(ctx: Context, replica: string): Housekeeping {
  const { store, log, redact } = ctx;
  const { prometheus } = ctx.exporters;
  const reaper = createReaper({ store, provisioners: ctx.provisioners, config: ctx.config, log, clock: () => new Date() });
  const reap = oneAtATime((why: string) =>
    retainRuns(ctx, why) // old run rows go on the reaper's beat too: one housekeeping pass, one timer
      .then(() => store.cluster.pruneFires(new Date(Date.now() - FIRE_HISTORY_MS)).catch(() => 0))
      .then(() => reaper.reap())
      .then((report) => {
        prometheus.observeReap(report);
        log.info(report, `${why} reaper pass`);
      })
      .catch((err) => log.error({ err: redact(messageOf(err)) }, `${why} reaper pass failed`)),
  );
  const recovery = createRunRecovery({ store, reapRun: (runId) => reaper.reapRun(runId), publish: (r) => ctx.exporters.fanOut.publish(r), replica, log });
  const sweepLost = oneAtATime((formerSelf: boolean = false) =>
    recovery.sweep({ formerSelf }).catch((err) => log.error({ err: redact(messageOf(err)) }, 'looking for runs whose replica stopped failed')),
  );
  return { reaper, reap, sweepLost };
}
