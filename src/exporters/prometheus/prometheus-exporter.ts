// Run outcomes as Prometheus metrics (docs/metrics.md is the reference for every series here).
// Own registries, never prom-client's global one: two exporters (tests, a CLI next to a server) must
// not share state. Vigil's own series and Node's process metrics live in separate registries so the
// one-shot ways out (textfile, Pushgateway) can leave out process_* series, which would collide with
// node_exporter's and the gateway's own. The per-suite × environment families are not prom-client's
// but PairSeries' (pair-series.ts): at 1,000 pairs prom-client's rendering alone missed the scrape
// target.
import { isSuccess, judgeLocations, STATE_CODE, pairStreak, type LocationRule, type RunResult, type RunStatus } from '../../core/index.ts';
import { messageOf } from '../../shared/errors.ts';
import type { Log } from '../../shared/log.ts';
import { createFamilies, ERROR_PHASES, PHASES, RUN_STATUSES, SKIP_REASONS, TEST_OUTCOMES, type SkipReasonLabel, type StoreOperation } from './families.ts';
import { createLabelScope, pairKey } from './label-scope.ts';
import type { LastResult, LastResults, OrphanLedger, ReapCounts, Target } from './sources.ts';

export { ERROR_PHASES, PHASE_BUCKETS, PHASES, RUN_STATUSES, TEST_OUTCOMES } from './families.ts';

// Spooled results are published again after a restart or retry; a run must count once.
const SEEN_RUN_IDS = 1000;

