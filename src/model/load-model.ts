// The model for the CLI: `model:` in the config file (--config, $VIGIL_CONFIG, ./vigil.yaml), inline or
// as the path of a YAML file holding it. The config schema accepts the key (so `vigil run`/`serve` load
// a file that has one); this reads it on its own so that a model file named by path is loaded and
// `vigil model` works even while a suite or provisioner of the file is broken.
// Only `model:` and `store:` are read (with ${VAR} filled, as loadConfig does).
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { interpolate } from '../config/interpolate.ts';
import { findConfigFile, parseYamlText } from '../config/load-config.ts';
import { findLiteralSecrets } from '../config/literal-secrets.ts';
import { ConfigError } from '../shared/errors.ts';
import { joinPath, parseModel, type Model } from '../config/model-schema.ts';

export interface LoadedModel {
  model: Model;
  /** The config file the model was found through. */
  configFile: string;
  /** Vigil's store (for `vigil` checks), as `store:` in the config file says; default ./data/vigil.db. */
  storePath: string;
  /** Every value filled from the environment (source passwords, tokens): for the redactor. */
  secrets: string[];
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


export async function loadModel(opts: { config?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<LoadedModel> {
  const env = opts.env ?? process.env;
  const secrets: string[] = [];
  const fill = (value: unknown, where: string): unknown => {
    const filled = interpolate(value, env);
    if (filled.problems.length) throw new ConfigError(filled.problems.map((p) => joinPath(where, p)));
    secrets.push(...filled.secrets);
    return filled.value;
  };
  const source = findConfigFile({ file: opts.config, env, cwd: opts.cwd });
  if (!source) {
    throw new ConfigError('no config file (--config, $VIGIL_CONFIG or ./vigil.yaml): the service model is declared under `model:` in it (see docs/model.md)');
  }
  const raw = await readYaml(source.file, source.shown);
  const top = (raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const baseDir = dirname(source.file);
  if (top.model === undefined || top.model === null) {
    throw new ConfigError(`${source.shown}: no \`model:\` section (the service model: sources, nodes and their checks; see docs/model.md)`);
  }
  // As for the rest of vigil.yaml: an Icinga 2 password written into the file would leak with it.
  const literal = (value: unknown, where: string) => {
    const problems = findLiteralSecrets(value);
    if (problems.length) throw new ConfigError(problems.map((p) => joinPath(where, p)));
  };
  if (typeof top.model !== 'string') literal(top.model, `${source.shown}: model`);
  const entry = fill(top.model, `${source.shown}: model`);
  let model: Model;
  if (typeof entry === 'string') {
    const file = resolve(baseDir, entry);
    const rawModel = await readYaml(file, `model file ${entry}`);
    literal(rawModel, `${entry}:`);
    const value = fill(rawModel, `${entry}:`);
    model = parseModel(value, `${entry}:`, { baseDir: dirname(file) });
  } else {
    model = parseModel(entry, `${source.shown}: model`, { baseDir });
  }
  const store = fill(top.store ?? './data/vigil.db', `${source.shown}: store`);
  const storePath = store === ':memory:' ? store : resolve(baseDir, String(store));
  return { model, configFile: source.file, storePath, secrets };
}
