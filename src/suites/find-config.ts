import { existsSync } from 'node:fs';
import path from 'node:path';
import { SuiteError } from '../shared/errors.ts';

const CONFIG_NAMES = ['ts', 'js', 'mjs', 'cjs', 'mts', 'cts'].map((ext) => `playwright.config.${ext}`);

/** Their config file, absolute: the given one (relative to suiteDir) or Playwright's default names. */
export function findConfig(suiteDir: string, configFile?: string): string {
  if (configFile) {
    const file = path.resolve(suiteDir, configFile);
    if (!existsSync(file)) throw new SuiteError(`config file ${file} does not exist`, { where: suiteDir });
    return file;
  }
  for (const name of CONFIG_NAMES) {
    const file = path.join(suiteDir, name);
    if (existsSync(file)) return file;
  }
  throw new SuiteError(`no Playwright config found (looked for ${CONFIG_NAMES.join(', ')})`, { where: suiteDir });
}
