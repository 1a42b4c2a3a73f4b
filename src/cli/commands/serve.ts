import module from 'node:module';
import { hostname } from 'node:os';
import { createScheduler } from '../../scheduler/scheduler.ts';
import { createMemoryGuard } from '../../scheduler/memory-guard.ts';
import { createPauseControl } from '../../scheduler/pause-control.ts';
import { createPauseWatcher } from '../../scheduler/pause-watcher.ts';
import { createPauses } from '../../scheduler/pauses.ts';
import { createCluster } from '../../scheduler/cluster.ts';
import { parseShard } from '../../scheduler/shard.ts';
import { createRunRecovery } from '../../runs/run-recovery.ts';
import { createApiServer } from '../../api/server.ts';
import { createReaper } from '../../tenants/reaper.ts';
import { parseDuration } from '../../shared/duration.ts';
import { ConfigError, messageOf } from '../../shared/errors.ts';
import { orchestratorFor } from '../orchestrator-for.ts';
import { loadContext } from '../context.ts';
import { retainRuns } from '../retain-runs.ts';
import { createTeardownStack } from '../../shared/teardown-stack.ts';
import { NAME_PATTERN, type VigilConfig } from '../../config/schema.ts';
import type { Log } from '../../shared/log.ts';

export interface ServeOptions {
  config?: string;
  listen?: string;
  runNow?: boolean;
  /** `i/n`: run only the suite × environment pairs this replica owns. */
  shard?: string;
  /** Overrides api.grace, e.g. "30s". */
  grace?: string;
  /** This replica's name on a shared store; default $VIGIL_REPLICA, else host:pid. */
  replica?: string;
  /** Where this replica runs from; default $VIGIL_LOCATION. */
  location?: string;
}

// How often the export spool is looked at; each entry still waits out its own backoff.
const SPOOL_RETRY_EVERY_MS = 5_000;
// How soon a pause set by another process (`vigil pause` on the store) or a window opening is exported.
const PAUSE_WATCH_EVERY_MS = 5_000;
// Taken fires are kept a day (who ran which fire), then pruned on the reaper's beat.
const FIRE_HISTORY_MS = 86_400_000;

