import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SPEC_HELLO, run, startApp, writeProject, type App } from './inline-project.ts';

describe('runSuite reports each test once, with its final outcome', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it('counts failed, flaky and skipped tests and explains the failure', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1 };`,
      'shop.spec.mjs': `
import fs from 'node:fs';
import { test, expect } from '@playwright/test';
test.describe('cart', () => {
  test('shows total', async ({ page }) => {
    await page.goto('/');
    await expect(page.locator('h1')).toHaveText('Total: 12', { timeout: 300 });
  });
  test('flaky once', async () => {
    const counter = new URL('./attempts', import.meta.url);
    const attempts = fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0;
    fs.writeFileSync(counter, String(attempts + 1));
    expect(attempts).toBeGreaterThan(0);
  });
  test.skip('not in production', async () => {});
  test('passes', async () => {});
});`,
    });
    try {
      const outcome = await run(project, app, { retries: 1 });
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual(outcome.tests, { total: 4, passed: 1, failed: 1, flaky: 1, skipped: 1 });
      assert.equal(outcome.failures.length, 1);
      const [failure] = outcome.failures;
      assert.equal(failure.title, 'cart › shows total');
      assert.equal(failure.file, 'shop.spec.mjs');
      assert.equal(failure.line, 5);
      assert.match(failure.error, /toHaveText/);
      assert.match(failure.error, /Expected: "Total: 12"/);
      assert.match(failure.error, /Received: "Hello"/);
      assert.match(failure.error, /at shop\.spec\.mjs:7/);
      assert.doesNotMatch(failure.error, /\u001b\[/);
      const flaky = outcome.events.filter((e) => e.type === 'test' && e.title === 'cart › flaky once');
      assert.deepEqual(
        flaky.map((e) => e.type === 'test' && [e.retry, e.outcome]),
        [
          [0, 'failed'],
          [1, 'flaky'],
        ],
      );
    } finally {
      project.cleanup();
    }
  });

  it('reports a grep that matches nothing as crashed "no tests matched", never as a pass', async () => {
    const project = writeProject({ 'playwright.config.mjs': `export default { workers: 1 };`, 'a.spec.mjs': SPEC_HELLO });
    try {
      const outcome = await run(project, app, { grep: 'no such test' });
      assert.equal(outcome.kind, 'crashed');
      assert.match(outcome.message ?? '', /^no tests matched/);
      assert.equal(outcome.tests.total, 0);
    } finally {
      project.cleanup();
    }
  });

  it('adds grepInvert to theirs: a tagged test is excluded, their own exclusion stays', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1, grepInvert: /@slow/ };`,
      'a.spec.mjs': `
        import { test } from '@playwright/test';
        test('browses', async () => {});
        test('pays by card @payments', async () => {});
        test('exports everything @slow', async () => {});`,
    });
    try {
      const outcome = await run(project, app, { grepInvert: '@payments', browser: undefined });
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual(
        outcome.events.filter((e) => e.type === 'test').map((e) => e.type === 'test' && e.title),
        ['browses'],
      );
      assert.deepEqual(outcome.tests, { total: 1, passed: 1, failed: 0, flaky: 0, skipped: 0 });
    } finally {
      project.cleanup();
    }
  });
});
