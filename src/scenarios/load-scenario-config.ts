// `scenarios:` of the config file `vigil model` found (docs/scenarios.md), validated on its own like the
// model is, so scenarios run while an unrelated suite of the file is broken; and a team's own steps.
// The file is the one loadModel read (readConfigFile): ${VAR} filled and literal secrets refused as
// everywhere in vigil.yaml.
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigFile } from '../config/config-file.ts';
import { formatIssues } from '../config/format-issues.ts';
import { scenariosSchema, type ScenariosConfig } from '../config/scenario-schema.ts';
import { ConfigError, messageOf } from '../shared/errors.ts';
import type { StepDefinition } from './types.ts';

/** `scenarios:` validated, and every value it took from the environment (for the redactor). */
export function loadScenarioConfig(document: ConfigFile): { config: ScenariosConfig; secrets: string[] } {
  const section = document.section('scenarios');
  if (section.problems.length) throw new ConfigError(section.problems, { where: document.source.shown });
  const parsed = scenariosSchema.safeParse(section.value ?? {});
  if (!parsed.success)
    throw new ConfigError(
      formatIssues(parsed.error.issues).map((p) => `scenarios.${p}`),
      { where: document.source.shown },
    );
  return { config: parsed.data, secrets: section.secrets };
}

const isDefinition = (d: unknown): d is StepDefinition =>
  !!d &&
  typeof d === 'object' &&
  (typeof (d as StepDefinition).pattern === 'string' || (d as StepDefinition).pattern instanceof RegExp) &&
  typeof (d as StepDefinition).run === 'function';

/** `scenarios.steps`: a module exporting `steps` (or a default) — an array of { pattern, run }. */
export async function loadStepModule(path: string, configFile: string): Promise<StepDefinition[]> {
  const file = resolve(dirname(configFile), path);
  let loaded: { steps?: unknown; default?: unknown };
  try {
    loaded = (await import(pathToFileURL(file).href)) as typeof loaded;
  } catch (err) {
    throw new ConfigError(`cannot load ${file}: ${messageOf(err)}`, { where: 'scenarios.steps' });
  }
  const steps = loaded.steps ?? loaded.default;
  if (!Array.isArray(steps)) throw new ConfigError(`${file} must export \`steps\`: an array of { pattern, run(ctx, ...args) }`, { where: 'scenarios.steps' });
  const bad = steps.findIndex((s) => !isDefinition(s));
  if (bad >= 0) throw new ConfigError(`${file}: steps[${bad}] is not { pattern: RegExp | string, run(ctx, ...args) }`, { where: 'scenarios.steps' });
  return steps;
}
