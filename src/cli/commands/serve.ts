import module from 'node:module';
import { hostname } from 'node:os';
import { createScheduler, type SchedulerDeps } from '../../scheduler/scheduler.ts';
import { createMemoryGuard } from '../../scheduler/memory-guard.ts';
import { createCluster } from '../../scheduler/cluster.ts';
import { parseShard } from '../../scheduler/shard.ts';
import { createApiServer } from '../../api/server.ts';
import { parseDuration } from '../../shared/duration.ts';
import { ConfigError, messageOf } from '../../shared/errors.ts';
import { oneAtATime } from '../../shared/one-at-a-time.ts';
import { orchestratorFor } from '../orchestrator-for.ts';
import { loadContext, type Context } from '../context.ts';
import { createTeardownStack, type TeardownStack } from '../../shared/teardown-stack.ts';
import { NAME_PATTERN, type VigilConfig } from '../../config/schema.ts';
import type { Log } from '../../shared/log.ts';
import { createHousekeeping } from '../serve/housekeeping.ts';
import { startModelMonitor } from '../serve/model-monitor.ts';
import { createPauseWiring } from '../serve/pause-wiring.ts';
import { createServeUndos } from '../serve/owed-undos.ts';
import { prepareScenarioSchedule } from '../serve/scenario-schedule.ts';

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

/**
 * `vigil serve`: scheduler + HTTP API until SIGTERM/SIGINT. Then: no new run, queued ones dropped,
 * in-flight ones get the grace period, then are interrupted (tenants still torn down, runs recorded),
 * and the process exits 0.
 */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  // Flags are checked before anything is opened: a typo must not start a half-configured server.
  const flags = parseServeFlags(opts);
  const ctx = await loadContext({ config: opts.config, logLevel: process.env.VIGIL_LOG_LEVEL ?? 'info' });
  const { log, config } = ctx;
  const graceMs = flags.graceMs ?? config.api.grace;
  const stopSignal = stopSignals(log);
  // Every resource is registered the moment it starts and torn down in reverse: the scheduler (its
  // grace for runs going) before the leases it renews, both before the API that shows them.
  const stack = createTeardownStack(log);
  let stopReason = 'Vigil is shutting down';
  try {
    const { prometheus, fanOut } = ctx.exporters;
    const { location, shard } = flags;
    // Replicas on one store take each fire once and record the runs of one that stopped (docs/deploy.md).
    const replica = opts.replica ?? (process.env.VIGIL_REPLICA?.trim() || `${hostname()}:${process.pid}`);
    // The model first: its secrets join the redactor and its variables the withheld ones before any run.
    if (config.model !== undefined) await ctx.model();
    const orchestrator = orchestratorFor(ctx, { replica, ...(location ? { location } : {}) });
    const housekeeping = createHousekeeping(ctx, replica);
    await housekeeping.reap('start-up');
    const cluster = clusterFor(ctx, replica, location);
    warnUnplaced(config, location, log);
    await housekeeping.sweepLost(true);
    // Before the first scheduled fire: the undos a killed process left (this replica's, or expired).
    const undos = createServeUndos(ctx, replica);
    stack.defer('the undo ledger', () => undos.close());
    await undos.replay('start-up');

    let scheduler: ReturnType<typeof createScheduler> | undefined;
    const pausing = createPauseWiring(ctx, () => scheduler?.schedules() ?? []);
    stack.defer('pauses', () => pausing.pauses.close());
    await pausing.pauses.refresh();
    const running = (scheduler = schedulerFor(ctx, { orchestrator, shard, location, pauses: pausing.pauses, cluster: cluster.slots }));
    const monitor = config.model === undefined ? undefined : await startModelMonitor(ctx);
    if (monitor) stack.defer('the service model', () => monitor.stop());
    const { scenarios, api } = await scenariosAndApi(ctx, { listen: opts.listen, orchestrator, cluster, running, pausing, undos, monitor });
    stack.defer('the API', () => api.close());
    // A killed run the ledger's passes record: UNKNOWN to its passive service, counted (docs/scenarios.md).
    await undos.handKilledTo(async (results) => scenarios?.killed(results));
    const retrySpool = () => fanOut.retryDue().catch((err) => log.error({ err: ctx.redact(messageOf(err)) }, 'export spool retry failed'));
    void retrySpool();
    every(stack, 'the spool retries', SPOOL_RETRY_EVERY_MS, retrySpool, { awaitOnStop: false });
    every(stack, 'the reaper', config.api.reapEvery, () => housekeeping.reap('periodic'));
    await cluster.start(
      (runId) => running.abandon(runId, 'another replica took this run over: its lease ran out (this process or its database stalled)'),
      api.url,
    );
    stack.defer('the leases', () => cluster.stop());
    // Every replica's /metrics says each pair's last state, whichever replica ran it (docs/deploy.md).
    const sync = oneAtATime(() => prometheus.sync(ctx.store.runs));
    every(stack, 'the lease watch', Math.max(1_000, Math.floor(config.api.lease / 4)), () =>
      Promise.all([housekeeping.sweepLost(), sync(), undos.replay('periodic')]),
    );
    running.start();
    scenarios?.start();
    // Suite runs and a scheduled scenario (its cleanups) share one grace.
    stack.defer('the scheduler', () => Promise.all([running.stop({ graceMs, reason: stopReason }), scenarios?.stop(graceMs, stopReason)]));
    await pausing.watch();
    every(stack, 'the pause watch', PAUSE_WATCH_EVERY_MS, pausing.watch);
    settleStartUp();
    logServing(ctx, { url: api.url, replica, location, shard: opts.shard, graceMs });
    if (opts.runNow ?? ctx.demo !== undefined) running.runAllNow();

    const signal = await stopSignal;
    const status = running.status();
    log.info(
      { signal, running: status.running.map((r) => r.runId), queued: status.queued.map((r) => r.runId), graceMs },
      'shutting down: no new runs; in-flight runs get the grace period',
    );
    stopReason = `Vigil is shutting down (${signal})`;
    await stack.unwind();
    log.info('stopped');
    return 0;
  } finally {
    await stack.unwind();
    await ctx.close();
  }
}

