// vigil.yaml read once: found (--config, $VIGIL_CONFIG, ./vigil.yaml), parsed with line and column in
// every YAML error, `${VAR}` filled and literal secrets looked for — section by section, so a command
// that needs only `model:` or `scenarios:` is not stopped by a broken suite, while every command reads
// the same text the same way. Validation is the caller's: loadConfig the whole file, loadModel and
// loadScenarioConfig their own section.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, messageOf } from '../shared/errors.ts';
import { interpolate } from './interpolate.ts';
import { findLiteralSecrets } from './literal-secrets.ts';

export interface ConfigSource {
  file: string;
  /** How the file was chosen, for error messages. */
  origin: '--config' | '$VIGIL_CONFIG' | './vigil.yaml' | 'built in';
  shown: string;
}

/** One top-level key of the file, `${VAR}` filled; paths in `problems` start with the key. */
export interface ConfigSection {
  /** undefined when the file has no such key. */
  value: unknown;
  /** Values taken from the environment: for the redactor. */
  secrets: string[];
  consumed: Array<{ name: string; section: string }>;
  /** Literal secrets and unfilled `${VAR}`s. */
  problems: string[];
  failedPaths: Set<string>;
}

export interface ConfigFile {
  source: ConfigSource;
  /** The file's folder: relative paths in it resolve against this. */
  baseDir: string;
  section(name: string): ConfigSection;
  /** Every key's sections merged, in file order: what loadConfig validates. */
  whole(): ConfigSection;
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

export async function readConfigFile(source: ConfigSource, env: NodeJS.ProcessEnv): Promise<ConfigFile> {
  const text = await readSource(source);
  return configDocument(parseTopLevel(text, source.shown), source, dirname(source.file), env);
}

/**
 * A config that is no file (the bundled demo's, built in code) as the same document: its sections
 * are filled and checked, and resolved (the model), like a file's.
 */
export function configDocument(parsed: unknown, source: ConfigSource, baseDir: string, env: NodeJS.ProcessEnv): ConfigFile {
  const top = (parsed ?? {}) as Record<string, unknown>;
  const sections = new Map<string, ConfigSection>();
  const section = (name: string): ConfigSection => {
    let found = sections.get(name);
    if (!found) {
      if (!Object.hasOwn(top, name)) return { value: undefined, secrets: [], consumed: [], problems: [], failedPaths: new Set() };
      // Filled as a one-key map, so every path (in problems, failedPaths, consumed) starts with the key.
      const filled = interpolate({ [name]: top[name] }, env);
      found = {
        value: (filled.value as Record<string, unknown>)[name],
        secrets: filled.secrets,
        consumed: filled.consumed,
        problems: [...findLiteralSecrets({ [name]: top[name] }), ...filled.problems],
        failedPaths: filled.failedPaths,
      };
      sections.set(name, found);
    }
    return found;
  };
  const whole = (): ConfigSection => {
    const parts = Object.keys(top).map((name) => [name, section(name)] as const);
    return {
      // An empty file stays empty (null), for "the config is empty" rather than three missing keys.
      value: parsed == null ? parsed : Object.fromEntries(parts.map(([name, s]) => [name, s.value])),
      secrets: [...new Set(parts.flatMap(([, s]) => s.secrets))],
      consumed: parts.flatMap(([, s]) => s.consumed),
      problems: parts.flatMap(([, s]) => s.problems),
      failedPaths: new Set(parts.flatMap(([, s]) => [...s.failedPaths])),
    };
  };
  return { source, baseDir, section, whole };
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

function parseTopLevel(text: string, shown: string): unknown {
  const value = parseYamlText(text, shown);
  if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
    throw new ConfigError(`${shown}: the top level must be a map of settings (store, environments, tenants, suites)`);
  }
  return value;
}

const MAX_ALIAS_COUNT = 100;

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
