// Fires each suite × environment on its cron schedule. A suite still running (or waiting) when its
// next fire comes skips that fire (counted, logged); a global limit caps how many browsers run at once,
// the rest wait in a bounded queue. stop() fires nothing new, drops what waits, lets in-flight runs
// finish within the grace period, then interrupts them — the orchestrator still tears their tenants
// down and records them.
import cron, { type ScheduledTask } from 'node-cron';
import { nanoid } from 'nanoid';
import type { VigilConfig } from '../config/schema.ts';
import type { Log } from '../shared/log.ts';
import type { RunOrchestrator } from '../runs/orchestrator.ts';
import { locationRuleOf, targetKey, targetProblem, type LocationRule, type RunResult, type Trigger } from '../core/index.ts';
import { createClockWatch, type ClockWatchOptions } from './clock-watch.ts';
import type { MemoryGuard } from './memory-guard.ts';
import type { PauseState } from './pauses.ts';
import { ownsPair, type Shard } from './shard.ts';

export interface SchedulerDeps {
  config: Pick<VigilConfig, 'suites' | 'environments'>;
  orchestrator: Pick<RunOrchestrator, 'run'>;
  log: Log;
  /** Browsers at once; 2 cores hold one comfortably. Default 1. */
  concurrency?: number;
  /** Runs that may wait for a slot; beyond it triggers are refused and fires skipped. Default 20. */
  maxQueue?: number;
  /** IANA zone for every schedule; default the process's. */
  timezone?: string;
  /** Each scheduled fire waits a random 0…jitterMs before it queues. Default 0. */
  jitterMs?: number;
  /** Only pairs this replica owns are scheduled and triggerable. */
  shard?: Shard;
  /** This replica's location: a suite with `locations` runs only on replicas in one of them. */
  location?: string;
  /** A scheduled fire that did not queue: the pair was busy, the queue full, or the fire was missed. */
  /** `paused` carries the pause in force (API, `vigil pause`, a maintenance window). */
  onSkip?: (suite: string, environment: string, reason: SkipReason, pause?: PauseState) => void;
  /** Paused pairs: their scheduled fires are skipped (a run triggered by hand still runs). */
  pauses?: { pausedNow(suite: string, environment: string): PauseState | undefined };
  random?: () => number;
  /** How late a fire may still run; later, it is skipped as missed. Default 30 s. */
  missedToleranceMs?: number;
  /** Wall-clock jump detection (clock-watch.ts); the defaults suit production. */
  clockWatch?: Partial<Omit<ClockWatchOptions, 'onJump'>>;
  /** A run beyond the first waits in the queue while the box lacks the memory for it (memory-guard.ts). */
  memoryGuard?: MemoryGuard;
  /** How often a run held back for memory looks again. Default 2 s. */
  memoryRecheckMs?: number;
  /**
   * Replicas sharing one store (cluster.ts): each scheduled fire is taken by one replica — first by
   * one with a free slot — and each pair runs once at a time cluster-wide. Absent: this process alone.
   */
  cluster?: ClusterSlots;
}

/** What the scheduler asks of the other replicas (through the shared store). */
export interface ClusterSlots {
  /** True when this replica took the fire (each fire of a pair runs on one replica). */
  takeFire(suite: string, environment: string, fireAt: Date, runId: string): Promise<boolean>;
  /** The pair's run slot, cluster-wide; who holds it otherwise. */
  startRun(run: { runId: string; suite: string; environment: string; trigger: Trigger; startedAt: Date }): Promise<{ ok: true } | { ok: false; runId: string; replica: string }>;
  finishRun(runId: string): Promise<void>;
}

/** `missed`: the fire's time passed unseen (the wall clock jumped forward, or the event loop was blocked). */
export type SkipReason = 'busy' | 'queue_full' | 'missed' | 'paused';

// With replicas: a replica without a free slot waits this long (plus a little per queued run) before
// it tries to take a fire, so one with room takes it first. Far below the missed-fire tolerance.
const BUSY_CLAIM_DELAY_MS = 1_500;
const PER_QUEUED_CLAIM_DELAY_MS = 250;
// A run triggered by hand while another replica runs the pair waits for it (a deploy gate wants a
// fresh run, not a refusal), looking again this often, for at most this long.
const BUSY_PAIR_RETRY_MS = 2_000;
const BUSY_PAIR_MAX_WAIT_MS = 15 * 60_000;