/** The scheduled scenarios (a slot of api.concurrency, pauses, the undo ledger) and the API over all serve runs. */
async function scenariosAndApi(
  ctx: Context,
  parts: {
    listen: string | undefined;
    orchestrator: ReturnType<typeof orchestratorFor>;
    cluster: ReturnType<typeof clusterFor>;
    running: ReturnType<typeof createScheduler>;
    pausing: ReturnType<typeof createPauseWiring>;
    undos: ReturnType<typeof createServeUndos>;
    monitor: Awaited<ReturnType<typeof startModelMonitor>> | undefined;
  },
) {
  const { orchestrator, cluster, running, pausing, undos, monitor } = parts;
  const scenarios = await prepareScenarioSchedule(ctx, {
    orchestrator,
    cluster: cluster.slots,
    slots: running,
    pauses: pausing.pauses,
    undos: undos.owed,
    // Replicas share PostgreSQL; an embedded store is one process, whose own slots hold enough.
    ...(ctx.store.engine === 'postgres' ? { holds: cluster.holds } : {}),
  });
  const metrics = undos.exposition(scenarios ? scenarios.exposition(ctx.exporters.prometheus) : ctx.exporters.prometheus);
  const api = await apiFor(ctx, {
    model: monitor,
    listen: parts.listen ?? ctx.config.api.listen,
    control: running,
    pauses: pausing.control,
    metrics,
    ...(scenarios ? { scenarioSchedule: scenarios.control } : {}),
  });
  return { scenarios, api };
}

/** This replica's part in the cluster: its leases and the fires it takes (located suites only from its location). */
function clusterFor(ctx: Context, replica: string, location: string) {
  const { config, log } = ctx;
  return createCluster({
    rows: ctx.store.cluster,
    replica,
    location,
    leaseMs: config.api.lease,
    log,
    located: (suite) => config.suites[suite]?.locations !== undefined,
  });
}

