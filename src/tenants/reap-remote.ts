// The reaper's second sweep, over the app's own lists: the ledger cannot find what it lost, so each
// provisioner that can list is asked once per baseURL. Only tenants older than the TTL by their own
// creation time go: one without a time may belong to a run in progress on another replica.
import { messageOf } from '../shared/errors.ts';
import type { Pass, ReaperEnvironment } from './reap-pass.ts';
import type { RemoteTenant } from './types.ts';

/** 2. The app: tenants carrying the prefix that the ledger lost (a wiped store, a crash before `begin`). */
export async function sweepRemote(pass: Pass, environments: Map<string, ReaperEnvironment>): Promise<void> {
  const { report, store, log, clock } = pass;
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
