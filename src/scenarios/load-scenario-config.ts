// `scenarios:` of the config file `vigil model` found (docs/scenarios.md), read on its own like the
// model is, so scenarios run while an unrelated suite of the file is broken; and a team's own steps.
// ${VAR} is filled from the environment as everywhere in vigil.yaml.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { formatIssues } from '../config/format-issues.ts';
import { interpolate } from '../config/interpolate.ts';
import { scenariosSchema, type ScenariosConfig } from '../config/scenario-schema.ts';
import { ConfigError, messageOf } from '../shared/errors.ts';
import type { StepDefinition } from './types.ts';

/** `scenarios:` validated, and every value it took from the environment (for the redactor). */
export async function loadScenarioConfig(configFile: string, env: NodeJS.ProcessEnv = process.env): Promise<{ config: ScenariosConfig; secrets: string[] }> {
  // loadModel has already read and parsed this file: errors here are about `scenarios:` only.
  const top = parse(await readFile(configFile, 'utf8')) as Record<string, unknown> | null;
  const filled = interpolate(top?.scenarios ?? {}, env);
  if (filled.problems.length) throw new ConfigError(filled.problems.map((p) => `scenarios.${p}`));
  const parsed = scenariosSchema.safeParse(filled.value);
  if (!parsed.success) throw new ConfigError(formatIssues(parsed.error.issues).map((p) => `scenarios.${p}`), { where: configFile });
  return { config: parsed.data, secrets: filled.secrets };
}

const isDefinition = (d: unknown): d is StepDefinition =>
  !!d && typeof d === 'object' && (typeof (d as StepDefinition).pattern === 'string' || (d as StepDefinition).pattern instanceof RegExp) && typeof (d as StepDefinition).run === 'function';

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
