// The model for the CLI: `model:` in the config file (--config, $VIGIL_CONFIG, ./vigil.yaml), inline or
// as the path of a YAML file holding it. The file is read once, by readConfigFile as every command reads
// it, but only `model:` and `store:` are validated here: a model file named by path is loaded and
// `vigil model` works even while a suite or provisioner of the file is broken. `vigil serve` resolves
// the same section of the file it already loaded (resolveModel), so no command reads vigil.yaml twice.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { findConfigFile, parseYamlText, readConfigFile, type ConfigFile, type ConfigSection } from '../config/config-file.ts';
import { interpolate } from '../config/interpolate.ts';
import { findLiteralSecrets } from '../config/literal-secrets.ts';
import { ConfigError } from '../shared/errors.ts';
import { isStoreFile, storeLocationProblem } from '../shared/store-location.ts';
import { parseModel, type Model } from '../config/model-schema.ts';

export interface ResolvedModel {
  model: Model;
  /** Every value filled from the environment (source passwords, tokens): for the redactor. */
  secrets: string[];
  /** Variables the model read: Vigil's own business, kept out of a suite's environment. */
  variables: string[];
}

export interface LoadedModel extends ResolvedModel {
  /** The config file the model was found through. */
  configFile: string;
  /** The file as read: scenarios and the full config (when a step runs a suite) come from it too. */
  document: ConfigFile;
  /** Vigil's store (for `vigil` checks), as `store:` in the config file says; default ./data/vigil.db. */
  storePath: string;
}

async function readYaml(file: string, shown: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(`${shown}: ${code === 'ENOENT' ? 'not found' : `cannot be read: ${(err as Error).message}`}`, { cause: err });
  }
  return parseYamlText(text, shown);
}

const check = (problems: string[], shown: string) => {
  if (problems.length) throw new ConfigError(problems.map((p) => `${shown}: ${p}`));
};

/**
 * `model:` of a file read by readConfigFile → the model: inline, or the YAML file it names (read here,
 * with the same literal-secret check and `${VAR}` filling as vigil.yaml).
 */
export async function resolveModel(document: ConfigFile, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedModel> {
  const { shown } = document.source;
  const section: ConfigSection = document.section('model');
  if (section.value === undefined || section.value === null) {
    throw new ConfigError(`${shown}: no \`model:\` section (the service model: sources, nodes and their checks; see docs/model.md)`);
  }
  check(section.problems, shown);
  const variables = section.consumed.map((c) => c.name);
  if (typeof section.value !== 'string') {
    return { model: parseModel(section.value, `${shown}: model`, { baseDir: document.baseDir }), secrets: section.secrets, variables };
  }
  const entry = section.value;
  const file = resolve(document.baseDir, entry);
  const raw = await readYaml(file, `model file ${entry}`);
  const problems = findLiteralSecrets(raw);
  if (problems.length) throw new ConfigError(problems.map((p) => `${entry}: ${p}`));
  const filled = interpolate(raw, env);
  if (filled.problems.length) throw new ConfigError(filled.problems.map((p) => `${entry}: ${p}`));
  return {
    model: parseModel(filled.value, `${entry}:`, { baseDir: dirname(file) }),
    secrets: [...new Set([...section.secrets, ...filled.secrets])],
    variables: [...variables, ...filled.consumed.map((c) => c.name)],
  };
}

export async function loadModel(opts: { config?: string; env?: NodeJS.ProcessEnv; cwd?: string; document?: ConfigFile } = {}): Promise<LoadedModel> {
  const env = opts.env ?? process.env;
  const source = opts.document?.source ?? findConfigFile({ file: opts.config, env, cwd: opts.cwd });
  if (!source) {
    throw new ConfigError('no config file (--config, $VIGIL_CONFIG or ./vigil.yaml): the service model is declared under `model:` in it (see docs/model.md)');
  }
  const document = opts.document ?? (await readConfigFile(source, env));
  const resolved = await resolveModel(document, env);
  const store = document.section('store');
  check(store.problems, source.shown);
  const storeValue = String(store.value ?? './data/vigil.db');
  // A postgres:// URL stays a URL (resolved as a file it named a SQLite file under the config's folder).
  const problem = storeLocationProblem(storeValue);
  if (problem) throw new ConfigError(problem, { where: `${source.shown}: store` });
  const storePath = isStoreFile(storeValue) ? resolve(document.baseDir, storeValue) : storeValue;
  return { ...resolved, configFile: source.file, document, storePath, secrets: [...new Set([...resolved.secrets, ...store.secrets])] };
}
