// A scenario's vocabulary (docs/scenarios.md): a parsed step, the definitions that give it meaning,
// what a step gets to work with, and what a scenario run records.
import type { ScenariosConfig } from '../config/scenario-schema.ts';
import type { RunResult } from '../core/index.ts';
import type { Model, WaitDeps, WaitRequest, WaitResult } from '../model/index.ts';
import type { OwedUndos } from './owed-undos.ts';

/** Gherkin's keyword types; `And`/`But` take the type of the step before them. */
export type StepType = 'context' | 'action' | 'outcome' | 'unknown';

export interface ParsedStep {
  /** As written: `Given `, `And `, `* `. */
  keyword: string;
  type: StepType;
  text: string;
  line: number;
  docString?: string;
}

export interface ParsedScenario {
  /** As given on the command line. */
  file: string;
  feature: string;
  name: string;
  line: number;
  tags: string[];
  /** Background steps first, as Gherkin's pickles have them. */
  steps: ParsedStep[];
}

/** What a step definition is handed (built-in and a team's own alike). */
export interface StepContext {
  step: ParsedStep;
  /** Aborted on SIGINT/SIGTERM (or a cleanup's timeout): pass it on to anything that waits. */
  signal: AbortSignal;
  /** A line of progress under the step (stderr). */
  log(line: string): void;
  /** Runs when the scenario ends, whatever happened: failure, interruption or success; last registered first. */
  addCleanup(name: string, run: (signal: AbortSignal) => Promise<void>): void;
  /** Polls the model (with the scenario's interval and re-check setting unless given). */
  waitUntil(request: Omit<WaitRequest, 'model' | 'intervalMs' | 'deps'> & { intervalMs?: number }): Promise<WaitResult>;
  /**
   * Runs an argv (or `sh -c` for a string), rejecting with the output's tail unless it exits 0.
   * Stopped by the step's signal unless given another (a cleanup passes its own).
   */
  run(
    command: string | string[],
    opts?: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; signal?: AbortSignal },
  ): Promise<{ stdout: string; stderr: string }>;
  /** Shared by the steps of one scenario. */
  scenario: ScenarioState;
  env: ScenarioEnvironment;
}

/** A step's own report beyond pass/fail. */
export interface StepOutcome {
  /** For Thens: from the end of the last action (When) until the expectation held. */
  timeToDetectMs?: number;
  /** One line, shown after the step (e.g. "held after 3.2s (7 polls, re-check forced for 2)"). */
  note?: string;
}

export interface StepDefinition {
  /** A RegExp (its groups are the arguments) or a string where {string} is a "quoted" argument and {int} a number. */
  pattern: RegExp | string;
  /** An example of the text, shown when a step matches nothing. */
  example?: string;
  /** Checked before any scenario starts (a problem to report, or undefined). */
  validate?(env: ScenarioEnvironment, step: ParsedStep, ...args: string[]): string | undefined;
  // biome-ignore lint/suspicious/noConfusingVoidType: a team's step may return nothing (`async (ctx) => { … }`)
  run(ctx: StepContext, ...args: string[]): Promise<StepOutcome | void> | StepOutcome | void;
  /** A When that changes nothing (waiting): time to detect keeps counting from the action before it. */
  passive?: boolean;
  /** Needs Vigil's full config (suites, environments, tenants) loaded. */
  usesSuites?: boolean;
}

/** Per scenario: what the Then steps need to know about the Whens before them. */
export interface ScenarioState {
  /** When the last action step (When) ended, epoch ms: time to detect is measured from here. */
  lastActionEndedAt: number;
  /** Set by the first Then after an action; the Ands after it share it. */
  thenDeadline?: number;
  actionsRun: number;
  /** Suite runs of this scenario, by `suite@environment`. */
  suiteRuns: Map<string, RunResult>;
  /** Which run this is (its id is the stored run's), as the undo ledger names it. */
  run: { id: string; scenario: string; schedule?: string };
}

/** What every step of every scenario shares. */
export interface ScenarioEnvironment {
  model: Model;
  config: ScenariosConfig;
  /** Where the config file is: relative paths of actions are resolved from here. */
  configDir: string;
  /** Whether Thens force re-checks (scenarios.recheck, or "where the source can be asked"). */
  recheck: boolean;
  /** Store and status.dat reader shared by every poll (the signal is the step's). */
  waitDeps: Omit<WaitDeps, 'signal' | 'onProgress'>;
  /** Runs a Vigil suite through the orchestrator; absent when no loaded scenario needs it. */
  runSuite?: (suite: string, environment: string, signal: AbortSignal) => Promise<RunResult>;
  /** Suite × environment pairs the config defines (for checking steps before anything runs). */
  suiteTargets?: ReadonlySet<string>;
  /** A scheduled scenario's allow-list: the only environments its suite steps may run on, and where it is set. */
  allowedEnvironments?: { names: ReadonlySet<string>; where: string };
  /** The undo ledger in the store: an action's undo is written there before it starts (owed-undos.ts). */
  undos?: OwedUndos;
}

export type StepStatus = 'passed' | 'failed' | 'error' | 'skipped' | 'interrupted';
export type ScenarioStatus = 'passed' | 'failed' | 'error' | 'interrupted';

export interface StepResult {
  keyword: string;
  text: string;
  line: number;
  status: StepStatus;
  durationMs: number;
  timeToDetectMs?: number;
  note?: string;
  /** Why it failed: the first line is the headline, the rest (blockers, tree) the details. */
  message?: string;
}

export interface ScenarioResult {
  id: string;
  file: string;
  feature: string;
  scenario: string;
  line: number;
  status: ScenarioStatus;
  startedAt: string;
  finishedAt: string;
  steps: StepResult[];
  cleanup: StepResult[];
  /** Set when `vigil serve` ran it for a scheduled entry (scenarios.schedule): which fire, and how it was judged. */
  fire?: ScenarioFire;
  /** Said on its page: e.g. a run whose process was killed, recorded afterwards by the one that paid its undos. */
  note?: string;
}

/** A fire of a scheduled entry starts on its cron ("schedule") or on demand (API, UI, `vigil gate --scenario`: "manual"). */
export type ScenarioTrigger = 'schedule' | 'manual';

export interface ScenarioFire {
  schedule: string;
  trigger: ScenarioTrigger;
  /** One id per fire: every scenario of the entry's file run by it carries the same. */
  id: string;
  /** The judged outcome (judgeScenario) as a Nagios state: 0 OK, 2 CRITICAL, 3 UNKNOWN. */
  state: number;
  line: string;
}
