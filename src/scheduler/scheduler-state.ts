// The one state a scheduler's steps share (fire-claims.ts, run-queue.ts, pair-slot.ts, cron-tasks.ts,
// scheduler-stop.ts): its settings, read once when it is made, and what it holds — the queue, the
// runs going, the timers it must clear on stop. Which pairs this replica runs is here too: a trigger,
// a fire and the schedule list must all answer that the same way.
import type { ScheduledTask } from 'node-cron';
import type { RunResult } from '../core/index.ts';
import { ownsPair } from './shard.ts';
import type { ActiveRun, SchedulerDeps } from './scheduler-types.ts';

// A fire up to this late still runs (node-cron's default is 1 s: a busy event loop on a small machine
// running Chromium would drop monitoring runs). Later than this, or than the schedule's own interval, it is missed.
const MISSED_TOLERANCE_MS = 30_000;

export interface Job extends ActiveRun {
  resolve: (r: RunResult) => void;
  reject: (e: unknown) => void;
}

/** A scheduled scenario waiting for a slot, and for its environments to be free of suite runs. */
export interface SlotWaiter {
  environments: readonly string[];
  grant(release: () => void): void;
}

export interface SchedulerState {
  // The whole deps too: the optional hooks (onSkip, pauses, cluster, memoryGuard) are read when used.
  deps: SchedulerDeps;
  config: SchedulerDeps['config'];
  orchestrator: SchedulerDeps['orchestrator'];
  log: SchedulerDeps['log'];
  shard: SchedulerDeps['shard'];
  limit: number;
  maxQueue: number;
  jitterMs: number;
  random: () => number;
  missedToleranceMs: number;
  /** This replica's location; '' without one. */
  here: string;
  tasks: Map<string, ScheduledTask>;
  queue: Job[];
  /** By pair key: queued or running. */
  active: Map<string, Job>;
  /** By runId, running only. */
  controllers: Map<string, AbortController>;
  inFlight: Set<Promise<unknown>>;
  jitterTimers: Set<NodeJS.Timeout>;
  jittering: Set<string>;
  state: 'idle' | 'running' | 'stopping' | 'stopped';
  clockWatch: { stop(): void } | undefined;
  /** Set while a run held back for memory waits to look again. */
  memoryRecheck: NodeJS.Timeout | undefined;
  heldForMemory: boolean;
  /** Slots of `limit` held by something other than a suite run (a scheduled scenario: shared-slots.ts). */
  held: number;
  /**
   * Started runs waiting for a scheduled scenario on another replica to give their environment back
   * (pair-slot.ts): they give their slot up meanwhile, and take one again before they go on.
   */
  parked: number;
  /** Environments a slot holder acts on, with how many holders: no queued run starts there meanwhile. */
  heldEnvironments: Map<string, number>;
  /** Waiting for a slot outside the run queue, first come first served, ahead of queued runs. */
  slotWaiters: SlotWaiter[];
}

export function createSchedulerState(deps: SchedulerDeps): SchedulerState {
  const { config, orchestrator, log, shard } = deps;
  return {
    deps,
    config,
    orchestrator,
    log,
    shard,
    limit: Math.max(1, deps.concurrency ?? 1),
    maxQueue: Math.max(0, deps.maxQueue ?? 20),
    jitterMs: Math.max(0, deps.jitterMs ?? 0),
    random: deps.random ?? Math.random,
    missedToleranceMs: deps.missedToleranceMs ?? MISSED_TOLERANCE_MS,
    here: deps.location ?? '',
    tasks: new Map(),
    queue: [],
    active: new Map(),
    controllers: new Map(),
    inFlight: new Set(),
    jitterTimers: new Set(),
    jittering: new Set(),
    state: 'idle',
    clockWatch: undefined,
    memoryRecheck: undefined,
    heldForMemory: false,
    held: 0,
    parked: 0,
    heldEnvironments: new Map(),
    slotWaiters: [],
  };
}

export const publicRun = ({ resolve: _r, reject: _j, ...run }: Job): ActiveRun => ({ ...run });

/** Slots in use: running suite runs (not those parked for a scenario elsewhere) and slots held by scenarios. */
export const slotsInUse = (sched: SchedulerState): number => sched.controllers.size - sched.parked + sched.held;

/** Where a suite that lists locations runs: only from those. */
export function locatedElsewhere(sched: SchedulerState, suite: string): boolean {
  const at = sched.config.suites[suite]?.locations;
  return at !== undefined && !at.includes(sched.here);
}

export const owned = (sched: SchedulerState, suite: string, environment: string) =>
  !locatedElsewhere(sched, suite) && (!sched.shard || ownsPair(sched.shard, suite, environment));

/** The pairs this replica runs. */
export const pairs = (sched: SchedulerState) => allPairs(sched).filter((p) => p.here);

/** Every pair of its shard, also those of suites run from other locations only (for the one view). */
export function allPairs(sched: SchedulerState): Array<{ suite: string; environment: string; schedule?: string; here: boolean }> {
  const { shard } = sched;
  return Object.entries(sched.config.suites).flatMap(([suite, s]) =>
    s.environments
      .filter((environment) => !shard || ownsPair(shard, suite, environment))
      .map((environment) => ({ suite, environment, schedule: s.schedule, here: owned(sched, suite, environment) })),
  );
}
