// The reaper's ledger sweep: the rows Vigil knows about that outlived their provisioner's TTL, and the
// one-row step it shares with reapRun (a dead replica's run, whatever its age). A row without an id —
// Vigil stopped during create — is looked up by name in the app's list before it is destroyed.
import { messageOf } from '../shared/errors.ts';
import type { LedgerRow } from '../store/types.ts';
import type { Pass } from './reap-pass.ts';
import type { Provisioner } from './types.ts';

// `create_failed` is included: a create that timed out may still have made the tenant remotely.
export const LIVE_STATES = ['creating', 'active', 'teardown_failed', 'create_failed'] as const;

/** Destroys one ledger row's tenant; finds its id remotely when Vigil stopped before it learned it. */
export async function reapRow(pass: Pass, row: LedgerRow, provisioner: Provisioner, why: string): Promise<void> {
  const { report, signal, store, log } = pass;
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
export async function sweepLedger(pass: Pass): Promise<void> {
  const { store, clock } = pass;
  const now = clock().getTime();
  for (const [name, provisioner] of pass.usable) {
    const cutoff = new Date(now - provisioner.ttlMs);
    for (const row of await store.tenants.list({ states: [...LIVE_STATES], olderThan: cutoff, provisioner: name })) {
      if (pass.signal?.aborted) return;
      await reapRow(pass, row, provisioner, 'past its TTL');
    }
  }
}
