import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { markedProcesses, quietLog, repoRoot, startApp, type App } from './inline-project.ts';
import { runSuite, type SuiteEvent } from '../../src/suites/index.ts';
import { SYSTEM_CHROMIUM_ARGS } from '../../src/suites/system-browser.ts';

// An old Playwright's own browser revision is never installed here: it drives the system Chromium.
const CHROMIUM = { executablePath: '/usr/bin/chromium', args: SYSTEM_CHROMIUM_ARGS };
import { randomBytes } from 'node:crypto';

const fixture = path.join(repoRoot, 'test/fixtures/old-playwright');
const pinned = (JSON.parse(readFileSync(path.join(fixture, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies[
  '@playwright/test'
];

/** Installs the fixture's pinned Playwright once (no browser download: the system Chromium is used). */
function ensureInstalled(): string | undefined {
  if (existsSync(path.join(fixture, 'node_modules/@playwright/test/package.json'))) return undefined;
  const npm = spawnSync('npm', ['install', '--no-audit', '--no-fund'], {
    cwd: fixture,
    env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
    encoding: 'utf8',
    timeout: 300_000,
  });
  return npm.status === 0 ? undefined : `npm install in ${fixture} failed: ${(npm.stderr ?? '').slice(-500)}`;
}

describe('an app pinned to an older @playwright/test', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it(`runs with its own Playwright ${pinned}, not Vigil's, and drives the system Chromium`, async (t) => {
    const installError = ensureInstalled();
    if (installError) {
      // Only the npm registry being unreachable lands here; the reason is printed, never hidden.
      // In CI, .ci/run installs the fixture first, so a missing install is a failure there.
      if (process.env.CI) assert.fail(installError);
      t.skip(installError);
      return;
    }
    const outputDir = mkdtempSync(path.join(repoRoot, '.vigil-tmp', 'old-pw-out-'));
    const marker = randomBytes(8).toString('hex');
    const events: SuiteEvent[] = [];
    try {
      const outcome = await runSuite({
        suiteDir: fixture,
        baseURL: app.baseURL,
        env: { VIGIL_TEST_MARKER: marker },
        outputDir,
        timeoutMs: 60_000,
        browser: CHROMIUM,
        log: quietLog(),
        onEvent: (e) => events.push(e),
      });
      assert.equal(outcome.playwrightVersion, pinned);
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual(outcome.tests, { total: 1, passed: 1, failed: 0, flaky: 0, skipped: 0 });
      assert.deepEqual(
        events.map((e) => e.type),
        ['begin', 'test'],
      );
      assert.deepEqual(markedProcesses(marker), []);
    } finally {
      rmSync(outputDir, { recursive: true, force: true });
    }
  });
});
