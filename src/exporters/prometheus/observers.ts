// What other parts of Vigil tell the exporter that is not a run: deliveries and the spool (the
// fan-out), skipped fires and pauses (the scheduler), reaper passes, failed store writes and the
// service model's state. Each is one family or two moved as told; the label scope refuses what is not
// configured, so a typo cannot add series.
import { STATE_CODE } from '../../core/index.ts';
import type { Families, SkipReasonLabel, StoreOperation } from './families.ts';
import type { LabelScope } from './label-scope.ts';
import type { ReapCounts } from './sources.ts';

/** One declared node of the service model (src/model), as the exporter needs it. */
export interface ModelNodeSample {
  /** The node's path, `shop` or `shop/app`. */
  node: string;
  state: 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
  allGreenOwn: boolean;
  allGreenTransitive: boolean;
}

/** Monitoring coverage of a declared node with a `pool:` (src/model/coverage.ts): gaps per kind, or none when it could not be told. */
export interface ModelCoverageSample {
  node: string;
  /** Kind (unmonitored, not-in-pool, disabled) → count, every kind present; undefined: the pool or the monitoring could not be read. */
  gaps?: Record<string, number>;
  /** The coverage check's state (src/model/coverage-check.ts): 0 OK … 3 UNKNOWN. */
  state?: number;
}

export interface ExporterObservers {
  /** One delivery attempt by another exporter; `spooled` is its queue length afterwards, if known. */
  observeDelivery(exporter: string, ok: boolean, spooled?: number): void;
  observeSpool(exporter: string, spooled: number): void;
  /** Spooled results given up on (too old or too many attempts): lost to that monitoring system. */
  observeDrop(exporter: string, count?: number): void;
  /** The scheduler skipped a scheduled fire (default reason: busy, the previous run still going). */
  observeSkip(suite: string, environment: string, reason?: SkipReasonLabel): void;
  /** Whether the pair is paused now (vigil_paused). */
  setPaused(suite: string, environment: string, paused: boolean): void;
  /** A write to the store failed (full or read-only disk); the service goes on without it. */
  observeStoreFailure(operation: StoreOperation): void;
  observeReap(report: ReapCounts): void;
  /** The service model's declared nodes as `vigil serve` last evaluated them; nodes no longer given are dropped. */
  observeModel(nodes: ModelNodeSample[], coverage?: ModelCoverageSample[]): void;
}

export function createObservers(families: Families, scope: LabelScope): ExporterObservers {
  const { exportFailures, exportSpooled, exportDropped, skipped, paused, storeWriteFailures, reaped, destroyFailures } = families;
  const { acceptsPair, acceptsEnvironment, checkExporter } = scope;
  return {
    observeDelivery(exporter, ok, spooled) {
      if (!checkExporter(exporter)) return;
      if (ok) exportFailures.inc({ exporter }, 0);
      else exportFailures.inc({ exporter });
      if (spooled !== undefined) exportSpooled.set({ exporter }, spooled);
    },

    observeSpool(exporter, spooled) {
      if (checkExporter(exporter)) exportSpooled.set({ exporter }, spooled);
    },

    observeDrop(exporter, count = 1) {
      if (checkExporter(exporter)) exportDropped.inc({ exporter }, count);
    },

    observeSkip(suite, environment, reason = 'busy') {
      if (acceptsPair(suite, environment)) skipped.inc(suite, environment, 1, reason);
    },

    setPaused(suite, environment, isPaused) {
      if (acceptsPair(suite, environment)) paused.set(suite, environment, isPaused ? 1 : 0);
    },

    observeModel(nodes, coverage = []) {
      setModel(families, nodes, coverage);
    },

    observeStoreFailure(operation) {
      storeWriteFailures.inc({ operation });
    },

    observeReap(report) {
      for (const { environment, source } of report.reaped) {
        if (acceptsEnvironment(environment)) reaped.inc({ environment, source });
      }
      // A failure that is not about one tenant (a provisioner that cannot list) has no environment to count.
      for (const { environment } of report.failed) {
        if (environment !== undefined && acceptsEnvironment(environment)) destroyFailures.inc({ environment });
      }
    },
  };
}

/** The model's gauges replaced whole: a node taken out of the config leaves no series behind. */
function setModel(families: Families, nodes: ModelNodeSample[], coverage: ModelCoverageSample[]): void {
  const { modelNodeState, modelAllGreen, modelCoverageGaps, modelCoverageUp, modelCoverageState } = families;
  modelNodeState.reset();
  modelAllGreen.reset();
  modelCoverageGaps.reset();
  modelCoverageUp.reset();
  modelCoverageState.reset();
  // A coverage that could not be told has no gap counts (not a stale 0): its _up says so.
  for (const c of coverage) {
    modelCoverageUp.set({ node: c.node }, c.gaps ? 1 : 0);
    if (c.state !== undefined) modelCoverageState.set({ node: c.node }, c.state);
    for (const [kind, count] of Object.entries(c.gaps ?? {})) modelCoverageGaps.set({ node: c.node, kind }, count);
  }
  for (const n of nodes) {
    modelNodeState.set({ node: n.node }, STATE_CODE[n.state]);
    modelAllGreen.set({ node: n.node, scope: 'own' }, n.allGreenOwn ? 1 : 0);
    modelAllGreen.set({ node: n.node, scope: 'transitive' }, n.allGreenTransitive ? 1 : 0);
  }
}
