import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SPEC_HELLO, quietLog, run, startApp, writeProject, type App } from './inline-project.ts';

describe('runSuite keeps their lifecycle and a predictable environment', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it('runs their globalSetup and globalTeardown, resolved from their config folder', async () => {
    const project = writeProject({
      'e2e/playwright.config.mjs': `export default { workers: 1, globalSetup: './setup.mjs', globalTeardown: './teardown.mjs' };`,
      'e2e/setup.mjs': `import fs from 'node:fs'; export default async () => fs.writeFileSync(new URL('./setup-ran', import.meta.url), process.env.CI ?? 'unset');`,
      'e2e/teardown.mjs': `import fs from 'node:fs'; export default async () => fs.writeFileSync(new URL('./teardown-ran', import.meta.url), 'yes');`,
      'e2e/a.spec.mjs': SPEC_HELLO,
    });
    try {
      const outcome = await run(project, app, { configFile: 'e2e/playwright.config.mjs' });
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.equal(outcome.tests.passed, 1);
      assert.equal(readFileSync(path.join(project.dir, 'e2e/setup-ran'), 'utf8'), '1', 'CI=1 in the child');
      assert.ok(existsSync(path.join(project.dir, 'e2e/teardown-ran')));
    } finally {
      project.cleanup();
    }
  });

  it('reports a throwing globalSetup as crashed with its message', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1, globalSetup: './setup.mjs' };`,
      'setup.mjs': `export default async () => { throw new Error('seed database unreachable'); };`,
      'a.spec.mjs': SPEC_HELLO,
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.kind, 'crashed');
      assert.match(outcome.message ?? '', /seed database unreachable/);
      assert.equal(outcome.tests.passed, 0);
    } finally {
      project.cleanup();
    }
  });

  it('sets CI=1 whatever the host has, so forbidOnly keyed on CI rejects test.only', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1, forbidOnly: !!process.env.CI };`,
      'a.spec.mjs': SPEC_HELLO.replace("test('shows hello'", "test.only('shows hello'"),
    });
    const hostCI = process.env.CI;
    delete process.env.CI;
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.kind, 'crashed');
      assert.match(outcome.message ?? '', /only/i);
    } finally {
      if (hostCI !== undefined) process.env.CI = hostCI;
      project.cleanup();
    }
  });

  it('lets Vigil retries override theirs (keyed on CI)', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1, retries: process.env.CI ? 3 : 0 };`,
      'a.spec.mjs': `
        import { test, expect } from '@playwright/test';
        test('always fails', async () => { expect(test.info().retry).toBe(-1); });`,
    });
    try {
      const withTheirs = await run(project, app, { browser: undefined });
      assert.deepEqual(
        withTheirs.events.filter((e) => e.type === 'test').map((e) => e.type === 'test' && e.retry),
        [0, 1, 2, 3],
      );
      const withOurs = await run(project, app, { retries: 1, browser: undefined });
      assert.equal(withOurs.kind, 'completed', withOurs.message);
      assert.deepEqual(
        withOurs.events.filter((e) => e.type === 'test').map((e) => e.type === 'test' && e.retry),
        [0, 1],
      );
      assert.deepEqual(withOurs.tests, { total: 1, passed: 0, failed: 1, flaky: 0, skipped: 0 });
    } finally {
      project.cleanup();
    }
  });

  it('drops host variables that change Playwright behaviour (NODE_OPTIONS, PLAYWRIGHT_*) and passes options.env', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1 };`,
      'a.spec.mjs': `
        import { test, expect } from '@playwright/test';
        test('env is predictable', async () => {
          expect(process.env.PLAYWRIGHT_JSON_OUTPUT_NAME).toBeUndefined();
          expect(process.env.NODE_OPTIONS).toBeUndefined();
          expect(process.env.TENANT_NAME).toBe('vigil-demo-x');
          console.log('logging in with ' + process.env.TENANT_PASSWORD);
        });`,
    });
    process.env.PLAYWRIGHT_JSON_OUTPUT_NAME = 'leak.json';
    // Would make every Node process of the run fail to start, were it passed on.
    process.env.NODE_OPTIONS = '--require /nonexistent/vigil-leak.cjs';
    try {
      const log = quietLog();
      const env = { VIGIL_TEST_MARKER: project.marker, TENANT_NAME: 'vigil-demo-x', TENANT_PASSWORD: 's3cr3t-hunter2' };
      const outcome = await run(project, app, { env, log });
      assert.equal(outcome.kind, 'completed', outcome.message);
      const logged = log.lines.join('\n');
      assert.match(logged, /logging in with \*\*\*/, 'Playwright output reaches the debug log');
      assert.doesNotMatch(logged, /s3cr3t-hunter2/, 'secret values never reach the log');
      assert.deepEqual(outcome.failures, []);
      assert.equal(outcome.tests.passed, 1);
    } finally {
      delete process.env.PLAYWRIGHT_JSON_OUTPUT_NAME;
      delete process.env.NODE_OPTIONS;
      project.cleanup();
    }
  });
});
