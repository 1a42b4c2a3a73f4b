// The scheduled entries (scenarios.schedule) checked as `vigil serve` checks them at start
// (docs/scenarios.md, "Checked at start"): each entry's allow-list (scenario-guards.ts), its feature
// file read, every step bound to one definition and validated against the config and the entry's own
// environments. serve, `vigil config check` and `vigil gate --scenario` run here share it, so an entry
// one of them refuses, all of them refuse, with the same words.
import path from 'node:path';
import type { ScenariosConfig, ScheduledScenario } from '../config/scenario-schema.ts';
import type { VigilConfig } from '../config/schema.ts';
import { suitesOn } from '../core/index.ts';
import type { Model } from '../model/index.ts';
import {
  planScenarios,
  readFeatures,
  recheckSetting,
  ScenarioFileError,
  stepDefinitions,
  validatePlans,
  type ScenarioEnvironment,
  type ScenarioPlan,
  type StepDefinition,
} from '../scenarios/index.ts';
import { ConfigError } from '../shared/errors.ts';
import { allowListProblems, entryEnvironment } from './serve/scenario-guards.ts';

export interface PlannedEntry {
  name: string;
  entry: ScheduledScenario;
  /** The feature file, resolved against the config's folder. */
  file: string;
  plans: ScenarioPlan[];
  /** The environment its steps get: suite steps held to its allow-list (entryEnvironment). */
  env: ScenarioEnvironment;
}

/** Every suite × environment pair the config runs, as a suite step names it (`suite@environment`). */
export function suiteTargets(config: Pick<VigilConfig, 'environments' | 'suites'>): Set<string> {
  return new Set(Object.keys(config.environments).flatMap((e) => suitesOn(config, e).map((s) => `${s}@${e}`)));
}

/**
 * Each entry planned and checked; what is wrong with one is a problem naming it (`<name>: <file>:<line>:
 * step "…": …`, or its allow-list's own path), and it is left out. Other errors (the store, a bug) throw.
 */
export async function planScheduledEntries(
  config: Pick<VigilConfig, 'environments'>,
  scheduled: ReadonlyArray<[string, ScheduledScenario]>,
  base: { env: ScenarioEnvironment; definitions: StepDefinition[] },
): Promise<{ entries: PlannedEntry[]; problems: string[] }> {
  const entries: PlannedEntry[] = [];
  const problems: string[] = [];
  for (const [name, entry] of scheduled) {
    const allowList = allowListProblems(config, name, entry);
    if (allowList.length) {
      problems.push(...allowList);
      continue;
    }
    const file = path.resolve(base.env.configDir, entry.file);
    try {
      const plans = planScenarios(await readFeatures([file]), base.definitions);
      const env = entryEnvironment(base.env, name, entry);
      validatePlans(plans, env);
      entries.push({ name, entry, file, plans, env });
    } catch (err) {
      if (!(err instanceof ScenarioFileError)) throw err;
      problems.push(...err.problems.map((p) => `${name}: ${p}`));
    }
  }
  return { entries, problems };
}

export interface PrepareEntriesOptions {
  /** The whole config: its environments (the allow-lists) and suites (what a suite step may name). */
  config: Pick<VigilConfig, 'environments' | 'suites' | 'model'>;
  /** `scenarios:` of the same file (loadScenarioConfig). */
  scenarios: ScenariosConfig;
  configFile: string;
  /** The service model, resolved once (serve shares it with its model evaluation). */
  model: () => Promise<Model>;
  /** What running the entries needs beyond checking them (serve's store, orchestrator, undo ledger). */
  run?: Pick<ScenarioEnvironment, 'waitDeps' | 'runSuite' | 'undos'>;
}

/**
 * serve's checks at start, for every entry of scenarios.schedule: the model declared and resolved, the
 * steps (the team's own too) loaded, the re-check setting kept, then each entry planned. Throws one
 * ConfigError (where `scenarios.schedule`) naming every problem.
 */
export async function prepareScheduledEntries(opts: PrepareEntriesOptions): Promise<PlannedEntry[]> {
  const where = 'scenarios.schedule';
  if (opts.config.model === undefined) throw new ConfigError('scheduled scenarios ask the service model: declare it under `model:` (docs/model.md)', { where });
  const model = await opts.model();
  const env: ScenarioEnvironment = {
    model,
    config: opts.scenarios,
    configDir: path.dirname(opts.configFile),
    recheck: recheckSetting(opts.scenarios, model),
    waitDeps: {},
    suiteTargets: suiteTargets(opts.config),
    ...opts.run,
  };
  const definitions = await stepDefinitions(opts.scenarios, opts.configFile);
  const { entries, problems } = await planScheduledEntries(opts.config, Object.entries(opts.scenarios.schedule), { env, definitions });
  if (problems.length) throw new ConfigError(problems, { where });
  return entries;
}
