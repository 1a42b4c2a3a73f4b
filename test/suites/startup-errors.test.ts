import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runSuite } from '../../src/suites/index.ts';
import { SuiteError } from '../../src/shared/errors.ts';
import { SPEC_HELLO, quietLog, run, startApp, writeProject, type App } from './inline-project.ts';

describe('runSuite when the suite cannot run', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it('throws a SuiteError naming the folder and what to install when the suite has no Playwright', async () => {
    // Outside the repo, so the repo's own Playwright cannot be found by accident.
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-no-playwright-'));
    writeFileSync(path.join(dir, 'playwright.config.js'), 'module.exports = {};');
    try {
      await assert.rejects(
        runSuite({ suiteDir: dir, baseURL: app.baseURL, env: {}, outputDir: path.join(dir, 'out'), timeoutMs: 10_000, log: quietLog() }),
        (err: unknown) => err instanceof SuiteError && err.message.includes(dir) && err.message.includes('@playwright/test'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says `npm ci` in the suite folder when its package.json lists Playwright but nothing is installed', async () => {
    // The usual way to get here: a fresh checkout or image where the suite's dependencies were never installed.
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-not-installed-'));
    writeFileSync(path.join(dir, 'playwright.config.js'), 'module.exports = {};');
    writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ devDependencies: { '@playwright/test': '1.45.0' } }));
    try {
      await assert.rejects(
        runSuite({ suiteDir: dir, baseURL: app.baseURL, env: {}, outputDir: path.join(dir, 'out'), timeoutMs: 10_000, log: quietLog() }),
        (err: unknown) => {
          assert.ok(err instanceof SuiteError);
          assert.equal(err.message, `${dir}: package.json lists @playwright/test 1.45.0 but it is not installed: run \`npm ci\` in ${dir}`);
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('throws a SuiteError when no config is found', async () => {
    const project = writeProject({ 'tests/a.spec.mjs': SPEC_HELLO });
    try {
      await assert.rejects(run(project, app), (err: unknown) => err instanceof SuiteError && /no Playwright config found/.test(err.message));
      await assert.rejects(run(project, app, { configFile: 'e2e.config.ts' }), /e2e\.config\.ts does not exist/);
    } finally {
      project.cleanup();
    }
  });

  it('reports a config that cannot load as crashed, with the stderr tail', async () => {
    const project = writeProject({
      'playwright.config.mjs': `import './missing-helper.mjs';\nexport default {};`,
      'a.spec.mjs': SPEC_HELLO,
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.kind, 'crashed');
      assert.match(outcome.message ?? '', /Cannot find module .*missing-helper\.mjs/);
      assert.doesNotMatch(outcome.message ?? '', /\u001b\[/);
    } finally {
      project.cleanup();
    }
  });
});
