// What a step definition is handed while it runs (StepContext): its signal, a log line, a cleanup to
// register, the model to wait on and commands to run, each tied to the step's signal and reporting
// its progress as the scenario's events.
import { waitUntil } from '../model/index.ts';
import { runCommand } from './run-command.ts';
import type { ParsedStep, ScenarioEnvironment, ScenarioState, StepContext } from './types.ts';

/** An undo or "finally" step, run when the scenario ends; `line` is the step that registered it. */
export interface Cleanup {
  name: string;
  line: number;
  run: (signal: AbortSignal) => Promise<void>;
}

export interface StepContextDeps {
  env: ScenarioEnvironment;
  state: ScenarioState;
  /** The scenario's cleanups: addCleanup appends here. */
  cleanups: Cleanup[];
  log: (line: string) => void;
}

export function stepContext(step: ParsedStep, stepSignal: AbortSignal, deps: StepContextDeps): StepContext {
  const { env, log } = deps;
  return {
    step,
    signal: stepSignal,
    log,
    addCleanup: (name, run) => deps.cleanups.push({ name, line: step.line, run }),
    waitUntil: (request) =>
      waitUntil({
        ...request,
        model: env.model,
        intervalMs: request.intervalMs ?? env.config.interval,
        deps: {
          ...env.waitDeps,
          signal: stepSignal,
          onProgress: (p) =>
            log(
              p.type === 'rechecked'
                ? `forced a re-check of ${p.checks.length} check${p.checks.length === 1 ? '' : 's'}`
                : `${p.node} not ${p.expect} yet (${p.blockers} in the way)`,
            ),
        },
      }),
    run: (command, opts = {}) => runCommand(command, { cwd: env.configDir, ...opts, signal: opts.signal ?? stepSignal }),
    scenario: deps.state,
    env,
  };
}
