// Which Chromium each project gets, checked by the suite itself in an inline project: where Vigil
// chooses the browser (Playwright's own are not installed), a headless project runs on Chromium's
// headless shell and a headed one (use.headless: false) gets the full browser; with a shared browser,
// only headless Chromium projects without launchOptions of their own connect to it.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { createSharedBrowsers } from '../../src/suites/shared-browser.ts';
import { resolveBrowser } from '../../src/suites/system-browser.ts';
import { quietLog, run, startApp, writeProject, type App } from './inline-project.ts';

const chosen = resolveBrowser({});

// The tests read what Playwright was given (testInfo.project.use) and what actually runs: the
// executable of the Chromium their worker's \`browser\` fixture started (a child of the worker process).
const SPEC = `
import { test, expect } from '@playwright/test';
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';

function browserChildren() {
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\\d+$/.test(name)) continue;
    try {
      const stat = readFileSync('/proc/' + name + '/stat', 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) found.push(realpathSync(readlinkSync('/proc/' + name + '/exe')));
    } catch {}
  }
  return found.filter((exe) => /chrom/.test(exe));
}

test('runs on the browser it should', async ({ browser, page }, testInfo) => {
  const use = testInfo.project.use;
  const connects = process.env.EXPECT_SHARED === '1' && testInfo.project.name === 'headless';
  expect(Boolean(use.connectOptions), 'connectOptions').toBe(connects);
  if (testInfo.project.name === 'own-launch') expect(use.launchOptions.args).toContain('--lang=de-DE');
  await page.goto('/');
  await expect(page.locator('h1')).toHaveText('Hello');
  expect(browser.version()).toMatch(/^\\d+\\./);
  if (connects) expect(browserChildren(), 'no browser of its own').toEqual([]);
  else expect(browserChildren()).toContain(process.env.EXPECT_SHELL);
});
`;

// No display here: what a headed project is given is the check, not a launch.
const HEADED_SPEC = `
import { test, expect } from '@playwright/test';
test('is given the full browser', async ({}, testInfo) => {
  const use = testInfo.project.use;
  expect(use.headless).toBe(false);
  expect(use.connectOptions, 'a headed project never connects to the (headless) shared browser').toBeUndefined();
  expect(use.launchOptions.executablePath).toBe(process.env.EXPECT_FULL);
});
`;

const CONFIG = `export default {
  testDir: 'tests', workers: 1,
  projects: [
    { name: 'headless', testMatch: /choice/ },
    { name: 'headed', testMatch: /headed/, use: { headless: false } },
    { name: 'own-launch', testMatch: /choice/, use: { launchOptions: { args: ['--lang=de-DE'] } } },
  ],
};`;

describe('browser choice per project', {
  skip: chosen.fellBack ? false : "Playwright's own browsers are installed: Playwright chooses (its headless shell for headless projects)",
}, () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app?.close());

  it('the system has a headless shell, and Vigil offers it for headless projects', () => {
    assert.match(chosen.browser.headlessExecutablePath ?? '', /chromium-headless-shell$/, 'install the chromium-headless-shell package (.ci/run does)');
    assert.notEqual(chosen.browser.executablePath, chosen.browser.headlessExecutablePath);
  });

  for (const shared of [false, true]) {
    it(
      shared
        ? 'shared browser: only the headless project without launchOptions of its own connects'
        : 'own browser: headless projects run on the headless shell, the headed one gets the full browser',
      async () => {
        const project = writeProject({ 'playwright.config.mjs': CONFIG, 'tests/choice.spec.mjs': SPEC, 'tests/headed.spec.mjs': HEADED_SPEC });
        const pool = shared ? createSharedBrowsers({ log: quietLog() }) : undefined;
        try {
          const outcome = await run(project, app, {
            browser: chosen.browser,
            ...(pool ? { sharedBrowser: { pool, always: false } } : {}),
            env: {
              EXPECT_SHARED: shared ? '1' : '0',
              EXPECT_FULL: chosen.browser.executablePath!,
              EXPECT_SHELL: realpathSync(chosen.browser.headlessExecutablePath!),
            },
          });
          const failures = outcome.failures.map((f) => `${f.title}: ${f.error}`).join('\n');
          assert.equal(outcome.kind, 'completed', outcome.message);
          assert.deepEqual({ passed: outcome.tests.passed, failed: outcome.tests.failed }, { passed: 3, failed: 0 }, failures);
          if (pool) assert.equal(pool.browserPids().length, 1, 'the shared browser was started for the headless project');
        } finally {
          await pool?.close();
          project.cleanup();
        }
      },
    );
  }
});