// A fire up to this late still runs (node-cron's default is 1 s: a busy event loop on a small machine
// running Chromium would drop monitoring runs). Later than this, or than the schedule's own interval, it is missed.
const MISSED_TOLERANCE_MS = 30_000;
const CLOCK_WATCH = { everyMs: 10_000, thresholdMs: 5_000 };

export type RunState = 'queued' | 'running';

/** A run the scheduler holds: waiting for a slot, or going. */
export interface ActiveRun {
  runId: string;
  suite: string;
  environment: string;
  trigger: Trigger;
  state: RunState;
  queuedAt: string;
  startedAt?: string;
}

/** What a trigger got: a run, or why not. Every refusal carries a sentence for a person. */
export type TriggerOutcome =
  | { kind: 'queued'; run: ActiveRun; done: Promise<RunResult> }
  | { kind: 'busy'; runId: string; message: string }
  | { kind: 'queue_full'; message: string }
  | { kind: 'not_owned'; message: string }
  | { kind: 'unknown'; message: string }
  | { kind: 'stopping'; message: string };

export interface PairSchedule {
  suite: string;
  environment: string;
  schedule?: string;
  /** Next fire (ISO), when scheduled and running. */
  nextRun?: string;
  /** A suite run from several locations: its rule (core/locations.ts). */
  locations?: LocationRule;
  /** False for a suite this replica does not run because it runs from other locations only. */
  here: boolean;
}

interface Job extends ActiveRun {
  resolve: (r: RunResult) => void;
  reject: (e: unknown) => void;
}