/**
 * `vigil serve`: scheduler + HTTP API until SIGTERM/SIGINT. Then: no new run, queued ones dropped,
 * in-flight ones get the grace period, then are interrupted (tenants still torn down, runs recorded),
 * and the process exits 0.
 */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  // Flags are checked before anything is opened: a typo must not start a half-configured server.
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const graceFlag = opts.grace === undefined ? undefined : parseDuration(opts.grace);
  if (opts.grace !== undefined && graceFlag === undefined) throw new ConfigError(`"${opts.grace}" is not a duration (e.g. 30s, 2m)`, { where: '--grace' });
  const location = opts.location ?? (process.env.VIGIL_LOCATION?.trim() || '');
  if (location && !NAME_PATTERN.test(location)) {
    throw new ConfigError(`"${location}" is not a location name: lowercase letters, digits, "-" and "_", as suites list them in locations: [...]`, { where: opts.location !== undefined ? '--location' : 'VIGIL_LOCATION' });
  }

  const ctx = await loadContext({ config: opts.config, logLevel: process.env.VIGIL_LOG_LEVEL ?? 'info' });
  const { log, config } = ctx;
  const graceMs = graceFlag ?? config.api.grace;
  // Signals that arrive while starting up still shut down cleanly once started.
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    let received = false;
    // `on`, not `once`: a second signal must not kill the process with tenants still up.
    const on = (sig: NodeJS.Signals) => {
      if (received) log.warn({ signal: sig }, 'already shutting down: waiting for in-flight runs (they are interrupted when the grace period ends)');
      received = true;
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
  // Every resource is registered the moment it starts and torn down in reverse: the scheduler (its
  // grace for runs going) before the leases it renews, both before the API that shows them.
  const stack = createTeardownStack(log);
  let stopReason = 'Vigil is shutting down';
  try {
    const { prometheus, fanOut } = ctx.exporters;
    // Replicas on one store take each fire once and record the runs of one that stopped (docs/deploy.md).
    const replica = opts.replica ?? (process.env.VIGIL_REPLICA?.trim() || `${hostname()}:${process.pid}`);
    const orchestrator = orchestratorFor(ctx, { replica, ...(location ? { location } : {}) });
    const reaper = createReaper({ store: ctx.store, provisioners: ctx.provisioners, config, log, clock: () => new Date() });
    let reaping: Promise<void> | undefined;
    const reap = (why: string) => {
      reaping ??= retainRuns(ctx, why) // old run rows go on the reaper's beat too: one housekeeping pass, one timer
        .then(() => ctx.store.cluster.pruneFires(new Date(Date.now() - FIRE_HISTORY_MS)).catch(() => 0))
        .then(() => reaper.reap())
        .then((report) => {
          prometheus.observeReap(report);
          log.info(report, `${why} reaper pass`);
        })
        .catch((err) => log.error({ err: ctx.redact(messageOf(err)) }, `${why} reaper pass failed`))
        .finally(() => (reaping = undefined));
      return reaping;
    };
    await reap('start-up');

    const cluster = createCluster({ rows: ctx.store.cluster, replica, location, leaseMs: config.api.lease, log, located: (suite) => config.suites[suite]?.locations !== undefined });
    warnUnplaced(config, location, log);
    const recovery = createRunRecovery({ store: ctx.store, reapRun: (runId) => reaper.reapRun(runId), publish: (r) => fanOut.publish(r), replica, log });
    let sweeping: Promise<unknown> | undefined;
    const sweepLost = (formerSelf = false) =>
      (sweeping ??= recovery
        .sweep({ formerSelf })
        .catch((err) => log.error({ err: ctx.redact(messageOf(err)) }, 'looking for runs whose replica stopped failed'))
        .finally(() => (sweeping = undefined)));
    await sweepLost(true);

    const pauses = createPauses({ store: ctx.store, windows: config.maintenance, timezone: config.api.timezone });
    stack.defer('pauses', () => pauses.close());
    await pauses.refresh();
    const scheduler = createScheduler({
      config,
      orchestrator,
      log,
      concurrency: config.api.concurrency,
      memoryGuard: createMemoryGuard({ perRunMiB: config.api.memoryPerRun }),
      maxQueue: config.api.maxQueue,
      timezone: config.api.timezone,
      jitterMs: config.api.jitter,
      shard,
      location,
      pauses,
      cluster: cluster.slots,
      onSkip: (suite, environment, reason, pause) => {
        prometheus.observeSkip(suite, environment, reason);
        // Every skipped fire says "paused" again: a freshness check on the service stays satisfied.
        if (pause) void fanOut.publishPause(pause, 'refresh');
      },
    });
    const pairs = () => scheduler.schedules();
    const pauseWatcher = createPauseWatcher({
      pauses,
      pairs,
      onPause: (pause) => {
        log.info({ suite: pause.suite, environment: pause.environment, until: pause.until, source: pause.source, reason: pause.reason }, 'paused');
        prometheus.setPaused(pause.suite, pause.environment, true);
        void fanOut.publishPause(pause, 'pause');
      },
      onResume: (pause, early) => {
        log.info({ suite: pause.suite, environment: pause.environment, early }, 'resumed');
        prometheus.setPaused(pause.suite, pause.environment, false);
        if (early) void fanOut.publishPause(pause, 'resume');
      },
    });
    let watching: Promise<void> | undefined;
    const watchPauses = () =>
      (watching ??= (async () => {
        await ctx.store.pauses.expire(new Date());
        await pauses.refresh();
        pauseWatcher.tick();
      })()
        .catch((err) => log.error({ err: ctx.redact(messageOf(err)) }, 'checking pauses failed'))
        .finally(() => (watching = undefined)));
    const pauseControl = createPauseControl({ config, store: ctx.store, pauses, pairs, changed: watchPauses });
    const model = config.model === undefined ? undefined : await startModelMonitor(ctx);
    if (model) stack.defer('the service model', () => model.stop());
    const api = await createApiServer({
      model,
      store: ctx.store,
      listen: opts.listen ?? config.api.listen,
      log,
      metrics: prometheus,
      control: scheduler,
      pauses: pauseControl,
      publicURL: config.api.publicURL,
      token: config.api.token,
      readToken: config.api.readToken,
      artifactsDir: config.artifacts.dir,
    });
    stack.defer('the API', () => api.close());
    const retrySpool = () =>
      void fanOut.retryDue().catch((err) => log.error({ err: ctx.redact(messageOf(err)) }, 'export spool retry failed'));
    retrySpool();
    const spoolTimer = setInterval(retrySpool, SPOOL_RETRY_EVERY_MS);
    stack.defer('the spool retries', () => clearInterval(spoolTimer));
    const reapTimer = setInterval(() => void reap('periodic'), config.api.reapEvery);
    stack.defer('the reaper', async () => {
      clearInterval(reapTimer);
      await reaping;
    });
    await cluster.start((runId) => scheduler.abandon(runId, 'another replica took this run over: its lease ran out (this process or its database stalled)'), api.url);
    stack.defer('the leases', () => cluster.stop());
    // Every replica's /metrics says each pair's last state, whichever replica ran it (docs/deploy.md).
    let syncing: Promise<unknown> | undefined;
    const sweepTimer = setInterval(() => {
      void sweepLost();
      syncing ??= prometheus.sync(ctx.store.runs).finally(() => (syncing = undefined));
    }, Math.max(1_000, Math.floor(config.api.lease / 4)));
    stack.defer('the lease watch', async () => {
      clearInterval(sweepTimer);
      await sweeping;
      await syncing;
    });
    scheduler.start();
    stack.defer('the scheduler', () => scheduler.stop({ graceMs, reason: stopReason }));
    await watchPauses();
    const pauseTimer = setInterval(() => void watchPauses(), PAUSE_WATCH_EVERY_MS);
    stack.defer('the pause watch', async () => {
      clearInterval(pauseTimer);
      await watching;
    });
    settleStartUp();
    log.info({ url: api.url, replica, ...(location ? { location } : {}), store: ctx.store.engine, triggering: config.api.token ? 'enabled' : 'disabled (no api.token)', artifacts: config.api.token || config.api.readToken ? 'token required' : 'public (no api.readToken or api.token)', shard: opts.shard, graceMs }, 'vigil serving');
    if (opts.runNow ?? ctx.demo !== undefined) scheduler.runAllNow();

    const signal = await stopSignal;
    const status = scheduler.status();
    log.info({ signal, running: status.running.map((r) => r.runId), queued: status.queued.map((r) => r.runId), graceMs }, 'shutting down: no new runs; in-flight runs get the grace period');
    stopReason = `Vigil is shutting down (${signal})`;
    await stack.unwind();
    log.info('stopped');
    return 0;
  } finally {
    await stack.unwind();
    await ctx.close();
  }
}

