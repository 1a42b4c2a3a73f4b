// The reaper: tenants nobody is going to delete. Two sweeps (docs/tenants.md): the ledger's rows that
// outlived their provisioner's TTL, then the app's own list of tenants carrying the prefix that the
// ledger lost. And one run's tenants at once, TTL or not: a run whose replica died (run-recovery).
// Each step has its file: a pass and its shared lists (reap-pass.ts), the ledger sweep and one row
// (reap-ledger.ts), the remote sweep for orphans (reap-remote.ts).
import type { ReapReport } from '../core/index.ts';
import type { Log } from '../shared/log.ts';
import type { Store } from '../store/types.ts';
import { LIVE_STATES, reapRow, sweepLedger } from './reap-ledger.ts';
import { beginPass, type ReaperEnvironment } from './reap-pass.ts';
import { sweepRemote } from './reap-remote.ts';
import type { Provisioner } from './types.ts';

export type { ReaperEnvironment } from './reap-pass.ts';

export interface Reaper {
  reap(options?: { signal?: AbortSignal }): Promise<ReapReport>;
  /** Destroys the live tenants of one run now, whatever their age (its replica stopped before teardown). */
  reapRun(runId: string, options?: { signal?: AbortSignal }): Promise<ReapReport>;
}

export interface ReaperDeps {
  store: Pick<Store, 'tenants'>;
  provisioners: Map<string, Provisioner>;
  /** Where to look for orphans: give `environments`, or the loaded `config` to take its `environments:`. */
  environments?: Map<string, ReaperEnvironment>;
  config?: { environments: Record<string, { baseURL: string; tenants: string }> };
  log: Log;
  clock: () => Date;
}

export function createReaper(deps: ReaperDeps): Reaper {
  const { store, provisioners, log, clock } = deps;
  const passDeps = { store, provisioners, log, clock };
  const environments =
    deps.environments ?? new Map(Object.entries(deps.config?.environments ?? {}).map(([name, e]) => [name, { name, baseURL: e.baseURL, tenants: e.tenants }]));

  return {
    async reap({ signal } = {}) {
      const pass = await beginPass(passDeps, signal);
      await sweepLedger(pass);
      if (!signal?.aborted) await sweepRemote(pass, environments);
      return pass.report;
    },

    async reapRun(runId, { signal } = {}) {
      const pass = await beginPass(passDeps, signal);
      for (const row of await store.tenants.list({ runId, states: [...LIVE_STATES] })) {
        const provisioner = pass.usable.get(row.provisioner);
        if (!provisioner) {
          pass.report.failed.push({
            name: row.name,
            error: `provisioner ${row.provisioner} is not configured here`,
            environment: row.environment,
            source: 'ledger',
          });
          continue;
        }
        await reapRow(pass, row, provisioner, `of run ${runId}, whose replica stopped`);
      }
      return pass.report;
    },
  };
}
