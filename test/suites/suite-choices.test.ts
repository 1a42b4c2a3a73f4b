// What an operator chooses per suite and environment reaches the suite's own Playwright unmodified:
// positional file filters as upstream CI passes them, and `use` options in every project.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SPEC_HELLO, run, startApp, writeProject, type App } from './inline-project.ts';

describe('suite choices', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it('files: picks one spec folder of two, as `playwright test tests/frontend` would (a leading ./ too)', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { testDir: 'tests', workers: 1 };`,
      'tests/frontend/a.spec.mjs': SPEC_HELLO.replace("'shows hello'", "'frontend hello'"),
      'tests/backend/b.spec.mjs': SPEC_HELLO.replace("'shows hello'", "'backend hello'"),
    });
    try {
      for (const files of [['tests/frontend'], ['./tests/frontend']]) {
        const outcome = await run(project, app, { files });
        assert.equal(outcome.kind, 'completed', outcome.message);
        const titles = outcome.events.flatMap((e) => (e.type === 'test' ? [e.title] : []));
        assert.deepEqual(titles, ['frontend hello'], `files ${files}`);
      }
      const all = await run(project, app);
      assert.equal(all.tests.total, 2, 'without files both folders run');
    } finally {
      project.cleanup();
    }
  });

  it('use: reaches the top level and every project, over theirs, with headers merged (the suite checks testInfo.project.use)', async () => {
    const project = writeProject({
      'playwright.config.mjs': `
        export default {
          testDir: 'tests', workers: 1,
          use: { locale: 'en-US', extraHTTPHeaders: { 'X-Theirs': 'kept' } },
          projects: [
            { name: 'plain' },
            { name: 'own-use', use: { locale: 'fr-FR', video: 'on' } },
          ],
        };`,
      'tests/use.spec.mjs': `
        import { test, expect } from '@playwright/test';
        test('sees Vigil\\'s use', async ({ page }, testInfo) => {
          const use = testInfo.project.use;
          expect(use.locale).toBe('de-DE');
          expect(use.video).toBe('off');
          expect(use.extraHTTPHeaders).toEqual({ 'X-Theirs': 'kept', 'X-Vigil-Run': 'run-123' });
          expect(use.baseURL).toBe(process.env.EXPECTED_BASE_URL);
          await page.goto('/');
          expect(await page.evaluate(() => navigator.language)).toBe('de-DE');
        });`,
    });
    try {
      const outcome = await run(project, app, {
        use: { locale: 'de-DE', video: 'off', extraHTTPHeaders: { 'X-Vigil-Run': 'run-123' } },
        env: { EXPECTED_BASE_URL: app.baseURL },
      });
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual(outcome.tests, { total: 2, passed: 2, failed: 0, flaky: 0, skipped: 0 }, JSON.stringify(outcome.failures));
    } finally {
      project.cleanup();
    }
  });
});
