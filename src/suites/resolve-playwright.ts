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
  throw new SuiteError(notInstalled(path.resolve(suiteDir)), { where: suiteDir });
}

/** Why no Playwright was found, and the command that fixes it, run where it has to be run. */
function notInstalled(suiteDir: string): string {
  const manifest = nearestPackageJson(suiteDir);
  const declared = manifest && declaredPlaywright(manifest);
  if (manifest && declared) {
    // The usual case: a fresh checkout or image where the suite's dependencies were never installed.
    return `${path.relative(suiteDir, manifest) || 'package.json'} lists ${declared} but it is not installed: run \`npm ci\` in ${path.dirname(manifest)}`;
  }
  return `no @playwright/test installed in ${suiteDir} or above it: run \`npm install --save-dev @playwright/test\` there (then \`npm ci\` wherever the suite is deployed) so Vigil runs the version the suite pins`;
}

function nearestPackageJson(dir: string): string | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    const candidate = path.join(at, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(at) === at) return undefined;
  }
}

function declaredPlaywright(manifest: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['devDependencies', 'dependencies'] as const) {
      for (const name of ['@playwright/test', 'playwright']) {
        const range = json[field]?.[name];
        if (typeof range === 'string') return `${name} ${range}`;
      }
    }
  } catch {
    // An unreadable package.json says nothing about Playwright; the general advice follows.
  }
  return undefined;
}
