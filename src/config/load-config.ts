// vigil.yaml → VigilConfig: find the file, parse YAML, fill ${VAR}, refuse literal secrets, validate.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, messageOf } from '../shared/errors.ts';
import type { VigilConfig } from './schema.ts';
import { interpolate } from './interpolate.ts';
import { findLiteralSecrets } from './literal-secrets.ts';
import { validateConfig } from './validate-config.ts';
import { withheldVariables } from './withheld-variables.ts';

export interface LoadedConfig {
  config: VigilConfig;
  /** Absolute path of the file read, or null for the bundled demo setup. */
  file: string | null;
  /** Every value that came from the environment: give them to createRedactor. */
  secrets: string[];
  /** Variables Vigil's own settings read (tenants, exporters, api): kept out of the suite's environment. */
  withheldVariables: string[];
}

export interface LoadConfigOptions {
  /** `--config`; relative to cwd. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * Builds the bundled demo setup when no config file is found at all (see demoConfig). Without it,
   * the result is `file: null` with a config that defines nothing, and the caller builds the demo.
   */
  demo?: () => DemoSetup | Promise<DemoSetup>;
}

export interface DemoSetup {
  config: VigilConfig;
  /** e.g. the demo app's admin token. */
  secrets: string[];
}

export interface ConfigSource {
  file: string;
  /** How the file was chosen, for error messages. */
  origin: '--config' | '$VIGIL_CONFIG' | './vigil.yaml';
  shown: string;
}

/** `--config`, else `$VIGIL_CONFIG`, else `./vigil.yaml` when it exists, else null (the demo setup). */
export function findConfigFile(options: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): ConfigSource | null {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  if (options.file) return { file: resolve(cwd, options.file), origin: '--config', shown: options.file };
  if (env.VIGIL_CONFIG) return { file: resolve(cwd, env.VIGIL_CONFIG), origin: '$VIGIL_CONFIG', shown: env.VIGIL_CONFIG };
  const local = resolve(cwd, 'vigil.yaml');
  return existsSync(local) ? { file: local, origin: './vigil.yaml', shown: './vigil.yaml' } : null;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const source = findConfigFile(options);
  if (!source) {
    if (options.demo) {
      const demo = await options.demo();
      return { config: demo.config, file: null, secrets: [...demo.secrets], withheldVariables: [] };
    }
    // The caller sees `file: null` and builds the demo setup itself (it has to start the demo app first
    // to know its URL); until then it gets a valid config that runs nothing.
    const empty = validateConfig({ environments: {}, tenants: {}, suites: {} }, { baseDir: options.cwd ?? process.cwd() });
    if (!empty.ok) throw new ConfigError(empty.problems);
    return { config: empty.config, file: null, secrets: [], withheldVariables: [] };
  }

  const text = await readSource(source);
  const raw = parseYaml(text, source.shown);
  const filled = interpolate(raw, env);
  const problems = [...findLiteralSecrets(raw), ...filled.problems];
  const validation = validateConfig(filled.value, { baseDir: dirname(source.file), alreadyReported: filled.failedPaths });
  if (!validation.ok) problems.push(...validation.problems);
  if (problems.length || !validation.ok) throw new ConfigError(problems, { where: source.shown });
  return { config: validation.config, file: source.file, secrets: filled.secrets, withheldVariables: withheldVariables(filled.consumed) };
}

async function readSource(source: ConfigSource): Promise<string> {
  const via = source.origin === '$VIGIL_CONFIG' ? ' (from $VIGIL_CONFIG)' : '';
  try {
    return await readFile(source.file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(`config file ${source.shown}${via} not found`, { cause: err });
    if (code === 'EISDIR') throw new ConfigError(`config file ${source.shown}${via} is a folder`, { cause: err });
    throw new ConfigError(`config file ${source.shown}${via} cannot be read: ${(err as Error).message}`, { cause: err });
  }
}

const MAX_ALIAS_COUNT = 100;

function parseYaml(text: string, shown: string): unknown {
  const value = parseYamlText(text, shown);
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new ConfigError(`${shown}: the top level must be a map of settings (store, environments, tenants, suites)`);
  }
  return value;
}

/**
 * YAML text → value, every problem a ConfigError naming `shown` (with line and column), alias expansion
 * bounded. Shared by the config file and the model files it names.
 */
export function parseYamlText(text: string, shown: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, lineCounter });
  if (doc.errors.length) {
    const problems = doc.errors.map((e) => {
      const { line, col } = lineCounter.linePos(e.pos[0]);
      return `${shown}:${line}:${col}: ${e.message.split('\n')[0]}`;
    });
    throw new ConfigError(problems);
  }
  let value: unknown;
  try {
    // maxAliasCount bounds the expansion of `&x [*y, *y, …]` chains (a "billion laughs" file).
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw new ConfigError(`${shown}: ${messageOf(err).split('\n')[0]} (YAML aliases may be expanded at most ${MAX_ALIAS_COUNT} times)`, { cause: err });
  }
  return value;
}
