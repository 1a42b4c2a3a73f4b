// Before any scenario starts, every step is bound to exactly one definition and checked (actions
// defined, durations readable, suites known), so a typo on line 40 is an error naming file, line and
// step — not a failure after the member was already destroyed.
// A step written "finally …" ("And finally I run the command "…"") is a cleanup: it is not run in
// order but when the scenario ends, whatever happened.
import { ScenarioFileError } from './errors.ts';
import { compileDefinitions, matchStep, type StepMatch } from './match-step.ts';
import type { ParsedScenario, ParsedStep, ScenarioEnvironment, StepDefinition } from './types.ts';

export interface PlannedStep extends StepMatch {
  step: ParsedStep;
}

export interface ScenarioPlan {
  scenario: ParsedScenario;
  steps: PlannedStep[];
  /** "finally" steps, in the order written. */
  cleanups: PlannedStep[];
}

const FINALLY = /^finally,? /i;
const where = (scenario: ParsedScenario, step: ParsedStep) => `${scenario.file}:${step.line}: step "${step.keyword.trim()} ${step.text}"`;

export function planScenarios(scenarios: readonly ParsedScenario[], definitions: readonly StepDefinition[]): ScenarioPlan[] {
  const compiled = compileDefinitions(definitions);
  const problems: string[] = [];
  const plans = scenarios.map((scenario): ScenarioPlan => {
    const plan: ScenarioPlan = { scenario, steps: [], cleanups: [] };
    for (const written of scenario.steps) {
      const cleanup = FINALLY.test(written.text);
      const step = cleanup ? { ...written, text: written.text.replace(FINALLY, '') } : written;
      const match = matchStep(step, compiled);
      if ('problem' in match) problems.push(`${where(scenario, written)}: ${match.problem}`);
      else (cleanup ? plan.cleanups : plan.steps).push({ step, ...match });
    }
    return plan;
  });
  if (problems.length) throw new ScenarioFileError(problems);
  return plans;
}

export const usesSuites = (plans: readonly ScenarioPlan[]): boolean => plans.some((p) => [...p.steps, ...p.cleanups].some((s) => s.definition.usesSuites));

/** Each step's own check against the config (actions, suites, durations). Throws ScenarioFileError. */
export function validatePlans(plans: readonly ScenarioPlan[], env: ScenarioEnvironment): void {
  const problems: string[] = [];
  for (const plan of plans) {
    for (const planned of [...plan.steps, ...plan.cleanups]) {
      const problem = planned.definition.validate?.(env, planned.step, ...planned.args);
      if (problem) problems.push(`${where(plan.scenario, planned.step)}: ${problem}`);
    }
  }
  if (problems.length) throw new ScenarioFileError(problems);
}
