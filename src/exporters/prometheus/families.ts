// Every series Vigil exports, defined once: the per-suite × environment families (PairSeries, see
// pair-series.ts for why not prom-client), prom-client's for the rest, and Node's process metrics in a
// registry of their own (the one-shot ways out leave those out). Nothing here decides what a run means;
// prometheus-exporter.ts does.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ERROR_PHASES as RUN_ERROR_PHASES, RUN_PHASES, RUN_STATUSES, TEST_OUTCOMES } from '../../core/index.ts';
import { messageOf } from '../../shared/errors.ts';
import { STORE_OPERATIONS, type StoreOperation } from '../../store/store-write.ts';
import type { Log } from '../../shared/log.ts';
import { PairSeries } from './pair-series.ts';
import type { LabelScope } from './label-scope.ts';
import type { OrphanLedger } from './sources.ts';

// Label values come from core's lists; `unknown` stands for an error result that names no phase.
export { RUN_STATUSES, TEST_OUTCOMES };
export const PHASES = RUN_PHASES;
export const ERROR_PHASES = [...RUN_ERROR_PHASES, 'unknown'] as const;
/** Why a scheduled fire did not run (the scheduler's SkipReason). */
export const SKIP_REASONS = ['busy', 'queue_full', 'missed', 'paused'] as const;
export type SkipReasonLabel = (typeof SKIP_REASONS)[number];
/** What a failed store write was for (src/store/store-write.ts). */
export { STORE_OPERATIONS, type StoreOperation };

// Tenant setup takes seconds, a suite seconds to tens of minutes: dense at the short end, up to 1 h.
export const PHASE_BUCKETS = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];

// A tenant still `creating`/`active` this long after it was created belongs to no live run.
const DEFAULT_ORPHAN_AFTER_MS = 60 * 60 * 1000;

export interface FamiliesOptions {
  version: string;
  /** The commit Vigil was built from, when known (vigil_build_info's revision label). */
  revision?: string;
  log: Log;
  ledger?: OrphanLedger;
  processMetrics?: boolean;
  /** api.publicURL: exported as vigil_ui_info{url} for alert annotations to link with. */
  publicURL?: string;
  orphanAfterMs?: number;
  clock?: () => Date;
}

// The registries and render helpers, with every family built by subject in the order the exposition
// lists them (prom-client renders in registration order): the pairs', then per run phase, tenants,
// deliveries, the store, locations, the service model and the info series, then the process.
export function createFamilies(options: FamiliesOptions, scope: LabelScope) {
  const resultsRegistry = new Registry();
  const registers = [resultsRegistry];
  const pairs = new PairSeries();
  const families = {
    pairs,
    ...pairFamilies(pairs),
    phaseDuration: phaseFamily(registers),
    ...tenantFamilies(registers, options, scope),
    ...exportFamilies(registers),
    storeWriteFailures: storeFamily(registers),
    ...locationFamilies(registers),
    ...errorQueryFamilies(registers),
    ...modelFamilies(registers),
  };
  infoFamilies(registers, options);
  const registry = Registry.merge([resultsRegistry, processRegistry(options)]);
  // Pair families first, then prom-client's (the histogram, per-environment and per-exporter series,
  // build info, then the process); the same block separator prom-client uses between families.
  const chunks = async (rest: Registry) => [pairs.renderBytes(), Buffer.from(`\n\n${await rest.metrics()}`)];
  const render = async (rest: Registry) => Buffer.concat(await chunks(rest)).toString();
  return { ...families, registry, resultsRegistry, chunks, render };
}

