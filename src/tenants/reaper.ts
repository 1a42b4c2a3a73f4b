// The reaper: tenants nobody is going to delete. Two sweeps (docs/tenants.md): the ledger's rows that
// outlived their provisioner's TTL, then the app's own list of tenants carrying the prefix that the
// ledger lost. And one run's tenants at once, TTL or not: a run whose replica died (run-recovery).
import type { ReapReport } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import type { LedgerRow, Store } from '../store/types.ts';
import type { Provisioner, RemoteTenant, TenantEnvironment } from './types.ts';

/** An environment as the reaper needs it: where it is and which provisioner (config `tenants:`) serves it. */
export interface ReaperEnvironment extends TenantEnvironment {
  tenants: string;
}

export interface Reaper {
  reap(options?: { signal?: AbortSignal }): Promise<ReapReport>;
  /** Destroys the live tenants of one run now, whatever their age (its replica stopped before teardown). */
  reapRun(runId: string, options?: { signal?: AbortSignal }): Promise<ReapReport>;
}

// `create_failed` is included: a create that timed out may still have made the tenant remotely.
const LIVE_STATES = ['creating', 'active', 'teardown_failed', 'create_failed'] as const;

export interface ReaperDeps {
  store: Pick<Store, 'tenants'>;
  provisioners: Map<string, Provisioner>;
  /** Where to look for orphans: give `environments`, or the loaded `config` to take its `environments:`. */
  environments?: Map<string, ReaperEnvironment>;
  config?: { environments: Record<string, { baseURL: string; tenants: string }> };
  log: Log;
  clock: () => Date;
}

/** One pass: the provisioners that could be loaded, the report, and each remote list fetched once. */
interface Pass {
  usable: Map<string, Provisioner>;
  report: ReapReport;
  listRemote(p: Provisioner, environment: TenantEnvironment): Promise<RemoteTenant[]>;
  reapedNow: Set<string>;
  signal?: AbortSignal;
}

const emptyReport = (): ReapReport => ({ ledgerReaped: 0, remoteReaped: 0, reaped: [], failed: [], orphansFound: 0 });

