// Run outcomes as Prometheus metrics (docs/metrics.md is the reference for every series here).
// Own registries, never prom-client's global one: two exporters (tests, a CLI next to a server) must
// not share state. Vigil's own series and Node's process metrics live in separate registries so the
// one-shot ways out (textfile, Pushgateway) can leave out process_* series, which would collide with
// node_exporter's and the gateway's own. The per-suite × environment families are not prom-client's
// but PairSeries' (pair-series.ts): at 1,000 pairs prom-client's rendering alone missed the scrape
// target.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PairSeries } from './pair-series.ts';
import { ERROR_PHASES as RUN_ERROR_PHASES, RUN_PHASES, RUN_STATUSES, type RunResult, type RunStatus } from '../../core/index.ts';
import type { Log } from '../../shared/log.ts';
import { messageOf } from '../../shared/errors.ts';
import type { LastResult, LastResults, OrphanLedger, ReapCounts, Target } from './sources.ts';

// Label values come from core's lists; `unknown` stands for an error result that names no phase.
export { RUN_STATUSES };
export const PHASES = RUN_PHASES;
export const ERROR_PHASES = [...RUN_ERROR_PHASES, 'unknown'] as const;
export const TEST_OUTCOMES = ['passed', 'failed', 'flaky', 'skipped'] as const;

// Tenant setup takes seconds, a suite seconds to tens of minutes: dense at the short end, up to 1 h.
export const PHASE_BUCKETS = [0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600];

// A tenant still `creating`/`active` this long after it was created belongs to no live run.
const DEFAULT_ORPHAN_AFTER_MS = 60 * 60 * 1000;
// Spooled results are published again after a restart or retry; a run must count once.
const SEEN_RUN_IDS = 1000;
const EXPORTER_NAME = /^[a-z][a-z0-9_-]{0,63}$/;

export interface PrometheusExporterOptions {
  /** Vigil's version, for vigil_build_info. */
  version: string;
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
  orphanAfterMs?: number;
  clock?: () => Date;
}

export interface PrometheusExporter {
  /** Vigil's own series only (no process_* metrics): for the textfile collector and the Pushgateway. */
  readonly results: Exposition;
  /** The content type of metrics(). */
  readonly contentType: string;
  /** Called by the fan-out for every RunResult. Never throws for a result it will not take. */
  publish(result: RunResult): Promise<void>;
  /** One delivery attempt by another exporter; `spooled` is its queue length afterwards, if known. */
  observeDelivery(exporter: string, ok: boolean, spooled?: number): void;
  observeSpool(exporter: string, spooled: number): void;
  /** Spooled results given up on (too old or too many attempts): lost to that monitoring system. */
  observeDrop(exporter: string, count?: number): void;
  /** The scheduler skipped a run because the previous one was still going. */
  observeSkip(suite: string, environment: string): void;
  observeReap(report: ReapCounts): void;
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
  const clock = options.clock ?? (() => new Date());
  const orphanAfterMs = options.orphanAfterMs ?? DEFAULT_ORPHAN_AFTER_MS;
  const targets = options.targets ? new Set(options.targets.map(pairKey)) : undefined;
  const environments = options.targets ? new Set(options.targets.map((t) => t.environment)) : undefined;

  const resultsRegistry = new Registry();
  const processRegistry = new Registry();
  const registers = [resultsRegistry];