/** Everything labelled by suite × environment: rendered by PairSeries (pair-series.ts says why). */
function pairFamilies(pairs: PairSeries) {
  const probeSuccess = pairs.family({
    name: 'probe_success',
    help: 'Whether the last run of the suite passed (1: passed or flaky, 0: failed or error), as blackbox_exporter.',
    type: 'gauge',
  });
  const probeDuration = pairs.family({
    name: 'probe_duration_seconds',
    help: 'Wall time of the last run, tenant setup to teardown, in seconds.',
    type: 'gauge',
  });
  const runs = pairs.family({
    name: 'vigil_runs_total',
    help: 'Runs finished, by outcome.',
    type: 'counter',
    extra: { label: 'status', values: RUN_STATUSES },
  });
  const lastRun = pairs.family({
    name: 'vigil_last_run_timestamp_seconds',
    help: 'When the last run finished, in seconds since the epoch.',
    type: 'gauge',
  });
  const lastSuccess = pairs.family({
    name: 'vigil_last_success_timestamp_seconds',
    help: 'When the last passed or flaky run finished, in seconds since the epoch.',
    type: 'gauge',
  });
  const lastStatus = pairs.family({
    name: 'vigil_last_run_status',
    help: 'Outcome of the last run as a state set: 1 for the current status, 0 for the others.',
    type: 'gauge',
    extra: { label: 'status', values: RUN_STATUSES },
  });
  const consecutiveFailures = pairs.family({
    name: 'vigil_consecutive_failures',
    help: 'Runs in a row that tested the application and failed; a pass resets it, a runner error leaves it.',
    type: 'gauge',
  });
  const tests = pairs.family({
    name: 'vigil_tests',
    help: 'Tests of the last run, by outcome.',
    type: 'gauge',
    extra: { label: 'outcome', values: TEST_OUTCOMES },
  });
  const runErrors = pairs.family({
    name: 'vigil_run_errors_total',
    help: 'Runs that could not test the application (runner faults, not application failures), by phase.',
    type: 'counter',
    extra: { label: 'phase', values: ERROR_PHASES },
  });
  const skipped = pairs.family({
    name: 'vigil_schedule_skipped_total',
    help: 'Scheduled runs skipped, by reason: busy (the previous run still going), queue_full, missed (the clock jumped or the process stalled), paused.',
    type: 'counter',
    extra: { label: 'reason', values: SKIP_REASONS },
  });
  const paused = pairs.family({
    name: 'vigil_paused',
    help: 'Whether the suite is paused on the environment now (API, vigil pause, a maintenance window): 1 paused, 0 not.',
    type: 'gauge',
  });
  return { probeSuccess, probeDuration, runs, lastRun, lastSuccess, lastStatus, consecutiveFailures, tests, runErrors, skipped, paused };
}

function phaseFamily(registers: Registry[]) {
  return new Histogram({
    name: 'vigil_run_phase_duration_seconds',
    help: 'Duration of each phase of a run (tenant_setup, test, teardown) in seconds, across all suites.',
    // {phase} only (DESIGN.md): per suite × environment it would be 48 series a pair, two thirds of the
    // exposition; per-suite duration is probe_duration_seconds.
    labelNames: ['phase'] as const,
    buckets: PHASE_BUCKETS,
    registers,
  });
}

/** Per environment: tenant create and destroy failures, orphans (counted from the ledger at scrape time), reaped. */
function tenantFamilies(registers: Registry[], options: FamiliesOptions, scope: LabelScope) {
  const createFailures = new Counter({
    name: 'vigil_tenant_create_failures_total',
    help: 'Tenant create calls that failed.',
    labelNames: ['environment'] as const,
    registers,
  });
  const destroyFailures = new Counter({
    name: 'vigil_tenant_destroy_failures_total',
    help: 'Tenant destroy calls that failed, after a run or by the reaper.',
    labelNames: ['environment'] as const,
    registers,
  });
  orphanFamily(registers, options, scope);
  const reaped = new Counter({
    name: 'vigil_tenants_reaped_total',
    help: 'Tenants the reaper destroyed, by where it found them (ledger or the remote list).',
    labelNames: ['environment', 'source'] as const,
    registers,
  });
  return { createFailures, destroyFailures, reaped };
}

