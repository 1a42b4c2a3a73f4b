// One scenario, in the shape of Playwright's task runner: steps in order until one does not pass, the
// rest skipped; cleanups — the undo an action registered as it started, and the "finally" steps — run
// when it ends, whatever happened (failure, timeout, SIGINT/SIGTERM), last registered first, each under
// its own deadline rather than the interrupted signal. It returns only when every cleanup has run.
import { nanoid } from 'nanoid';
import { waitUntil } from '../model/index.ts';
import { messageOf, VigilError } from '../shared/errors.ts';
import { StepFailure } from './errors.ts';
import type { PlannedStep, ScenarioPlan } from './plan.ts';
import { runCommand } from './run-command.ts';
import type { ParsedStep, ScenarioEnvironment, ScenarioResult, ScenarioState, ScenarioStatus, StepContext, StepResult, StepStatus } from './types.ts';

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
}

interface Cleanup {
  name: string;
  line: number;
  run: (signal: AbortSignal) => Promise<void>;
}

function resultOf(step: ParsedStep, status: StepStatus, startedMs: number, extra: Partial<StepResult> = {}): StepResult {
  return { keyword: step.keyword.trim(), text: step.text, line: step.line, status, durationMs: Math.round(performance.now() - startedMs), ...extra };
}

function failureMessage(err: unknown): string {
  return err instanceof StepFailure ? [err.message, ...err.details.map((d) => `  ${d}`)].join('\n') : messageOf(err);
}

export async function runScenario(plan: ScenarioPlan, deps: RunScenarioDeps): Promise<ScenarioResult> {
  const { env, signal } = deps;
  const emit = (e: ScenarioEvent) => deps.onEvent?.(e);
  const startedAt = new Date();
  const state: ScenarioState = { lastActionEndedAt: Date.now(), actionsRun: 0, suiteRuns: new Map() };
  const cleanups: Cleanup[] = [];

  const contextFor = (step: ParsedStep, stepSignal: AbortSignal): StepContext => ({
    step,
    signal: stepSignal,
    log: (line) => emit({ type: 'log', line }),
    addCleanup: (name, run) => cleanups.push({ name, line: step.line, run }),
    waitUntil: (request) =>
      waitUntil({
        ...request,
        model: env.model,
        intervalMs: request.intervalMs ?? env.config.interval,
        deps: {
          ...env.waitDeps,
          signal: stepSignal,
          onProgress: (p) =>
            emit({
              type: 'log',
              line: p.type === 'rechecked' ? `forced a re-check of ${p.checks.length} check${p.checks.length === 1 ? '' : 's'}` : `${p.node} not ${p.expect} yet (${p.blockers} in the way)`,
            }),
        },
      }),
    run: (command, opts = {}) => runCommand(command, { cwd: env.configDir, ...opts, signal: opts.signal ?? stepSignal }),
    scenario: state,
    env,
  });

  const runStep = async (planned: PlannedStep, stepSignal: AbortSignal) =>
    (await planned.definition.run(contextFor(planned.step, stepSignal), ...planned.args)) ?? {};

  // "finally" steps are registered first, so they run after every undo the actions register.
  for (const planned of [...plan.cleanups].reverse()) {
    cleanups.push({ name: `${planned.step.text}`, line: planned.step.line, run: async (s) => void (await runStep(planned, s)) });
  }

  emit({ type: 'scenario', plan });
  const steps: StepResult[] = [];
  let status: ScenarioStatus = 'passed';
  for (const planned of plan.steps) {
    const { step } = planned;
    if (signal.aborted && status === 'passed') status = 'interrupted';
    if (status !== 'passed') {
      const skipped = resultOf(step, 'skipped', performance.now());
      steps.push(skipped);
      emit({ type: 'step', result: skipped, cleanup: false });
      continue;
    }
    emit({ type: 'step-start', step, cleanup: false });
    const started = performance.now();
    let result: StepResult;
    try {
      const outcome = await runStep(planned, signal);
      result = resultOf(step, 'passed', started, outcome);
    } catch (err) {
      if (signal.aborted) {
        status = 'interrupted';
        result = resultOf(step, 'interrupted', started, { message: messageOf(signal.reason) });
      } else if (err instanceof VigilError && !(err instanceof StepFailure) && state.actionsRun === 0) {
        // Vigil could not ask (a source unreadable, an unknown node) before anything was changed.
        status = 'error';
        result = resultOf(step, 'error', started, { message: messageOf(err) });
      } else {
        status = 'failed';
        result = resultOf(step, 'failed', started, { message: failureMessage(err) });
      }
    }
    if (step.type === 'action' && !planned.definition.passive) {
      state.actionsRun++;
      state.lastActionEndedAt = Date.now();
      state.thenDeadline = undefined;
    }
    steps.push(result);
    emit({ type: 'step', result, cleanup: false });
  }

  const cleanupResults: StepResult[] = [];
  for (const cleanup of cleanups.reverse()) {
    const step: ParsedStep = { keyword: 'cleanup', type: 'action', text: cleanup.name, line: cleanup.line };
    emit({ type: 'step-start', step, cleanup: true });
    const started = performance.now();
    let result: StepResult;
    try {
      await cleanup.run(AbortSignal.timeout(deps.cleanupGraceMs ?? CLEANUP_GRACE_MS));
      result = resultOf(step, 'passed', started);
    } catch (err) {
      // The environment may be left broken: that fails a scenario that otherwise passed.
      result = resultOf(step, 'failed', started, { message: failureMessage(err) });
      if (status === 'passed') status = 'failed';
    }
    cleanupResults.push(result);
    emit({ type: 'step', result, cleanup: true });
  }

  return {
    id: nanoid(),
    file: plan.scenario.file,
    feature: plan.scenario.feature,
    scenario: plan.scenario.name,
    line: plan.scenario.line,
    status,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    steps,
    cleanup: cleanupResults,
  };
}