const sleepUnless = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export function createScheduler(deps: SchedulerDeps) {
  const { config, orchestrator, log, shard } = deps;
  const limit = Math.max(1, deps.concurrency ?? 1);
  const maxQueue = Math.max(0, deps.maxQueue ?? 20);
  const jitterMs = Math.max(0, deps.jitterMs ?? 0);
  const random = deps.random ?? Math.random;
  const missedToleranceMs = deps.missedToleranceMs ?? MISSED_TOLERANCE_MS;
  const tasks = new Map<string, ScheduledTask>();
  const queue: Job[] = [];
  const active = new Map<string, Job>(); // by pair key: queued or running
  const controllers = new Map<string, AbortController>(); // by runId, running only
  const inFlight = new Set<Promise<unknown>>();
  const jitterTimers = new Set<NodeJS.Timeout>();
  const jittering = new Set<string>();
  let state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  let clockWatch: { stop(): void } | undefined;

  const key = targetKey;
  const here = deps.location ?? '';
  /** Where a suite that lists locations runs: only from those. */
  const locatedElsewhere = (suite: string) => {
    const at = config.suites[suite]?.locations;
    return at !== undefined && !at.includes(here);
  };
  const owned = (suite: string, environment: string) => !locatedElsewhere(suite) && (!shard || ownsPair(shard, suite, environment));
  const publicRun = ({ resolve: _r, reject: _j, ...run }: Job): ActiveRun => ({ ...run });

  let memoryRecheck: NodeJS.Timeout | undefined;
  let heldForMemory = false;
  /** The first run always starts (nothing else would free memory); further ones only when the box has room. */
  function memoryAllows(): boolean {
    if (!deps.memoryGuard || controllers.size === 0) return true;
    const seen = deps.memoryGuard.admits();
    if (seen.ok) {
      heldForMemory = false;
      return true;
    }
    if (!heldForMemory) log.warn({ freeMiB: seen.freeMiB, perRunMiB: seen.perRunMiB, running: controllers.size, queued: queue.length }, `runs wait in the queue: ${seen.freeMiB} MiB free, one more run needs ${seen.perRunMiB} MiB (api.memoryPerRun)`);
    heldForMemory = true;
    // Memory can come back without a run ending (another process exits): look again soon.
    memoryRecheck ??= setTimeout(() => {
      memoryRecheck = undefined;
      pump();
    }, deps.memoryRecheckMs ?? 2_000);
    return false;
  }

  function pump() {
    while (state !== 'stopping' && state !== 'stopped' && controllers.size < limit && queue.length > 0 && memoryAllows()) {
      const job = queue.shift()!;
      const controller = new AbortController();
      controllers.set(job.runId, controller);
      job.state = 'running';
      job.startedAt = new Date().toISOString();
      const p = start(job, controller).finally(() => {
        controllers.delete(job.runId);
        active.delete(key(job.suite, job.environment));
        inFlight.delete(p);
        pump();
      });
      inFlight.add(p);
    }
  }

  /** Takes the pair's slot cluster-wide (with replicas), runs, gives the slot back. */
  async function start(job: Job, controller: AbortController): Promise<void> {
    const { cluster } = deps;
    if (cluster) {
      const waitUntil = Date.now() + BUSY_PAIR_MAX_WAIT_MS;
      for (;;) {
        let slot: Awaited<ReturnType<ClusterSlots['startRun']>>;
        try {
          slot = await cluster.startRun({ runId: job.runId, suite: job.suite, environment: job.environment, trigger: job.trigger, startedAt: new Date() });
        } catch (err) {
          // Without the store nothing is coordinated (nor saved): better no run than a second one.
          log.error({ suite: job.suite, environment: job.environment, err: String(err) }, 'cannot take the pair in the store; the run does not start');
          return job.reject(err);
        }
        if (slot.ok) break;
        const holder = `${key(job.suite, job.environment)} is running on replica ${slot.replica} as run ${slot.runId}`;
        if (job.trigger === 'schedule') {
          log.warn({ suite: job.suite, environment: job.environment, reason: 'busy', holder: slot.replica, runId: job.runId }, `scheduled fire skipped: ${holder}`);
          deps.onSkip?.(job.suite, job.environment, 'busy');
          return job.reject(new Error(`skipped: ${holder}`));
        }
        if (Date.now() > waitUntil || controller.signal.aborted) return job.reject(new Error(`not run: ${holder} (waited ${BUSY_PAIR_MAX_WAIT_MS / 60_000} min)`));
        job.state = 'queued';
        await sleepUnless(BUSY_PAIR_RETRY_MS, controller.signal);
        job.state = 'running';
      }
      job.startedAt = new Date().toISOString();
    }
    try {
      job.resolve(await orchestrator.run({ suite: job.suite, environment: job.environment, trigger: job.trigger, runId: job.runId, signal: controller.signal }));
    } catch (err) {
      job.reject(err);
    } finally {
      if (cluster) await cluster.finishRun(job.runId).catch((err) => log.error({ runId: job.runId, err: String(err) }, 'cannot release the pair in the store; its lease runs out instead'));
    }
  }

  /** Queues a run now (API, gate, CLI); the pair must be configured, owned, idle, and the queue not full. */
  function trigger(suite: string, environment: string, how: Trigger, opts: { runId?: string } = {}): TriggerOutcome {
    if (state === 'stopping' || state === 'stopped') return { kind: 'stopping', message: 'Vigil is shutting down and starts no new run; try the replica that replaces it' };
    const problem = targetProblem(config, suite, environment);
    if (problem) return { kind: 'unknown', message: problem };
    if (locatedElsewhere(suite)) {
      const at = config.suites[suite]!.locations!.join(', ');
      return { kind: 'not_owned', message: `${suite} runs from ${at}; this replica ${here ? `is in ${here}` : 'has no location (--location)'}: send the trigger to a replica there` };
    }
    if (!owned(suite, environment)) {
      return { kind: 'not_owned', message: `${suite}@${environment} belongs to another shard (this replica is --shard ${shard!.index}/${shard!.count}): send the trigger to that replica` };
    }
    const existing = active.get(key(suite, environment));
    if (existing) return { kind: 'busy', runId: existing.runId, message: `${suite}@${environment} is already ${existing.state} as run ${existing.runId}` };
    if (controllers.size >= limit && queue.length >= maxQueue) {
      return { kind: 'queue_full', message: `${queue.length} runs are already waiting for ${limit} slot(s) (api.maxQueue ${maxQueue}): try again later` };
    }
    let resolve!: (r: RunResult) => void;
    let reject!: (e: unknown) => void;
    const done = new Promise<RunResult>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const job: Job = { runId: opts.runId ?? nanoid(), suite, environment, trigger: how, state: 'queued', queuedAt: new Date().toISOString(), resolve, reject };
    active.set(key(suite, environment), job);
    queue.push(job);
    pump();
    return { kind: 'queued', run: publicRun(job), done };
  }

  /** Free room for one more run now: a slot, and the memory for it. */
  const hasRoom = () => controllers.size < limit && queue.length === 0 && (!deps.memoryGuard || controllers.size === 0 || deps.memoryGuard.admits().ok);

  /**
   * With replicas, a fire is first taken in the store — by one replica only, preferably one with room
   * (a busy one waits a moment) — and only the replica that took it goes on (and counts any skip).
   */
  function fireOnce(suite: string, environment: string, fireAt: Date) {
    const { cluster } = deps;
    if (!cluster) return fire(suite, environment);
    const runId = nanoid();
    const delay = hasRoom() ? 0 : BUSY_CLAIM_DELAY_MS + queue.length * PER_QUEUED_CLAIM_DELAY_MS;
    const take = async () => {
      if (state !== 'running') return;
      let mine: boolean;
      try {
        mine = await cluster.takeFire(suite, environment, fireAt, runId);
      } catch (err) {
        log.error({ suite, environment, err: String(err) }, 'cannot take the fire in the store; another replica may run it');
        return;
      }
      if (mine) fire(suite, environment, runId);
      else log.debug({ suite, environment, fireAt: fireAt.toISOString() }, 'fire taken by another replica');
    };
    if (delay === 0) return void take();
    const timer = setTimeout(() => {
      jitterTimers.delete(timer);
      void take();
    }, delay);
    jitterTimers.add(timer);
  }

  function fire(suite: string, environment: string, runId?: string) {
    // Scheduled fires only: a run someone triggers by hand during a pause (a deploy gate) still runs.
    const pause = deps.pauses?.pausedNow(suite, environment);
    if (pause && state === 'running') {
      log.info({ suite, environment, reason: 'paused', until: pause.until, source: pause.source }, `scheduled fire skipped: ${key(suite, environment)} is paused until ${pause.until} (${pause.reason})`);
      deps.onSkip?.(suite, environment, 'paused', pause);
      return;
    }
    const outcome = trigger(suite, environment, 'schedule', runId ? { runId } : {});
    if (outcome.kind === 'queued') {
      outcome.done.catch((err) => log.warn({ suite, environment, err: String(err) }, 'scheduled run did not run'));
      return;
    }
    if (outcome.kind === 'busy' || outcome.kind === 'queue_full') {
      log.warn({ suite, environment, reason: outcome.kind, ...(runId ? { runId } : {}) }, `scheduled fire skipped: ${outcome.message}`);
      deps.onSkip?.(suite, environment, outcome.kind);
    }
  }

  function fireLater(suite: string, environment: string, fireAt: Date) {
    if (jitterMs === 0) return fireOnce(suite, environment, fireAt);
    const k = key(suite, environment);
    // A fire still waiting out its jitter makes the pair busy: a jitter longer than the schedule's
    // interval must not pile up fires.
    if (jittering.has(k)) {
      log.warn({ suite, environment, reason: 'busy' }, `scheduled fire skipped: ${k} is still waiting out its jitter`);
      deps.onSkip?.(suite, environment, 'busy');
      return;
    }
    jittering.add(k);
    const timer = setTimeout(() => {
      jitterTimers.delete(timer);
      jittering.delete(k);
      fireOnce(suite, environment, fireAt);
    }, Math.floor(random() * jitterMs));
    jitterTimers.add(timer);
  }

  /** The pairs this replica runs. */
  const pairs = () => allPairs().filter((p) => p.here);
  /** Every pair of its shard, also those of suites run from other locations only (for the one view). */
  function allPairs(): Array<{ suite: string; environment: string; schedule?: string; here: boolean }> {
    return Object.entries(config.suites).flatMap(([suite, s]) =>
      s.environments
        .filter((environment) => !shard || ownsPair(shard, suite, environment))
        .map((environment) => ({ suite, environment, schedule: s.schedule, here: owned(suite, environment) })),
    );
  }

  return {
    start() {
      if (state !== 'idle') return;
      state = 'running';
      for (const { suite, environment, schedule } of pairs()) {
        if (!schedule) continue;
        const name = key(suite, environment);
        const task = cron.schedule(schedule, (context) => fireLater(suite, environment, context.date), { name, timezone: deps.timezone, missedExecutionTolerance: missedToleranceMs });
        task.on('execution:missed', (context) => {
          log.warn({ suite, environment, reason: 'missed', at: context.date.toISOString() }, `scheduled fire skipped: its time passed unseen (the wall clock jumped forward or the process was stalled over ${missedToleranceMs / 1000}s)`);
          deps.onSkip?.(suite, environment, 'missed');
        });
        tasks.set(name, task);
      }
      clockWatch = createClockWatch({
        ...CLOCK_WATCH,
        ...deps.clockWatch,
        onJump(jumpMs) {
          if (jumpMs > 0) {
            // node-cron sees the fires in between as missed (logged and counted above); the next one fires on time.
            return void log.warn({ jumpMs }, `the wall clock jumped forward by ${Math.round(jumpMs / 1000)}s: fires in between are skipped as missed`);
          }
          // Re-planned from the new time: otherwise a jump back leaves every schedule silent for as long as the jump.
          for (const task of tasks.values()) void Promise.resolve(task.stop()).then(() => task.start());
          log.warn({ jumpMs, jobs: tasks.size }, `the wall clock jumped back by ${Math.round(-jumpMs / 1000)}s: schedules re-planned from the new time`);
        },
      });
      log.info({ jobs: tasks.size, concurrency: limit, maxQueue, timezone: deps.timezone, jitterMs, shard }, 'scheduler started');
    },
    /** Queues every owned pair once (`--run-now`); replicas starting within the same minute run it once. */
    runAllNow() {
      const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      for (const { suite, environment } of pairs()) fireOnce(suite, environment, minute);
    },
    /** Interrupts a running run whose lease another replica took over (it recorded the run already). */
    abandon(runId: string, reason: string): boolean {
      const controller = controllers.get(runId);
      controller?.abort(new Error(reason));
      return controller !== undefined;
    },
    /** The runs this replica has going (their ids), for renewing their leases. */
    runningIds: (): string[] => [...controllers.keys()],
    trigger,
    /** True between start() and stop(). */
    isRunning: () => state === 'running',
    /** Runs held now, oldest first. */
    status(): { running: ActiveRun[]; queued: ActiveRun[]; concurrency: number; maxQueue: number } {
      const all = [...active.values()].map(publicRun);
      return { running: all.filter((r) => r.state === 'running'), queued: queue.map(publicRun), concurrency: limit, maxQueue };
    },
    /** A queued or running run by id. */
    find: (runId: string): ActiveRun | undefined => {
      for (const job of active.values()) if (job.runId === runId) return publicRun(job);
      return undefined;
    },
    /** The pairs this replica owns, with their schedule and next fire; `here: false` for those other locations run. */
    schedules(): PairSchedule[] {
      return allPairs().map(({ suite, environment, schedule, here }) => {
        const next = state === 'running' && here ? tasks.get(key(suite, environment))?.getNextRun() : undefined;
        const locations = locationRuleOf(config.suites[suite]);
        return { suite, environment, ...(schedule ? { schedule } : {}), ...(next ? { nextRun: next.toISOString() } : {}), ...(locations ? { locations } : {}), here };
      });
    },
    /** Stop firing, drop the queue, give in-flight runs `graceMs`, then interrupt them with `reason`. */
    async stop({ graceMs, reason = 'Vigil is shutting down' }: { graceMs: number; reason?: string }) {
      if (state === 'stopping' || state === 'stopped') return;
      state = 'stopping';
      for (const timer of jitterTimers) clearTimeout(timer);
      jitterTimers.clear();
      jittering.clear();
      clockWatch?.stop();
      clearTimeout(memoryRecheck);
      for (const t of tasks.values()) await t.stop();
      for (const job of queue.splice(0)) {
        active.delete(key(job.suite, job.environment));
        job.reject(new Error(`${reason}: run ${job.runId} was still queued and did not start`));
      }
      const all = Promise.allSettled([...inFlight]);
      const timer = setTimeout(() => {
        if (controllers.size) log.warn({ runs: [...controllers.keys()], graceMs }, 'grace period over: interrupting in-flight runs');
        for (const c of controllers.values()) c.abort(new Error(`${reason}; the ${graceMs / 1000}s grace period ran out`));
      }, graceMs);
      await all;
      clearTimeout(timer);
      state = 'stopped';
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