/**
 * The service model (model: in the config), evaluated every model.evaluateEvery: its declared nodes as
 * gauges, and as passive Nagios/Icinga services where a node names one. Loaded only when configured, so a
 * serve without a model loads none of the sources.
 */
async function startModelMonitor(ctx: Awaited<ReturnType<typeof loadContext>>) {
  const { createModelMonitor, declaredNodes, nagiosTargets, nodeCheck } = await import('../../model/index.ts');
  const model = await ctx.model();
  const targets = nagiosTargets(model);
  const { prometheus, fanOut } = ctx.exporters;
  const monitor = createModelMonitor({
    model,
    runs: () => ctx.store.runs,
    log: ctx.log,
    redact: ctx.redact.value,
    onEvaluated: async (evaluation) => {
      const declared = declaredNodes(evaluation.roots);
      prometheus.observeModel(declared.map((d) => ({ node: d.node.path, state: d.node.state, allGreenOwn: d.allGreenOwn, allGreenTransitive: d.allGreenTransitive })));
      const sends = declared.flatMap((d) => {
        const target = targets.get(d.node.path);
        return target ? [fanOut.publishCheck(nodeCheck(d.node, target, evaluation.nowMs), `model-${d.node.path}-${Math.floor(evaluation.nowMs / 1000)}`)] : [];
      });
      await Promise.all(sends);
    },
  });
  monitor.start();
  ctx.log.info({ nodes: model.nodes.map((n) => n.name), everyMs: model.evaluateEveryMs, passive: [...targets.keys()] }, 'service model: evaluating');
  return monitor;
}

/** Suites this replica will not run because of where it is: said once at start, so a forgotten --location is seen. */
function warnUnplaced(config: VigilConfig, location: string, log: Log): void {
  const elsewhere = Object.entries(config.suites).filter(([, s]) => s.locations && !s.locations.includes(location));
  if (!elsewhere.length) return;
  log.warn(
    { location: location || undefined, suites: elsewhere.map(([name, s]) => `${name} (${s.locations!.join(', ')})`) },
    `${elsewhere.length} suite(s) run only from their locations and not from this replica (${location ? `location ${location}` : 'no --location'}); replicas in those locations run them`,
  );
}

/**
 * Start-up is over; the process mostly waits from here on. Two things that only matter for a
 * long-running process (docs/architecture.md, "Start-up and memory"):
 * - write the compile cache now: Node writes it at exit otherwise, and a service that is killed or
 *   crashes never gets there, so its next start would be cold again;
 * - one full, memory-reducing garbage collection: start-up leaves V8's young generation grown to
 *   2 × 16 MB and old-space garbage, and an idle process keeps both resident (nothing triggers a
 *   collection). Only when `gc` is exposed (src/cli/vigil.js runs Node with --expose-gc); ~30 ms, once.
 */
function settleStartUp(): void {
  module.flushCompileCache();
  globalThis.gc?.({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}