/** The HTTP API and UI over the context's store and metrics, as api.* configures it. */
function apiFor(ctx: Context, parts: Pick<Parameters<typeof createApiServer>[0], 'model' | 'listen' | 'control' | 'pauses' | 'metrics' | 'scenarioSchedule'>) {
  const { config } = ctx;
  return createApiServer({
    store: ctx.store,
    log: ctx.log,
    metrics: ctx.exporters.prometheus,
    ...parts,
    publicURL: config.api.publicURL,
    token: config.api.token,
    readToken: config.api.readToken,
    artifactsDir: config.artifacts.dir,
  });
}

/** The line an operator looks for: where it listens, who it is, and what is open to whom. */
function logServing(ctx: Context, fields: { url: string; replica: string; location: string; shard?: string; graceMs: number }): void {
  const { config } = ctx;
  const { location, ...rest } = fields;
  ctx.log.info(
    {
      ...rest,
      ...(location ? { location } : {}),
      store: ctx.store.engine,
      triggering: config.api.token ? 'enabled' : 'disabled (no api.token)',
      artifacts: config.api.token || config.api.readToken ? 'token required' : 'public (no api.readToken or api.token)',
    },
    'vigil serving',
  );
}

/** The scheduler as api.* configures it; a skipped fire is counted, and a paused one said again. */
function schedulerFor(ctx: Context, parts: Pick<SchedulerDeps, 'orchestrator' | 'shard' | 'location' | 'pauses' | 'cluster'>) {
  const { config, log } = ctx;
  const { prometheus, fanOut } = ctx.exporters;
  return createScheduler({
    ...parts,
    config,
    log,
    concurrency: config.api.concurrency,
    memoryGuard: createMemoryGuard({ perRunMiB: config.api.memoryPerRun }),
    maxQueue: config.api.maxQueue,
    timezone: config.api.timezone,
    jitterMs: config.api.jitter,
    onSkip: (suite, environment, reason, pause) => {
      prometheus.observeSkip(suite, environment, reason);
      // Every skipped fire says "paused" again: a freshness check on the service stays satisfied.
      if (pause) void fanOut.publishPause(pause, 'refresh');
    },
  });
}

function parseServeFlags(opts: ServeOptions) {
  const shard = opts.shard === undefined ? undefined : parseShard(opts.shard);
  const graceMs = opts.grace === undefined ? undefined : parseDuration(opts.grace);
  if (opts.grace !== undefined && graceMs === undefined) throw new ConfigError(`"${opts.grace}" is not a duration (e.g. 30s, 2m)`, { where: '--grace' });
  const location = opts.location ?? (process.env.VIGIL_LOCATION?.trim() || '');
  if (location && !NAME_PATTERN.test(location)) {
    throw new ConfigError(`"${location}" is not a location name: lowercase letters, digits, "-" and "_", as suites list them in locations: [...]`, {
      where: opts.location !== undefined ? '--location' : 'VIGIL_LOCATION',
    });
  }
  return { shard, graceMs, location };
}

/** SIGINT/SIGTERM, listened to from the start: a signal that arrives while starting up still stops cleanly once started. */
function stopSignals(log: Log): Promise<NodeJS.Signals> {
  return new Promise<NodeJS.Signals>((resolve) => {
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
}

/**
 * A beat, registered on the stack as it starts: on stop the timer is cleared and, unless told not to,
 * the pass going is waited for (a reaper pass deleting a tenant finishes before the store closes).
 */
function every(stack: TeardownStack, name: string, ms: number, beat: () => Promise<unknown>, opts: { awaitOnStop?: boolean } = {}): void {
  let last: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    last = beat();
  }, ms);
  stack.defer(name, async () => {
    clearInterval(timer);
    if (opts.awaitOnStop !== false) await last;
  });
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
