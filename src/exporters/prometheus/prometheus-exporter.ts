// Run outcomes as Prometheus metrics (docs/metrics.md is the reference for every series here).
// Own registries, never prom-client's global one: two exporters (tests, a CLI next to a server) must
// not share state. Vigil's own series and Node's process metrics live in separate registries so the
// one-shot ways out (textfile, Pushgateway) can leave out process_* series, which would collide with
// node_exporter's and the gateway's own. The per-suite × environment families are not prom-client's
// but PairSeries' (pair-series.ts): at 1,000 pairs prom-client's rendering alone missed the scrape
// target. This file wires the parts: families.ts declares the series, pair-gauges.ts says what a run
// sets, restore.ts takes the store's newest runs, observers.ts takes everything else other modules say.
import type { RunResult } from '../../core/index.ts';
import type { Log } from '../../shared/log.ts';
import { createFamilies, ERROR_PHASES, RUN_STATUSES, SKIP_REASONS, type Families } from './families.ts';
import { createLabelScope, type LabelScope } from './label-scope.ts';
import { createObservers, type ExporterObservers } from './observers.ts';
import { countRun, createPairState, firstSighting, takeRun } from './pair-gauges.ts';
import { restoreFromStore } from './restore.ts';
import type { LastResults, OrphanLedger, Target } from './sources.ts';

export { ERROR_PHASES, PHASE_BUCKETS, PHASES, RUN_STATUSES, TEST_OUTCOMES } from './families.ts';
export type { ModelNodeSample } from './observers.ts';

export interface PrometheusExporterOptions {
  /** Vigil's version and revision, for vigil_build_info. */
  version: string;
  revision?: string;
  log: Log;
  /** Restores the "last …" gauges at start-up so a restart does not reset them (store.runs). */
  lastResults?: LastResults;
  /** Counts orphaned tenants at scrape time (store.tenants). */
  ledger?: OrphanLedger;
  /** The configured pairs. When given, other label values are refused and counters start at 0. */
  targets?: Target[];
  /** Exporter names (e.g. nagios, icinga2) whose delivery counters start at 0. */
  exporters?: string[];
  /** Add Node's process_* and nodejs_* metrics to metrics() (default true). */
  processMetrics?: boolean;
  /** api.publicURL: vigil_ui_info{url} for alert annotations. */
  publicURL?: string;
  orphanAfterMs?: number;
  clock?: () => Date;
}

// One flat object on purpose, not sub-objects per subject: every caller takes a Pick of the few
// methods it calls (the fan-out the delivery ones, spool-retry.ts three, the metrics server two,
// `vigil serve` skips, pauses, reaps, the model and sync), and tests fake those Picks with plain
// objects. The methods fall in two groups, declared apart: runs and the expositions here, and what
// other modules observe (ExporterObservers, observers.ts).
export interface PrometheusExporter extends ExporterObservers {
  /** Vigil's own series only (no process_* metrics): for the textfile collector and the Pushgateway. */
  readonly results: Exposition;
  /** The content type of metrics(). */
  readonly contentType: string;
  /** Called by the fan-out for every RunResult. Never throws for a result it will not take. */
  publish(result: RunResult): Promise<void>;
  /** The pairs' newest runs from the store, where newer than seen here (runs of other replicas); how many changed. */
  sync(source: LastResults): Promise<number>;
  /** Everything served on /metrics: Vigil's series and the process_* / nodejs_* ones. */
  metrics(): Promise<string>;
  /** metrics() as UTF-8 chunks to write in order; the per-pair part is kept between scrapes. */
  metricsChunks(): Promise<Buffer[]>;
}

/** Something that renders a text exposition (what prom-client's Pushgateway reads from a registry). */
export interface Exposition {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export function createPrometheusExporter(options: PrometheusExporterOptions): PrometheusExporter {
  const { log } = options;
  const scope = createLabelScope(options.targets, log);
  const families = createFamilies(options, scope);
  const { registry, resultsRegistry, chunks, render } = families;
  startAtZero(families, scope, options);
  const state = createPairState(options.targets);
  const clock = options.clock ?? (() => new Date());
  const restoreDeps = { families, state, acceptsPair: scope.acceptsPair, log, clock };

  // Until the store has answered, a scrape or a new run waits: the restored gauges must not land on top of newer ones.
  const restored = options.lastResults ? restoreFromStore(restoreDeps, options.lastResults) : Promise.resolve(0);

  return {
    results: { contentType: registry.contentType, metrics: () => render(resultsRegistry) },
    contentType: registry.contentType,

    async publish(result) {
      if (!scope.acceptsPair(result.suite, result.environment)) {
        log.warn(
          { suite: result.suite, environment: result.environment, runId: result.runId },
          'prometheus: result for a suite/environment not in the configuration; not exported',
        );
        return;
      }
      await restored;
      if (!firstSighting(state, result.runId)) return;
      countRun(families, result);
      takeRun(families, state, result, clock);
    },

    ...createObservers(families, scope),

    async sync(source) {
      await restored;
      return restoreFromStore(restoreDeps, source, 'sync');
    },

    metrics: async () => {
      await restored;
      return render(registry);
    },
    metricsChunks: async () => {
      await restored;
      return chunks(registry);
    },
  };
}

// Counters that alerts use with increase() need a 0 sample before their first increment.
function startAtZero(families: Families, scope: LabelScope, options: PrometheusExporterOptions): void {
  const { runs, runErrors, skipped, paused, createFailures, destroyFailures, reaped, exportFailures, exportSpooled, exportDropped } = families;
  for (const target of options.targets ?? []) {
    const { suite, environment } = target;
    for (const status of RUN_STATUSES) runs.inc(suite, environment, 0, status);
    for (const phase of ERROR_PHASES) runErrors.inc(suite, environment, 0, phase);
    for (const reason of SKIP_REASONS) skipped.inc(suite, environment, 0, reason);
    paused.set(suite, environment, 0);
  }
  for (const environment of scope.environments ?? []) {
    createFailures.inc({ environment }, 0);
    destroyFailures.inc({ environment }, 0);
    for (const source of ['ledger', 'remote'] as const) reaped.inc({ environment, source }, 0);
  }
  for (const exporter of options.exporters ?? []) {
    if (!scope.checkExporter(exporter)) continue;
    exportFailures.inc({ exporter }, 0);
    exportSpooled.set({ exporter }, 0);
    exportDropped.inc({ exporter }, 0);
  }
}