export function createReaper(deps: ReaperDeps): Reaper {
  const { store, provisioners, log, clock } = deps;
  const environments =
    deps.environments ??
    new Map(Object.entries(deps.config?.environments ?? {}).map(([name, e]) => [name, { name, baseURL: e.baseURL, tenants: e.tenants }]));

  async function beginPass(signal?: AbortSignal): Promise<Pass> {
    const report = emptyReport();
    const usable = new Map<string, Provisioner>();
    for (const [name, provisioner] of provisioners) {
      try {
        await provisioner.ready?.();
        usable.set(name, provisioner);
      } catch (err) {
        report.failed.push({ name: `provisioner ${name}`, error: messageOf(err) });
      }
    }
    // One list per provisioner × baseURL per pass, shared by both sweeps.
    const listings = new Map<string, Promise<RemoteTenant[]>>();
    const listRemote = (p: Provisioner, environment: TenantEnvironment) => {
      const key = `${p.name}\0${environment.baseURL}`;
      let listing = listings.get(key);
      if (!listing) {
        listing = p.list!(environment, signal);
        listings.set(key, listing);
        listing.catch(() => {});
      }
      return listing;
    };
    return { usable, report, listRemote, reapedNow: new Set(), ...(signal ? { signal } : {}) };
  }

  /** Destroys one ledger row's tenant; finds its id remotely when Vigil stopped before it learned it. */
  async function reapRow(pass: Pass, row: LedgerRow, provisioner: Provisioner, why: string): Promise<void> {
    const { report, signal } = pass;
    // The tenant lives where it was made, even if the environment's baseURL moved since (blue/green).
    const environment = { name: row.environment, baseURL: row.baseURL };
    const reaped = () => {
      report.ledgerReaped++;
      report.reaped.push({ environment: row.environment, source: 'ledger' });
      pass.reapedNow.add(row.name);
    };
    try {
      let fields = row.fields;
      if (!fields.id) {
        if (!provisioner.list) {
          if (row.state === 'create_failed') return; // reported when it failed; nothing to find it by
          const error = 'no id was recorded (Vigil stopped during create) and the provisioner cannot list: check the app for this tenant by hand';
          await store.tenants.finish(row.name, 'create_failed', error);
          report.failed.push({ name: row.name, error, environment: row.environment, source: 'ledger' });
          return;
        }
        const remote = (await pass.listRemote(provisioner, environment)).find((t) => t.name === row.name);
        if (!remote) {
          await store.tenants.finish(row.name, 'destroyed');
          log.info({ tenant: row.name, provisioner: provisioner.name }, 'reaper: tenant without id not found remotely; nothing to destroy');
          return reaped();
        }
        fields = { ...remote.fields, id: remote.id };
      }
      await provisioner.destroy({ name: row.name, fields, environment }, signal);
      await store.tenants.finish(row.name, 'destroyed');
      log.info({ tenant: row.name, provisioner: provisioner.name, state: row.state }, `reaper: destroyed tenant ${why}`);
      reaped();
    } catch (err) {
      const error = messageOf(err);
      await store.tenants.recordReapAttempt(row.name, error).catch(() => {});
      report.failed.push({ name: row.name, error, environment: row.environment, source: 'ledger' });
      log.warn({ tenant: row.name, provisioner: provisioner.name, err: error }, 'reaper: could not destroy tenant');
    }
  }

  /** 1. The ledger: rows Vigil knows about that outlived their TTL. */
  async function sweepLedger(pass: Pass): Promise<void> {
    const now = clock().getTime();
    for (const [name, provisioner] of pass.usable) {
      const cutoff = new Date(now - provisioner.ttlMs);
      for (const row of await store.tenants.list({ states: [...LIVE_STATES], olderThan: cutoff, provisioner: name })) {
        if (pass.signal?.aborted) return;
        await reapRow(pass, row, provisioner, 'past its TTL');
      }
    }
  }

  /** 2. The app: tenants carrying the prefix that the ledger lost (a wiped store, a crash before `begin`). */
  async function sweepRemote(pass: Pass): Promise<void> {
    const { report } = pass;
    const seen = new Set<string>();
    for (const environment of environments.values()) {
      const provisioner = pass.usable.get(environment.tenants);
      if (!provisioner?.list) continue;
      const key = `${provisioner.name}\0${environment.baseURL}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (pass.signal?.aborted) return;

      let remote: RemoteTenant[];
      try {
        remote = await pass.listRemote(provisioner, environment);
      } catch (err) {
        report.failed.push({ name: `${provisioner.name} list in ${environment.name}`, error: messageOf(err) });
        continue;
      }
      const before = clock().getTime() - provisioner.ttlMs;
      for (const tenant of remote) {
        if (!tenant.name.startsWith(`${provisioner.prefix}-`)) continue;
        if (pass.reapedNow.has(tenant.name) || (await store.tenants.get(tenant.name))) continue; // the ledger's business
        // Without a creation time its age is unknown, and it may belong to a run in progress elsewhere.
        if (!tenant.createdAt || tenant.createdAt.getTime() >= before) continue;
        if (pass.signal?.aborted) return;
        report.orphansFound++;
        try {
          await provisioner.destroy({ name: tenant.name, fields: { ...tenant.fields, id: tenant.id }, environment }, pass.signal);
          report.remoteReaped++;
          report.reaped.push({ environment: environment.name, source: 'remote' });
          log.info({ tenant: tenant.name, provisioner: provisioner.name, environment: environment.name }, 'reaper: destroyed orphan tenant');
        } catch (err) {
          const error = messageOf(err);
          report.failed.push({ name: tenant.name, error, environment: environment.name, source: 'remote' });
          log.warn({ tenant: tenant.name, provisioner: provisioner.name, err: error }, 'reaper: could not destroy orphan tenant');
        }
      }
    }
  }

  return {
    async reap({ signal } = {}) {
      const pass = await beginPass(signal);
      await sweepLedger(pass);
      if (!signal?.aborted) await sweepRemote(pass);
      return pass.report;
    },

    async reapRun(runId, { signal } = {}) {
      const pass = await beginPass(signal);
      for (const row of await store.tenants.list({ runId, states: [...LIVE_STATES] })) {
        const provisioner = pass.usable.get(row.provisioner);
        if (!provisioner) {
          pass.report.failed.push({ name: row.name, error: `provisioner ${row.provisioner} is not configured here`, environment: row.environment, source: 'ledger' });
          continue;
        }
        await reapRow(pass, row, provisioner, `of run ${runId}, whose replica stopped`);
      }
      return pass.report;
    },
  };
}