/** One declared node of the service model (src/model), as the exporter needs it. */
export interface ModelNodeSample {
  /** The node's path, `shop` or `shop/app`. */
  node: string;
  state: 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';
  allGreenOwn: boolean;
  allGreenTransitive: boolean;
}

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
  /** The scheduler skipped a scheduled fire (default reason: busy, the previous run still going). */
  observeSkip(suite: string, environment: string, reason?: SkipReasonLabel): void;
  /** Whether the pair is paused now (vigil_paused). */
  setPaused(suite: string, environment: string, paused: boolean): void;
  /** A write to the store failed (full or read-only disk); the service goes on without it. */
  observeStoreFailure(operation: StoreOperation): void;
  observeReap(report: ReapCounts): void;
  /** The service model's declared nodes as `vigil serve` last evaluated them; nodes no longer given are dropped. */
  observeModel(nodes: ModelNodeSample[]): void;
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
  const { acceptsPair, acceptsEnvironment, checkExporter, environments } = scope;
  const families = createFamilies(options, scope);
  const {
    probeSuccess, probeDuration, runs, lastRun, lastSuccess, lastStatus, consecutiveFailures, tests, runErrors, skipped, paused,
    phaseDuration, createFailures, destroyFailures, reaped, exportFailures, exportSpooled, exportDropped, storeWriteFailures,
    modelNodeState, modelAllGreen, locationProbeSuccess, locationLastRun, locationConsecutiveFailures,
    registry, resultsRegistry, chunks, render,
  } = families;
  const results: Exposition = { contentType: registry.contentType, metrics: () => render(resultsRegistry) };

  // Counters that alerts use with increase() need a 0 sample before their first increment.
  for (const target of options.targets ?? []) {
    const { suite, environment } = target;
    for (const status of RUN_STATUSES) runs.inc(suite, environment, 0, status);
    for (const phase of ERROR_PHASES) runErrors.inc(suite, environment, 0, phase);
    for (const reason of SKIP_REASONS) skipped.inc(suite, environment, 0, reason);
    paused.set(suite, environment, 0);
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

  // Suites run from several locations: each location's newest run and failure streak, per pair.
  interface Located {
    rule: LocationRule;
    suite: string;
    environment: string;
    newest: Map<string, RunResult>;
    streaks: Map<string, number>;
  }
  const located = new Map<string, Located>();
  for (const t of options.targets ?? []) {
    if (t.locations) located.set(pairKey(t), { rule: t.locations, suite: t.suite, environment: t.environment, newest: new Map(), streaks: new Map() });
  }
  const clock = options.clock ?? (() => new Date());

  /** A location's newest run (with its streak): its own gauges. False when it is not newer than the one held. */
  function setLocation(pair: Located, result: RunResult, streakOf: (previous: number) => number): boolean {
    const location = result.location;
    if (!location || !pair.rule.locations.includes(location)) return false;
    const held = pair.newest.get(location);
    if (held && Date.parse(held.finishedAt) > Date.parse(result.finishedAt)) return false;
    if (held?.runId === result.runId) return false;
    pair.newest.set(location, result);
    pair.streaks.set(location, streakOf(pair.streaks.get(location) ?? 0));
    const labels = { suite: pair.suite, environment: pair.environment, location };
    locationProbeSuccess.set(labels, isSuccess(result.status) ? 1 : 0);
    const finished = Date.parse(result.finishedAt);
    if (Number.isFinite(finished)) locationLastRun.set(labels, finished / 1000);
    locationConsecutiveFailures.set(labels, pair.streaks.get(location)!);
    return true;
  }

  /** The pair's state from its locations' newest runs: probe_success, last_status and the streak follow the rule. */
  function applyVerdict(pair: Located): void {
    if (pair.newest.size === 0) return;
    const verdict = judgeLocations(pair.newest, pair.rule, clock());
    const { suite, environment } = pair;
    probeSuccess.set(suite, environment, isSuccess(verdict.status) ? 1 : 0);
    for (const status of RUN_STATUSES) lastStatus.set(suite, environment, status === verdict.status ? 1 : 0, status);
    consecutiveFailures.set(suite, environment, pairStreak([...pair.streaks.values()], pair.rule.minFailed));
  }

  function setLast(result: RunResult, lastSuccessAt: string | undefined): void {
    const { suite, environment } = result;
    const finished = Date.parse(result.finishedAt);
    const started = Date.parse(result.startedAt);
    const ok = isSuccess(result.status);
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

  /**
   * Takes each pair's newest run from the store where it is newer than what this process saw: at
   * start-up (a restart keeps the gauges) and, with replicas, every few seconds (runs other replicas
   * ran: every replica exports the cluster's last state). Counters are never touched here: each replica
   * counts what it ran itself. Returns how many pairs changed.
   */
  async function restore(source: LastResults, what = 'restore'): Promise<number> {
    let entries: LastResult[];
    try {
      entries = await source.lastBySuite();
    } catch (err) {
      log.error({ err: messageOf(err) }, `prometheus: could not ${what} last results from the store`);
      return 0;
    }
    let changed = 0;
    for (const entry of entries) {
      const result = entry.last;
      if (!acceptsPair(result.suite, result.environment)) continue;
      if (Date.parse(result.finishedAt) <= (newest.get(pairKey(result)) ?? -Infinity)) continue;
      changed++;
      try {
        streak.set(pairKey(result), await restoreStreak(source, result));
      } catch (err) {
        log.warn({ err: messageOf(err), suite: result.suite }, 'prometheus: could not restore failure streak');
      }
      newest.set(pairKey(result), Date.parse(result.finishedAt));
      // The fan-out may publish this run again after the restart (a spooled delivery).
      seen.add(result.runId);
      setLast(result, entry.lastSuccessAt);
    }
    if (located.size && source.lastByLocation) {
      try {
        for (const run of await source.lastByLocation()) {
          const pair = located.get(pairKey(run));
          if (!pair || !run.location || pair.newest.get(run.location)?.runId === run.runId) continue;
          const streakNow = await restoreStreak(source, run, run.location);
          if (setLocation(pair, run, () => streakNow)) changed++;
        }
      } catch (err) {
        log.error({ err: messageOf(err) }, `prometheus: could not ${what} the locations' last results from the store`);
      }
    }
    // Each pass, even without a new run: a location that went quiet turns into no answer on time.
    for (const pair of located.values()) applyVerdict(pair);
    return changed;
  }

  // Until the store has answered, a scrape or a new run waits: the restored gauges must not land on top of newer ones.
  const restored = options.lastResults ? restore(options.lastResults) : Promise.resolve(0);

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
      await restored;
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
      const pair = located.get(key);
      if (pair) setLocation(pair, result, (previous) => nextStreak(previous, result.status));
      const finished = Date.parse(result.finishedAt);
      if (finished >= (newest.get(key) ?? -Infinity)) {
        newest.set(key, finished);
        streak.set(key, nextStreak(streak.get(key) ?? 0, result.status));
        const ok = isSuccess(result.status);
        setLast(result, ok ? result.finishedAt : undefined);
      }
      if (pair) applyVerdict(pair);
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

    observeSkip(suite, environment, reason = 'busy') {
      if (acceptsPair(suite, environment)) skipped.inc(suite, environment, 1, reason);
    },

    setPaused(suite, environment, isPaused) {
      if (acceptsPair(suite, environment)) paused.set(suite, environment, isPaused ? 1 : 0);
    },

    observeModel(nodes) {
      modelNodeState.reset();
      modelAllGreen.reset();
      for (const n of nodes) {
        modelNodeState.set({ node: n.node }, STATE_CODE[n.state]);
        modelAllGreen.set({ node: n.node, scope: 'own' }, n.allGreenOwn ? 1 : 0);
        modelAllGreen.set({ node: n.node, scope: 'transitive' }, n.allGreenTransitive ? 1 : 0);
      }
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

    async sync(source) {
      await restored;
      return restore(source, 'sync');
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

// The streak is not stored: walk back through recent runs until one passed.
const STREAK_LOOKBACK = 100;
async function restoreStreak(source: LastResults, last: RunResult, location?: string): Promise<number> {
  const history = (await source.list?.({ suite: last.suite, environment: last.environment, ...(location ? { location } : {}), limit: STREAK_LOOKBACK })) ?? [last];
  let count = 0;
  for (const run of history) {
    if (isSuccess(run.status)) break;
    if (run.status === 'failed') count++;
  }
  return count;
}
