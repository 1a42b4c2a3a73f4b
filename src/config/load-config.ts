// vigil.yaml → VigilConfig: the file as read by readConfigFile (found, parsed, ${VAR} filled, literal
// secrets refused), validated as a whole.
import { ConfigError } from '../shared/errors.ts';
import { findConfigFile, readConfigFile, type ConfigFile } from './config-file.ts';
import type { VigilConfig } from './schema.ts';
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
  /**
   * The file as read, for the sections a command resolves later from the same text (the model, whose
   * file it may name; scenarios). Absent for the demo setup.
   */
  document?: ConfigFile;
}

export interface LoadConfigOptions {
  /** The file already read (by loadModel, say): it is not read again. */
  document?: ConfigFile;
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

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const env = options.env ?? process.env;
  const source = options.document?.source ?? findConfigFile(options);
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

  const document = options.document ?? (await readConfigFile(source, env));
  const filled = document.whole();
  const problems = [...filled.problems];
  const validation = validateConfig(filled.value, { baseDir: document.baseDir, alreadyReported: filled.failedPaths });
  if (!validation.ok) problems.push(...validation.problems);
  if (problems.length || !validation.ok) throw new ConfigError(problems, { where: source.shown });
  return { config: validation.config, file: source.file, secrets: filled.secrets, withheldVariables: withheldVariables(filled.consumed), document };
}

export { findConfigFile, parseYamlText, readConfigFile, type ConfigFile, type ConfigSource } from './config-file.ts';
