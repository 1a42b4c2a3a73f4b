// One view of the cluster from any replica: the runs this replica holds (running or queued, from its
// scheduler) and those the others have going (the store's active_runs), each once.
import type { ActiveRun } from '../scheduler/scheduler.ts';
import type { Store } from '../store/types.ts';
import type { RunControl } from './run-control.ts';

export type ClusterRun = ActiveRun & { replica?: string; location?: string };

/** Local runs first (they know queued ones too), then the other replicas' running ones. */
export async function activeRuns(deps: {
  store: Partial<Pick<Store, 'cluster'>>;
  control?: RunControl;
}): Promise<{ running: ClusterRun[]; queued: ClusterRun[] }> {
  const local = deps.control?.status() ?? { running: [], queued: [] };
  const known = new Set([...local.running, ...local.queued].map((r) => r.runId));
  const elsewhere = deps.store.cluster ? (await deps.store.cluster.active().catch(() => [])).filter((r) => !known.has(r.runId)) : [];
  const remote: ClusterRun[] = elsewhere.map((r) => ({
    runId: r.runId,
    suite: r.suite,
    environment: r.environment,
    trigger: r.trigger as ActiveRun['trigger'],
    state: 'running',
    queuedAt: r.startedAt,
    startedAt: r.startedAt,
    replica: r.replica,
    ...(r.location ? { location: r.location } : {}),
  }));
  return { running: [...local.running, ...remote], queued: local.queued };
}

/** A run going on another replica, by id. */
export async function activeElsewhere(store: Partial<Pick<Store, 'cluster'>>, runId: string): Promise<ClusterRun | undefined> {
  const row = (await store.cluster?.active().catch(() => []))?.find((r) => r.runId === runId);
  return (
    row && {
      runId: row.runId,
      suite: row.suite,
      environment: row.environment,
      trigger: row.trigger as ActiveRun['trigger'],
      state: 'running',
      queuedAt: row.startedAt,
      startedAt: row.startedAt,
      replica: row.replica,
    }
  );
}
