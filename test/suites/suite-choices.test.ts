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

  it("files, projects, grep, grepInvert and workers together, as a multi-project suite's CI combines them (the real CLI)", async () => {
    // Three projects run every test; no page, so each run is Playwright's own cost only.
    const spec = (titles: string[]) => `import { test } from '@playwright/test';\n${titles.map((t) => `test(${JSON.stringify(t)}, () => {});`).join('\n')}\n`;
    const project = writeProject({
      'playwright.config.mjs': `export default { testDir: 'tests', workers: 1, projects: [{ name: 'chromium' }, { name: 'firefox' }, { name: 'webkit' }] };`,
      'tests/frontend-new/specs/f.spec.mjs': spec(['f smoke @smoke', 'f slow @slow', 'f plain']),
      'tests/backend/b.spec.mjs': spec(['b smoke @smoke', 'b plain']),
    });
    const all = { 'tests/frontend-new/specs': ['f smoke @smoke', 'f slow @slow', 'f plain'], 'tests/backend': ['b smoke @smoke', 'b plain'] };
    try {
      for (const files of [undefined, ['tests/frontend-new/specs']]) {
        for (const projects of [undefined, ['chromium'], ['chromium', 'webkit']]) {
          for (const filters of [{}, { grep: '@smoke|plain', grepInvert: '@slow', workers: 2 }] as const) {
            const choice = { ...(files ? { files } : {}), ...(projects ? { projects } : {}), ...filters };
            const outcome = await run(project, app, choice);
            assert.equal(outcome.kind, 'completed', `${JSON.stringify(choice)}: ${outcome.message}`);
            const titles = Object.entries(all)
              .filter(([folder]) => !files || files.includes(folder))
              .flatMap(([, t]) => t)
              .filter((t) => !('grep' in filters) || (/@smoke|plain/.test(t) && !t.includes('@slow')));
            const expected = (projects ?? ['chromium', 'firefox', 'webkit']).flatMap(() => titles).sort();
            const ran = outcome.events.flatMap((e) => (e.type === 'test' ? [e.title] : [])).sort();
            assert.deepEqual(ran, expected, JSON.stringify(choice));
          }
        }
      }
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
