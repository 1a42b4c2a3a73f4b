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

export function createReaper(deps: ReaperDeps): Reaper {
  const { store, provisioners, log, clock } = deps;
  const environments =
    deps.environments ??
    new Map(Object.entries(deps.config?.environments ?? {}).map(([name, e]) => [name, { name, baseURL: e.baseURL, tenants: e.tenants }]));

  return {
    async reap({ signal } = {}) {
      const report: ReapReport = { ledgerReaped: 0, remoteReaped: 0, reaped: [], failed: [], orphansFound: 0 };
      const now = clock().getTime();
      const cutoff = (p: Provisioner) => new Date(now - p.ttlMs);
      const usable = new Map<string, Provisioner>();
      for (const [name, provisioner] of provisioners) {
        try {
          await provisioner.ready?.();
          usable.set(name, provisioner);
        } catch (err) {
          report.failed.push({ name: `provisioner ${name}`, error: messageOf(err) });
        }
      }
      // One list per provisioner × baseURL per reap, shared by both phases.
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
      const reapedNow = new Set<string>();

      // 1. The ledger: rows Vigil knows about that outlived their TTL.
      for (const [name, provisioner] of usable) {
        for (const row of await store.tenants.list({ states: [...LIVE_STATES], olderThan: cutoff(provisioner), provisioner: name })) {
          if (signal?.aborted) return report;
          const outcome = await reapRow(row, provisioner);
          if (outcome === 'reaped') {
            report.ledgerReaped++;
            report.reaped.push({ environment: row.environment, source: 'ledger' });
            reapedNow.add(row.name);
          }
        }
      }

      async function reapRow(row: LedgerRow, provisioner: Provisioner): Promise<'reaped' | 'failed' | 'skipped'> {
        // The tenant lives where it was made, even if the environment's baseURL moved since (blue/green).
        const environment = { name: row.environment, baseURL: row.baseURL };
        try {
          let fields = row.fields;
          if (!fields.id) {
            if (!provisioner.list) {
              if (row.state === 'create_failed') return 'skipped'; // reported when it failed; nothing to find it by
              const error = 'no id was recorded (Vigil stopped during create) and the provisioner cannot list: check the app for this tenant by hand';
              await store.tenants.finish(row.name, 'create_failed', error);
              report.failed.push({ name: row.name, error, environment: row.environment, source: 'ledger' });
              return 'failed';
            }
            const remote = (await listRemote(provisioner, environment)).find((t) => t.name === row.name);
            if (!remote) {
              await store.tenants.finish(row.name, 'destroyed');
              log.info({ tenant: row.name, provisioner: provisioner.name }, 'reaper: tenant without id not found remotely; nothing to destroy');
              return 'reaped';
            }
            fields = { ...remote.fields, id: remote.id };
          }
          await provisioner.destroy({ name: row.name, fields, environment }, signal);
          await store.tenants.finish(row.name, 'destroyed');
          log.info({ tenant: row.name, provisioner: provisioner.name, state: row.state }, 'reaper: destroyed tenant past its TTL');
          return 'reaped';
        } catch (err) {
          const error = messageOf(err);
          await store.tenants.recordReapAttempt(row.name, error).catch(() => {});
          report.failed.push({ name: row.name, error, environment: row.environment, source: 'ledger' });
          log.warn({ tenant: row.name, provisioner: provisioner.name, err: error }, 'reaper: could not destroy tenant');
          return 'failed';
        }
      }

      // 2. The app: tenants carrying the prefix that the ledger lost (a wiped store, a crash before `begin`).
      const seen = new Set<string>();
      for (const environment of environments.values()) {
        const provisioner = usable.get(environment.tenants);
        if (!provisioner?.list) continue;
        const key = `${provisioner.name}\0${environment.baseURL}`;
        if (seen.has(key)) continue;
        seen.add(key);
        if (signal?.aborted) return report;

        let remote: RemoteTenant[];
        try {
          remote = await listRemote(provisioner, environment);
        } catch (err) {
          report.failed.push({ name: `${provisioner.name} list in ${environment.name}`, error: messageOf(err) });
          continue;
        }
        const before = cutoff(provisioner).getTime();
        for (const tenant of remote) {
          if (!tenant.name.startsWith(`${provisioner.prefix}-`)) continue;
          if (reapedNow.has(tenant.name) || (await store.tenants.get(tenant.name))) continue; // the ledger's business
          // Without a creation time its age is unknown, and it may belong to a run in progress elsewhere.
          if (!tenant.createdAt || tenant.createdAt.getTime() >= before) continue;
          if (signal?.aborted) return report;
          report.orphansFound++;
          try {
            await provisioner.destroy({ name: tenant.name, fields: { ...tenant.fields, id: tenant.id }, environment }, signal);
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
      return report;
    },
  };
}
