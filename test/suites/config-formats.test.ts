import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SPEC_HELLO, run, startApp, writeProject, type App } from './inline-project.ts';

describe('runSuite loads the app config as it is', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it('runs an ESM config (defineConfig, export default) and counts its tests', async () => {
    const project = writeProject({
      'playwright.config.mjs': `
        import { defineConfig } from '@playwright/test';
        export default defineConfig({ testDir: 'tests', workers: 1, use: { baseURL: 'http://wrong.invalid' } });`,
      'tests/a.spec.mjs': SPEC_HELLO,
      'tests/b.spec.mjs': SPEC_HELLO.replace("'shows hello'", "'shows hello again'"),
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual(outcome.tests, { total: 2, passed: 2, failed: 0, flaky: 0, skipped: 0 });
      assert.equal(outcome.playwrightVersion, '1.65.1');
      assert.deepEqual(outcome.events[0], { type: 'begin', total: 2 });
      assert.deepEqual(
        outcome.events
          .filter((e) => e.type === 'test')
          .map((e) => e.type === 'test' && `${e.file}:${e.line} ${e.title}`)
          .sort(),
        ['tests/a.spec.mjs:3 shows hello', 'tests/b.spec.mjs:3 shows hello again'],
      );
    } finally {
      project.cleanup();
    }
  });

  it('runs a CommonJS config (module.exports in .cjs)', async () => {
    const project = writeProject({
      'playwright.config.cjs': `module.exports = { testDir: './tests', workers: 1, testMatch: /.*\\.spec\\.cjs/ };`,
      'tests/a.spec.cjs': `
        const { test, expect } = require('@playwright/test');
        test('cjs hello', async ({ page }) => { await page.goto('/'); await expect(page.locator('h1')).toHaveText('Hello'); });`,
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual(outcome.tests, { total: 1, passed: 1, failed: 0, flaky: 0, skipped: 0 });
    } finally {
      project.cleanup();
    }
  });

  it('runs a TypeScript config in a CommonJS package, transpiled by Playwright', async () => {
    const project = writeProject({
      'package.json': '{ "name": "ts-app", "private": true }',
      'playwright.config.ts': `
        import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
        const workers: number = 1;
        const config: PlaywrightTestConfig = { testDir: './e2e', workers };
        export default defineConfig(config);`,
      'e2e/a.spec.ts': SPEC_HELLO.replace('async ({ page })', 'async ({ page }): Promise<void>'),
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual(outcome.tests, { total: 1, passed: 1, failed: 0, flaky: 0, skipped: 0 });
    } finally {
      project.cleanup();
    }
  });

  it('resolves their relative testDir, outputDir and reporter files against their config folder', async () => {
    const project = writeProject({
      'config/playwright.config.mjs': `
        export default {
          testDir: '../specs', outputDir: 'their-results', workers: 1,
          reporter: [['json', { outputFile: 'report.json' }], ['list']],
        };`,
      'specs/a.spec.mjs':
        SPEC_HELLO +
        `
test('fails on purpose', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Bye', { timeout: 300 });
});`,
    });
    try {
      const outcome = await run(project, app, { configFile: 'config/playwright.config.mjs', keepReporters: true });
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.equal(outcome.tests.total, 2);
      const report = JSON.parse(readFileSync(path.join(project.dir, 'config/report.json'), 'utf8'));
      assert.equal(report.stats.expected, 1);
      assert.equal(report.stats.unexpected, 1);
      // Artifacts go to Vigil's per-run dir, never into their folders.
      assert.equal(existsSync(path.join(project.dir, 'config/their-results')), false);
      assert.equal(existsSync(path.join(project.dir, 'test-results')), false);
      assert.ok(readdirSync(project.outputDir).length > 0, 'failure artifacts in Vigil outputDir');
    } finally {
      project.cleanup();
    }
  });

  it('drops their reporters unless asked to keep them', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1, reporter: [['json', { outputFile: 'report.json' }]] };`,
      'a.spec.mjs': SPEC_HELLO,
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.equal(existsSync(path.join(project.dir, 'report.json')), false);
    } finally {
      project.cleanup();
    }
  });

  it('drops webServer: the app under test is the deployed environment', async () => {
    const project = writeProject({
      'playwright.config.mjs': `
        export default { workers: 1, webServer: { command: 'exit 1', url: 'http://127.0.0.1:9/', reuseExistingServer: false } };`,
      'a.spec.mjs': SPEC_HELLO,
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.equal(outcome.tests.passed, 1);
    } finally {
      project.cleanup();
    }
  });

  it('makes Vigil baseURL win in every project, setup projects with dependencies included', async () => {
    const check = (name: string) => `
      import { test, expect } from '@playwright/test';
      test('${name}', async ({ page, baseURL }) => {
        expect(baseURL).toBe(process.env.EXPECTED_BASE_URL);
        await page.goto('/');
        await expect(page.locator('h1')).toHaveText('Hello');
      });`;
    const project = writeProject({
      'playwright.config.mjs': `
        import { defineConfig } from '@playwright/test';
        export default defineConfig({
          workers: 1,
          use: { baseURL: 'http://wrong.invalid/top' },
          projects: [
            { name: 'setup', testMatch: /.*\\.setup\\.mjs/ },
            { name: 'app', dependencies: ['setup'], testMatch: /.*\\.spec\\.mjs/, use: { baseURL: 'http://wrong.invalid/project' } },
          ],
        });`,
      'auth.setup.mjs': check('sets up'),
      'a.spec.mjs': check('uses the app'),
    });
    try {
      const outcome = await run(project, app, { env: { VIGIL_TEST_MARKER: project.marker, EXPECTED_BASE_URL: app.baseURL } });
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual(outcome.failures, []);
      assert.deepEqual(outcome.tests, { total: 2, passed: 2, failed: 0, flaky: 0, skipped: 0 });
    } finally {
      project.cleanup();
    }
  });
});
