import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SuiteError } from '../shared/errors.ts';

export interface ResolvedPlaywright {
  cliPath: string;
  version: string;
  packageName: '@playwright/test' | 'playwright';
}

// The suite's own Playwright, never ours: an app pinned to 1.45 must run with 1.45, whatever Vigil ships.
export function resolvePlaywright(suiteDir: string): ResolvedPlaywright {
  // createRequire needs a file; it does not have to exist, only its folder matters for resolution.
  const requireFromSuite = createRequire(path.join(path.resolve(suiteDir), 'noop.js'));
  for (const packageName of ['@playwright/test', 'playwright'] as const) {
    let packageJson: string;
    try {
      packageJson = requireFromSuite.resolve(`${packageName}/package.json`);
    } catch {
      continue;
    }
    const cliPath = path.join(path.dirname(packageJson), 'cli.js');
    if (!existsSync(cliPath)) continue;
    const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
    return { cliPath, version, packageName };
  }
  throw new SuiteError(
    'no Playwright found: install it in the suite (npm install --save-dev @playwright/test) so Vigil runs the version the suite pins',
    { where: suiteDir },
  );
}
