// What the scheduler is given and what it answers: its dependencies, the cluster slots it asks of the
// other replicas, and the shapes of its runs, triggers and schedules. Kept apart from scheduler.ts,
// which re-exports them, so that its steps in the sibling files share them without an import cycle.
import type { VigilConfig } from '../config/schema.ts';
import type { Log } from '../shared/log.ts';
import type { RunOrchestrator } from '../runs/orchestrator.ts';
import type { LocationRule, RunResult, Trigger } from '../core/index.ts';
import type { ClockWatchOptions } from './clock-watch.ts';
import type { MemoryGuard } from './memory-guard.ts';
import type { PauseState } from './pauses.ts';
import type { Shard } from './shard.ts';

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
  /**
   * The pair's run slot, cluster-wide; who holds it otherwise: the pair's run, or (`scenario`: the
   * entry's name) a scheduled scenario holding the environment.
   */
  startRun(run: {
    runId: string;
    suite: string;
    environment: string;
    trigger: Trigger;
    startedAt: Date;
  }): Promise<{ ok: true } | { ok: false; runId: string; replica: string; scenario?: string }>;
  finishRun(runId: string): Promise<void>;
}

/** `missed`: the fire's time passed unseen (the wall clock jumped forward, or the event loop was blocked). */
export type SkipReason = 'busy' | 'queue_full' | 'missed' | 'paused';

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
