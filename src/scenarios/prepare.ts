// What `vigil scenario run` and `vigil serve`'s scheduled scenarios both do around runScenario: the
// step definitions (built-in and the team's own), the re-check setting, the store's record of a run.
import type { ScenariosConfig } from '../config/scenario-schema.ts';
import { recheckProblem, type Model } from '../model/index.ts';
import { ConfigError } from '../shared/errors.ts';
import type { ScenarioRunRecord } from '../store/types.ts';
import { loadStepModule } from './load-scenario-config.ts';
import { builtinSteps } from './steps/index.ts';
import type { ScenarioResult, StepDefinition } from './types.ts';

/** Built-in steps, then `scenarios.steps` (relative to the config file). */
export async function stepDefinitions(config: ScenariosConfig, configFile: string): Promise<StepDefinition[]> {
  return [...builtinSteps, ...(config.steps ? await loadStepModule(config.steps, configFile) : [])];
}

/** Whether Thens force re-checks: scenarios.recheck, or wherever the model's sources can be asked. Throws when true cannot be kept. */
export function recheckSetting(config: ScenariosConfig, model: Model): boolean {
  const cannotRecheck = recheckProblem(model);
  if (config.recheck === true && cannotRecheck) throw new ConfigError(`scenarios.recheck is true but re-checks ${cannotRecheck}`);
  return config.recheck ?? !cannotRecheck;
}

/** The store's row for a (redacted) result: the same for a CLI run and a scheduled one. */
export function scenarioRecord(result: ScenarioResult): ScenarioRunRecord {
  return {
    id: result.id,
    scenario: result.scenario,
    file: result.file,
    status: result.status,
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    result,
  };
}