function orphanFamily(registers: Registry[], options: FamiliesOptions, scope: LabelScope): void {
  const { ledger, log } = options;
  const clock = options.clock ?? (() => new Date());
  const orphanAfterMs = options.orphanAfterMs ?? DEFAULT_ORPHAN_AFTER_MS;
  new Gauge({
    name: 'vigil_tenant_orphans',
    help: 'Tenants in the ledger not destroyed: teardown failed, or left behind by a run that died.',
    labelNames: ['environment'] as const,
    registers: ledger ? registers : [],
    async collect() {
      if (!ledger) return;
      try {
        const counts = await countOrphans(ledger, new Date(clock().getTime() - orphanAfterMs));
        this.reset();
        for (const env of scope.environments ?? []) this.set({ environment: env }, 0);
        for (const [env, n] of counts) {
          if (scope.acceptsEnvironment(env)) this.set({ environment: env }, n);
        }
      } catch (err) {
        // A scrape must not fail because the store is busy: keep the previous value.
        log.warn({ err: messageOf(err) }, 'prometheus: could not count orphaned tenants');
      }
    },
  });
}

/** Per exporter: deliveries to the monitoring systems that failed, wait in the spool, or were given up on. */
function exportFamilies(registers: Registry[]) {
  const exportFailures = new Counter({
    name: 'vigil_export_failures_total',
    help: 'Failed deliveries to a monitoring system (the result stays spooled and is retried).',
    labelNames: ['exporter'] as const,
    registers,
  });
  const exportSpooled = new Gauge({
    name: 'vigil_export_spooled',
    help: 'Results waiting in the spool for delivery, per exporter.',
    labelNames: ['exporter'] as const,
    registers,
  });
  const exportDropped = new Counter({
    name: 'vigil_export_dropped_total',
    help: 'Spooled results given up on after the maximum age or number of attempts: never delivered.',
    labelNames: ['exporter'] as const,
    registers,
  });
  return { exportFailures, exportSpooled, exportDropped };
}

// A store that cannot be written (full or read-only disk) does not stop a running service; each lost
// write is counted here so it pages instead of passing silently (docs/error-paths.md).
function storeFamily(registers: Registry[]) {
  const storeWriteFailures = new Counter({
    name: 'vigil_store_write_failures_total',
    help: 'Writes to the store that failed (full or read-only disk), by what was written: run, ledger or spool.',
    labelNames: ['operation'] as const,
    registers,
  });
  for (const operation of STORE_OPERATIONS) storeWriteFailures.inc({ operation }, 0);
  return storeWriteFailures;
}

// A suite run from several locations (core/locations.ts): each location's own answer. The pair's
// families follow the pair's rule (at least N locations failing); these say where.
function locationFamilies(registers: Registry[]) {
  const locationLabels = ['suite', 'environment', 'location'] as const;
  const locationProbeSuccess = new Gauge({
    name: 'vigil_location_probe_success',
    help: "Whether the location's last run of the suite passed (1: passed or flaky, 0: failed or error), for suites with locations.",
    labelNames: locationLabels,
    registers,
  });
  const locationLastRun = new Gauge({
    name: 'vigil_location_last_run_timestamp_seconds',
    help: "When the location's last run of the suite finished (Unix seconds), for suites with locations.",
    labelNames: locationLabels,
    registers,
  });
  const locationConsecutiveFailures = new Gauge({
    name: 'vigil_location_consecutive_failures',
    help: 'Runs in a row from the location that tested the application and failed (an error neither counts nor resets), for suites with locations.',
    labelNames: locationLabels,
    registers,
  });
  return { locationProbeSuccess, locationLastRun, locationConsecutiveFailures };
}

/** A passed run's error queries (docs/metrics.md, "Error queries"): the query names come from the config, so the labels stay bounded. */
function errorQueryFamilies(registers: Registry[]) {
  const errorQueryValue = new Gauge({
    name: 'vigil_error_query_value',
    help: "The value of the error query over the run's window, as the suite's last run that asked it got it.",
    labelNames: ['suite', 'environment', 'query'] as const,
    registers,
  });
  const errorQueryFailures = new Counter({
    name: 'vigil_error_query_failures_total',
    help: 'Error queries that could not be asked after a run (Prometheus unreachable, a bad query); the run kept its state.',
    labelNames: ['suite', 'environment', 'query'] as const,
    registers,
  });
  const errorQueryExceeded = new Gauge({
    name: 'vigil_error_query_exceeded',
    help: 'Whether the error query was above its threshold over the last run that asked it (1) or not (0); severity is the configured one (warning or critical).',
    labelNames: ['suite', 'environment', 'query', 'severity'] as const,
    registers,
  });
  return { errorQueryValue, errorQueryFailures, errorQueryExceeded };
}

