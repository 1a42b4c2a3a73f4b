// One scenario, in the shape of Playwright's task runner: steps in order until one does not pass, the
// rest skipped; cleanups — the undo an action registered as it started, and the "finally" steps — run
// when it ends, whatever happened (failure, timeout, SIGINT/SIGTERM), last registered first, each under
// its own deadline rather than the interrupted signal. It returns only when every cleanup has run.
import { nanoid } from 'nanoid';
import { messageOf, VigilError } from '../shared/errors.ts';
import { StepFailure, StepRefused } from './errors.ts';
import type { PlannedStep, ScenarioPlan } from './plan.ts';
import { stepContext, type Cleanup } from './step-context.ts';
import type { ParsedStep, ScenarioEnvironment, ScenarioResult, ScenarioState, ScenarioStatus, StepOutcome, StepResult, StepStatus } from './types.ts';

// A cleanup must not depend on the (possibly aborted) run, but must not hang forever either.
const CLEANUP_GRACE_MS = 2 * 60_000;

export type ScenarioEvent =
  | { type: 'scenario'; plan: ScenarioPlan }
  | { type: 'step-start'; step: ParsedStep; cleanup: boolean }
  | { type: 'log'; line: string }
  | { type: 'step'; result: StepResult; cleanup: boolean };

export interface RunScenarioDeps {
  env: ScenarioEnvironment;
  /** Aborted on SIGINT/SIGTERM: the current step stops, the rest are skipped, cleanups still run. */
  signal: AbortSignal;
  onEvent?: (e: ScenarioEvent) => void;
  cleanupGraceMs?: number;
  /** The scenarios.schedule entry that fired it, for the undo ledger. */
  schedule?: string;
  /** The fire that started it (a scheduled run): kept on its row in the ledger, for the record of a run killed outright. */
  fire?: { trigger: 'schedule' | 'manual'; id: string };
}

function resultOf(step: ParsedStep, status: StepStatus, startedMs: number, extra: Partial<StepResult> = {}): StepResult {
  return { keyword: step.keyword.trim(), text: step.text, line: step.line, status, durationMs: Math.round(performance.now() - startedMs), ...extra };
}

function failureMessage(err: unknown): string {
  return err instanceof StepFailure ? [err.message, ...err.details.map((d) => `  ${d}`)].join('\n') : messageOf(err);
}

export async function runScenario(plan: ScenarioPlan, deps: RunScenarioDeps): Promise<ScenarioResult> {
  const startedAt = new Date();
  // Known before the first step: an undo owed in the store names the run it belongs to.
  const id = nanoid();
  const { undos } = deps.env;
  // Each step as it starts goes to the run's row in the ledger too: a run killed there says where.
  const emit = (e: ScenarioEvent) => {
    if (e.type === 'step-start') undos?.at(id, { keyword: e.step.keyword.trim(), text: e.step.text, line: e.step.line, cleanup: e.cleanup });
    deps.onEvent?.(e);
  };
  const run = { id, scenario: plan.scenario.name, ...(deps.schedule ? { schedule: deps.schedule } : {}) };
  const state: ScenarioState = { lastActionEndedAt: Date.now(), actionsRun: 0, suiteRuns: new Map(), run };
  const cleanups: Cleanup[] = [];
  const contextDeps = { env: deps.env, state, cleanups, log: (line: string) => emit({ type: 'log', line }) };
  const runStep: RunStep = async (planned, stepSignal) =>
    (await planned.definition.run(stepContext(planned.step, stepSignal, contextDeps), ...planned.args)) ?? {};

  // "finally" steps are registered first, so they run after every undo the actions register.
  for (const planned of [...plan.cleanups].reverse()) {
    cleanups.push({ name: `${planned.step.text}`, line: planned.step.line, run: async (s) => void (await runStep(planned, s)) });
  }

  emit({ type: 'scenario', plan });
  const refused = await beginRun(plan, deps, id);
  // A run the store cannot know of is not started: nothing ran, so nothing is cleaned up either.
  const ran = refused ? refusedSteps(plan.steps, refused, emit) : await runSteps(plan.steps, { runStep, state, signal: deps.signal, emit });
  const cleanedUp = await runCleanups(refused ? [] : cleanups, deps.cleanupGraceMs ?? CLEANUP_GRACE_MS, emit);
  // The environment may be left broken: that fails a scenario that otherwise passed.
  const status = cleanedUp.failed && ran.status === 'passed' ? 'failed' : ran.status;

  return {
    id,
    file: plan.scenario.file,
    feature: plan.scenario.feature,
    scenario: plan.scenario.name,
    line: plan.scenario.line,
    status,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    steps: ran.steps,
    cleanup: cleanedUp.results,
  };
}