  // Everything labelled by suite × environment: rendered by PairSeries (pair-series.ts says why).
  const pairs = new PairSeries();
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
    help: 'Scheduled runs skipped because the previous run of the suite was still going.',
    type: 'counter',
  });
  const phaseDuration = new Histogram({
    name: 'vigil_run_phase_duration_seconds',
    help: 'Duration of each phase of a run (tenant_setup, test, teardown) in seconds, across all suites.',
    // {phase} only (DESIGN.md): per suite × environment it would be 48 series a pair, two thirds of the
    // exposition; per-suite duration is probe_duration_seconds.
    labelNames: ['phase'] as const,
    buckets: PHASE_BUCKETS,
    registers,
  });
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
  const ledger = options.ledger;
  new Gauge({
    name: 'vigil_tenant_orphans',
    help: 'Tenants in the ledger not destroyed: teardown failed, or left behind by a run that died.',
    labelNames: ['environment'] as const,
    registers: ledger ? registers : [],
    collect() {
      if (!ledger) return;
      try {
        const counts = countOrphans(ledger, new Date(clock().getTime() - orphanAfterMs));
        this.reset();
        for (const env of environments ?? []) this.set({ environment: env }, 0);
        for (const [env, n] of counts) {
          if (acceptsEnvironment(env)) this.set({ environment: env }, n);
        }
      } catch (err) {
        // A scrape must not fail because the store is busy: keep the previous value.
        log.warn({ err: messageOf(err) }, 'prometheus: could not count orphaned tenants');
      }
    },
  });
  const reaped = new Counter({
    name: 'vigil_tenants_reaped_total',
    help: 'Tenants the reaper destroyed, by where it found them (ledger or the remote list).',
    labelNames: ['environment', 'source'] as const,
    registers,
  });
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
  new Gauge({
    name: 'vigil_build_info',
    help: 'Always 1; the labels say which Vigil and Node.js are running.',
    labelNames: ['version', 'node'] as const,
    registers,
  }).set({ version: options.version, node: process.version }, 1);

  if (options.processMetrics !== false) {
    collectDefaultMetrics({ register: processRegistry });
    // prom-client names some gauges *_total (nodejs_active_handles_total…), which promtool rejects
    // and PromQL users mistake for counters; Vigil's exposition must lint clean, so leave them out.
    for (const metric of processRegistry.getMetricsAsArray()) {
      const { name, type } = metric as unknown as { name: string; type: string };
      if (name.endsWith('_total') && type !== 'counter') processRegistry.removeSingleMetric(name);
    }
  }
  const registry = Registry.merge([resultsRegistry, processRegistry]);
  // Pair families first, then prom-client's (the histogram, per-environment and per-exporter series,
  // build info, then the process); the same block separator prom-client uses between families.
  const chunks = async (rest: Registry) => [pairs.renderBytes(), Buffer.from(`\n\n${await rest.metrics()}`)];
  const render = async (rest: Registry) => Buffer.concat(await chunks(rest)).toString();
  const results: Exposition = { contentType: registry.contentType, metrics: () => render(resultsRegistry) };

  function acceptsPair(suite: string, environment: string): boolean {
    if (!suite || !environment) return false;
    return targets ? targets.has(pairKey({ suite, environment })) : true;
  }
  function acceptsEnvironment(environment: string): boolean {
    if (!environment) return false;
    return environments ? environments.has(environment) : true;
  }
  function checkExporter(exporter: string): boolean {
    if (EXPORTER_NAME.test(exporter)) return true;
    log.warn({ exporter }, 'prometheus: exporter name refused as a label value (want [a-z][a-z0-9_-]*)');
    return false;
  }

  // Counters that alerts use with increase() need a 0 sample before their first increment.
  for (const target of options.targets ?? []) {
    const { suite, environment } = target;
    for (const status of RUN_STATUSES) runs.inc(suite, environment, 0, status);
    for (const phase of ERROR_PHASES) runErrors.inc(suite, environment, 0, phase);
    skipped.inc(suite, environment, 0);
  }
  for (const environment of environments ?? []) {
    createFailures.inc({ environment }, 0);
    destroyFailures.inc({ environment }, 0);
    for (const source of ['ledger', 'remote'] as const) reaped.inc({ environment, source }, 0);
  }
  for (const exporter of options.exporters ?? []) {
    if (!checkExporter(exporter)) continue;
    exportFailures.inc({ exporter }, 0);
    exportSpooled.set({ exporter }, 0);
    exportDropped.inc({ exporter }, 0);
  }

  // Last finishedAt seen per pair: a spooled result published late must not roll the gauges back.
  const newest = new Map<string, number>();
  const streak = new Map<string, number>();
  const seen = new Set<string>();

  function setLast(result: RunResult, lastSuccessAt: string | undefined): void {
    const { suite, environment } = result;
    const finished = Date.parse(result.finishedAt);
    const started = Date.parse(result.startedAt);
    const ok = result.status === 'passed' || result.status === 'flaky';
    probeSuccess.set(suite, environment, ok ? 1 : 0);
    if (Number.isFinite(finished) && Number.isFinite(started)) {
      probeDuration.set(suite, environment, Math.max(0, (finished - started) / 1000));
    }
    if (Number.isFinite(finished)) lastRun.set(suite, environment, finished / 1000);
    const successAt = lastSuccessAt ? Date.parse(lastSuccessAt) : NaN;
    if (Number.isFinite(successAt)) lastSuccess.set(suite, environment, successAt / 1000);
    for (const status of RUN_STATUSES) lastStatus.set(suite, environment, status === result.status ? 1 : 0, status);
    for (const outcome of TEST_OUTCOMES) tests.set(suite, environment, result.tests[outcome] ?? 0, outcome);
    consecutiveFailures.set(suite, environment, streak.get(pairKey(result)) ?? 0);
  }

  function nextStreak(previous: number, status: RunStatus): number {
    if (status === 'failed') return previous + 1;
    if (status === 'error') return previous;
    return 0;
  }

  function restore(source: LastResults): void {
    let entries: LastResult[];
    try {
      entries = source.lastBySuite();
    } catch (err) {
      log.error({ err: messageOf(err) }, 'prometheus: could not restore last results; gauges start empty');
      return;
    }
    for (const entry of entries) {
      const result = entry.last;
      if (!acceptsPair(result.suite, result.environment)) continue;
      try {
        streak.set(pairKey(result), restoreStreak(source, result));
      } catch (err) {
        log.warn({ err: messageOf(err), suite: result.suite }, 'prometheus: could not restore failure streak');
      }
      newest.set(pairKey(result), Date.parse(result.finishedAt));
      // The fan-out may publish this run again after the restart (a spooled delivery).
      seen.add(result.runId);
      setLast(result, entry.lastSuccessAt);
    }
  }

  if (options.lastResults) restore(options.lastResults);

  return {
    results,
    contentType: registry.contentType,

    async publish(result) {
      if (!acceptsPair(result.suite, result.environment)) {
        log.warn(
          { suite: result.suite, environment: result.environment, runId: result.runId },
          'prometheus: result for a suite/environment not in the configuration; not exported',
        );
        return;
      }
      if (seen.has(result.runId)) return;
      seen.add(result.runId);
      if (seen.size > SEEN_RUN_IDS) seen.delete(seen.values().next().value as string);

      const { suite, environment } = result;
      runs.inc(suite, environment, 1, result.status);
      for (const phase of PHASES) {
        const seconds = result.phases[phase];
        if (Number.isFinite(seconds) && seconds >= 0) phaseDuration.observe({ phase }, seconds);
      }
      if (result.status === 'error') runErrors.inc(suite, environment, 1, result.errorPhase ?? 'unknown');
      if (result.errorPhase === 'tenant_setup' || result.tenant?.state === 'create_failed') {
        createFailures.inc({ environment: result.environment });
      }
      if (result.tenant?.state === 'teardown_failed') destroyFailures.inc({ environment: result.environment });

      const key = pairKey(result);
      const finished = Date.parse(result.finishedAt);
      if (finished < (newest.get(key) ?? -Infinity)) return;
      newest.set(key, finished);
      streak.set(key, nextStreak(streak.get(key) ?? 0, result.status));
      const ok = result.status === 'passed' || result.status === 'flaky';
      setLast(result, ok ? result.finishedAt : undefined);
    },

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

    observeSkip(suite, environment) {
      if (acceptsPair(suite, environment)) skipped.inc(suite, environment);
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

    metrics: () => render(registry),
    metricsChunks: () => chunks(registry),
  };
}

function pairKey(p: { suite: string; environment: string }): string {
  return `${p.suite}\u0000${p.environment}`;
}

function countOrphans(ledger: OrphanLedger, staleBefore: Date): Map<string, number> {
  // create_failed is left out: the tenant most likely never existed, the failure was counted when it
  // happened, and a row the reaper cannot resolve (no id, no list) would otherwise alert forever.
  const rows = [
    ...ledger.list({ states: ['teardown_failed'] }),
    ...ledger.list({ states: ['creating', 'active'], olderThan: staleBefore }),
  ];
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.environment, (counts.get(row.environment) ?? 0) + 1);
  return counts;
}

// The streak is not stored: walk back through recent runs until one passed.
const STREAK_LOOKBACK = 100;
function restoreStreak(source: LastResults, last: RunResult): number {
  const history = source.list?.({ suite: last.suite, environment: last.environment, limit: STREAK_LOOKBACK }) ?? [
    last,
  ];
  let count = 0;
  for (const run of history) {
    if (run.status === 'passed' || run.status === 'flaky') break;
    if (run.status === 'failed') count++;
  }
  return count;
}