// The service model, per node declared in the config (never a discovered member: machines come and
// go, the declared tree does not), as `vigil serve` last evaluated it.
function modelFamilies(registers: Registry[]) {
  const modelNodeState = new Gauge({
    name: 'vigil_model_node_state',
    help: "A model node's aggregated state (and / or / min N over its checks and members): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
    labelNames: ['node'] as const,
    registers,
  });
  const modelAllGreen = new Gauge({
    name: 'vigil_model_all_green',
    help: "Whether every check in the node's scope is green: scope own (its own checks) or transitive (and every member's).",
    labelNames: ['node', 'scope'] as const,
    registers,
  });
  // `vigil model coverage` for every node with a pool: (docs/model.md, "Coverage").
  const modelCoverageGaps = new Gauge({
    name: 'vigil_model_coverage_gaps',
    help: "Members where what receives traffic (the node's pool) and what the monitoring checks disagree: kind unmonitored (in the pool, not monitored), not-in-pool (monitored, not in the pool), disabled (in the pool, every check switched off).",
    labelNames: ['node', 'kind'] as const,
    registers,
  });
  const modelCoverageUp = new Gauge({
    name: 'vigil_model_coverage_up',
    help: "1 when the node's pool and its members in the monitoring could both be read at the last model evaluation, 0 when not (then no gap counts).",
    labelNames: ['node'] as const,
    registers,
  });
  const modelCoverageState = new Gauge({
    name: 'vigil_model_coverage_state',
    help: "The node's coverage as its passive check judges it: 0 OK (covered), 1 WARNING (a gap, none taking traffic unmonitored), 2 CRITICAL (a member takes traffic unmonitored), 3 UNKNOWN (the pool or the monitoring could not be read).",
    labelNames: ['node'] as const,
    registers,
  });
  return { modelNodeState, modelAllGreen, modelCoverageGaps, modelCoverageUp, modelCoverageState };
}

/** Series that are always 1 and say things in their labels: which Vigil runs, and where its UI is. */
function infoFamilies(registers: Registry[], options: FamiliesOptions): void {
  new Gauge({
    name: 'vigil_build_info',
    help: 'Always 1; the labels say which Vigil (version, and the commit when known) and Node.js are running.',
    labelNames: ['version', 'revision', 'node'] as const,
    registers,
  }).set({ version: options.version, ...(options.revision ? { revision: options.revision } : {}), node: process.version }, 1);
  // Alert rules read the UI's address from here (`query "vigil_ui_info"`): one series, not a label on
  // every alerting series, and never a run id (unbounded).
  if (options.publicURL) {
    new Gauge({
      name: 'vigil_ui_info',
      help: 'Always 1; url is api.publicURL, where the suite and run pages are (alerts link there).',
      labelNames: ['url'] as const,
      registers,
    }).set({ url: options.publicURL }, 1);
  }
}

/** Node's process_* and nodejs_* metrics, in a registry of their own (empty when processMetrics is false). */
function processRegistry(options: FamiliesOptions): Registry {
  const registry = new Registry();
  if (options.processMetrics === false) return registry;
  collectDefaultMetrics({ register: registry });
  // prom-client names some gauges *_total (nodejs_active_handles_total…), which promtool rejects
  // and PromQL users mistake for counters; Vigil's exposition must lint clean, so leave them out.
  for (const metric of registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    if (name.endsWith('_total') && type !== 'counter') registry.removeSingleMetric(name);
  }
  return registry;
}

export type Families = ReturnType<typeof createFamilies>;

async function countOrphans(ledger: OrphanLedger, staleBefore: Date): Promise<Map<string, number>> {
  // create_failed is left out: the tenant most likely never existed, the failure was counted when it
  // happened, and a row the reaper cannot resolve (no id, no list) would otherwise alert forever.
  const rows = [...(await ledger.list({ states: ['teardown_failed'] })), ...(await ledger.list({ states: ['creating', 'active'], olderThan: staleBefore }))];
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.environment, (counts.get(row.environment) ?? 0) + 1);
  return counts;
}
