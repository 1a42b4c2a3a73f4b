// Runs whose replica stopped in the middle (killed, lost the database, its machine gone): another
// replica — the first to claim the run's expired lease in the store — records the run as
// interrupted (UNKNOWN: nothing was learnt about the app, so no false CRITICAL), destroys its tenant
// at once (TTL or not: the ledger says which it is) and publishes the result like any run. A run the
// dead replica had recorded already only has its tenant checked. At start-up a replica also takes
// back the runs its own name left (the process before a restart).
import { emptyCounts, type RunResult, type Trigger } from '../core/index.ts';
import type { ReapReport } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';
import type { ActiveRunRow } from '../store/cluster-store.ts';
import type { Store } from '../store/types.ts';

// How long a lost run is this replica's while it records it (renewed with its other leases meanwhile):
// the longest lease there is. A replica killed while recording leaves the run to the next sweep after it.
const CLAIM_MS = 5 * 60_000;

export interface RunRecoveryDeps {
  store: Pick<Store, 'cluster' | 'runs' | 'tenants'>;
  /** The reaper's reapRun: destroys the live tenants of one run. */
  reapRun: (runId: string) => Promise<ReapReport>;
  /** The fan-out's publish (Prometheus, Nagios/Icinga); absent: recorded only. */
  publish?: (result: RunResult) => Promise<void>;
  /** This replica's name: who recorded it, in the run's message. */
  replica: string;
  log: Log;
  clock?: () => Date;
}

export function createRunRecovery(deps: RunRecoveryDeps) {
  const { store, log } = deps;
  const clock = deps.clock ?? (() => new Date());

  async function interruptedResult(row: ActiveRunRow, now: Date): Promise<RunResult> {
    const [tenant] = await store.tenants.list({ runId: row.runId });
    const self = row.replica === deps.replica;
    return {
      runId: row.runId,
      suite: row.suite,
      environment: row.environment,
      trigger: row.trigger as Trigger,
      startedAt: row.startedAt,
      finishedAt: now.toISOString(),
      status: 'error',
      errorPhase: 'interrupted',
      errorMessage: self
        ? `replica ${row.replica} stopped during the run (killed or restarted) and took it back when it came up again`
        : `replica ${row.replica} stopped renewing its lease (it ran out at ${row.leaseUntil}): killed, or cut off from the database; recorded by replica ${deps.replica}`,
      phases: { tenant_setup: 0, test: 0, teardown: 0 },
      tests: emptyCounts(),
      failures: [],
      ...(tenant ? { tenant: { id: tenant.fields.id ?? '', name: tenant.name, state: tenant.state } } : {}),
      ...(row.location ? { location: row.location } : {}),
      replica: row.replica,
    };
  }

  async function recover(row: ActiveRunRow, now: Date): Promise<RunResult | undefined> {
    const recorded = await store.runs.get(row.runId);
    const report = await deps
      .reapRun(row.runId)
      .catch((err): ReapReport => ({ ledgerReaped: 0, remoteReaped: 0, reaped: [], failed: [{ name: row.runId, error: messageOf(err) }], orphansFound: 0 }));
    if (report.failed.length)
      log.warn({ runId: row.runId, failed: report.failed }, "a lost run's tenant could not be destroyed now; the reaper tries again past its TTL");
    if (recorded) {
      log.info({ runId: row.runId, replica: row.replica }, 'its replica recorded the run but stopped before giving the pair back');
      return undefined;
    }
    const result = await interruptedResult(row, now);
    // After the reap: the tenant's state says whether it is gone.
    const [tenant] = await store.tenants.list({ runId: row.runId });
    if (tenant && result.tenant) result.tenant.state = tenant.state;
    await store.runs.save(result, { handedOver: !deps.publish });
    log.warn(
      { runId: row.runId, suite: row.suite, environment: row.environment, replica: row.replica, tenant: result.tenant?.state },
      'recorded a run whose replica stopped as interrupted',
    );
    if (deps.publish) {
      await deps.publish(result).catch((err) => log.error({ runId: row.runId, err: messageOf(err) }, 'publishing the recovered run failed'));
      await store.runs.handedOver(row.runId);
    }
    return result;
  }

  return {
    /**
     * Takes over every run whose lease ran out (and, with `formerSelf`, those this replica's name held
     * before a restart); returns the runs it recorded. Each is taken by one replica only.
     */
    async sweep(opts: { formerSelf?: boolean } = {}): Promise<RunResult[]> {
      const now = clock();
      const formerSelf = opts.formerSelf ? deps.replica : undefined;
      const recorded: RunResult[] = [];
      for (const row of await store.cluster.stale(now, formerSelf)) {
        if (!(await store.cluster.takeOver(row.runId, now, formerSelf, { replica: deps.replica, until: new Date(now.getTime() + CLAIM_MS) }))) continue;
        try {
          const result = await recover(row, now);
          if (result) recorded.push(result);
          // Recorded (or found recorded) and its tenant reaped: the pair is free. Until here the row
          // stays, so a kill in the middle loses nothing.
          await store.cluster.finishRun(row.runId);
        } catch (err) {
          log.error({ runId: row.runId, err: messageOf(err) }, "could not record a lost run; tried again when this replica's claim on it runs out");
        }
      }
      return recorded;
    },
  };
}

export type RunRecovery = ReturnType<typeof createRunRecovery>;
