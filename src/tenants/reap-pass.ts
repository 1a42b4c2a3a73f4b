// One reaper pass as its sweeps share it (reap-ledger.ts, reap-remote.ts): the provisioners that could
// be loaded (one that cannot is reported, the others still reap), the report being filled, and each
// remote list of tenants fetched once — both sweeps may ask for the same one.
import type { ReapReport } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import type { Store } from '../store/types.ts';
import type { Provisioner, RemoteTenant, TenantEnvironment } from './types.ts';

/** An environment as the reaper needs it: where it is and which provisioner (config `tenants:`) serves it. */
export interface ReaperEnvironment extends TenantEnvironment {
  tenants: string;
}

/** What a pass works with, from the reaper's deps. */
export interface PassDeps {
  store: Pick<Store, 'tenants'>;
  provisioners: Map<string, Provisioner>;
  log: Log;
  clock: () => Date;
}

/** One pass: the provisioners that could be loaded, the report, and each remote list fetched once. */
export interface Pass {
  store: Pick<Store, 'tenants'>;
  log: Log;
  clock: () => Date;
  usable: Map<string, Provisioner>;
  report: ReapReport;
  listRemote(p: Provisioner, environment: TenantEnvironment): Promise<RemoteTenant[]>;
  reapedNow: Set<string>;
  signal?: AbortSignal;
}

const emptyReport = (): ReapReport => ({ ledgerReaped: 0, remoteReaped: 0, reaped: [], failed: [], orphansFound: 0 });

export async function beginPass(deps: PassDeps, signal?: AbortSignal): Promise<Pass> {
  const { store, provisioners, log, clock } = deps;
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
  return { store, log, clock, usable, report, listRemote, reapedNow: new Set(), ...(signal ? { signal } : {}) };
}