type RunStep = (planned: PlannedStep, stepSignal: AbortSignal) => Promise<StepOutcome>;

// Ledger first, as for an undo: the run's own row before its first step, or the reason it did not start.
async function beginRun(plan: ScenarioPlan, deps: RunScenarioDeps, runId: string): Promise<string | undefined> {
  const { undos } = deps.env;
  if (!undos) return undefined;
  const { scenario } = plan;
  try {
    await undos.begin({
      runId,
      scenario: scenario.name,
      file: scenario.file,
      feature: scenario.feature,
      line: scenario.line,
      ...(deps.schedule ? { schedule: deps.schedule } : {}),
      ...(deps.fire ? { fire: deps.fire } : {}),
    });
    return undefined;
  } catch (err) {
    return `cannot record the run's start in the store's ledger (a kill -9 would leave no trace of it), so it was not started: ${messageOf(err)}`;
  }
}

// Not started: the first step is the error (Vigil's fault, nothing changed), the rest skipped.
function refusedSteps(planned: PlannedStep[], message: string, emit: (e: ScenarioEvent) => void): { steps: StepResult[]; status: ScenarioStatus } {
  const steps = planned.map(({ step }, i) => resultOf(step, i === 0 ? 'error' : 'skipped', performance.now(), i === 0 ? { message } : {}));
  for (const result of steps) emit({ type: 'step', result, cleanup: false });
  return { steps, status: 'error' };
}

interface RunStepsDeps {
  runStep: RunStep;
  state: ScenarioState;
  signal: AbortSignal;
  emit: (e: ScenarioEvent) => void;
}

// In order until one does not pass; the rest are reported skipped.
async function runSteps(planned: PlannedStep[], deps: RunStepsDeps): Promise<{ steps: StepResult[]; status: ScenarioStatus }> {
  const { state, signal, emit } = deps;
  const steps: StepResult[] = [];
  let status: ScenarioStatus = 'passed';
  for (const next of planned) {
    const { step } = next;
    if (signal.aborted && status === 'passed') status = 'interrupted';
    if (status !== 'passed') {
      const skipped = resultOf(step, 'skipped', performance.now());
      steps.push(skipped);
      emit({ type: 'step', result: skipped, cleanup: false });
      continue;
    }
    emit({ type: 'step-start', step, cleanup: false });
    const attempt = await attemptStep(next, deps);
    status = attempt.status;
    if (step.type === 'action' && !next.definition.passive) {
      state.actionsRun++;
      state.lastActionEndedAt = Date.now();
      state.thenDeadline = undefined;
    }
    steps.push(attempt.result);
    emit({ type: 'step', result: attempt.result, cleanup: false });
  }
  return { steps, status };
}

// One step's result, and what it makes of the scenario: still passing, interrupted, an error or failed.
async function attemptStep(planned: PlannedStep, deps: RunStepsDeps): Promise<{ result: StepResult; status: ScenarioStatus }> {
  const { step } = planned;
  const { signal, state } = deps;
  const started = performance.now();
  try {
    const outcome = await deps.runStep(planned, signal);
    return { result: resultOf(step, 'passed', started, outcome), status: 'passed' };
  } catch (err) {
    if (signal.aborted) {
      return { result: resultOf(step, 'interrupted', started, { message: messageOf(signal.reason) }), status: 'interrupted' };
    }
    if (err instanceof StepRefused || (err instanceof VigilError && !(err instanceof StepFailure) && state.actionsRun === 0)) {
      // Vigil could not ask (a source unreadable, an unknown node) before anything was changed, or
      // refused the step whenever it came.
      return { result: resultOf(step, 'error', started, { message: messageOf(err) }), status: 'error' };
    }
    return { result: resultOf(step, 'failed', started, { message: failureMessage(err) }), status: 'failed' };
  }
}

// Last registered first, each under its own deadline; a cleanup may register more as it runs.
async function runCleanups(cleanups: Cleanup[], graceMs: number, emit: (e: ScenarioEvent) => void): Promise<{ results: StepResult[]; failed: boolean }> {
  const results: StepResult[] = [];
  let failed = false;
  for (const cleanup of cleanups.reverse()) {
    const step: ParsedStep = { keyword: 'cleanup', type: 'action', text: cleanup.name, line: cleanup.line };
    emit({ type: 'step-start', step, cleanup: true });
    const started = performance.now();
    let result: StepResult;
    try {
      await cleanup.run(AbortSignal.timeout(graceMs));
      result = resultOf(step, 'passed', started);
    } catch (err) {
      result = resultOf(step, 'failed', started, { message: failureMessage(err) });
      failed = true;
    }
    results.push(result);
    emit({ type: 'step', result, cleanup: true });
  }
  return { results, failed };
}
