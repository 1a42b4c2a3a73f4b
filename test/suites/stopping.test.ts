import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CHROMIUM, markedProcesses, repoRoot, run, startApp, writeProject, type App, type InlineProject } from './inline-project.ts';

const HANGING_SUITE = {
  'playwright.config.mjs': `export default { workers: 1, timeout: 0 };`,
  'hang.spec.mjs': `
    import { test, expect } from '@playwright/test';
    test('never ends', async ({ page }) => {
      await page.goto('/');
      await expect(page.locator('h1')).toHaveText('Hello');
      await new Promise(() => {});
    });`,
};

// A helper started by the test that ignores SIGTERM: only the SIGKILL after the grace ends it.
const STUBBORN_SUITE = {
  'playwright.config.mjs': `export default { workers: 1, timeout: 0 };`,
  'stubborn.spec.mjs': `
    import { test } from '@playwright/test';
    import { spawn } from 'node:child_process';
    import { writeFileSync } from 'node:fs';
    test('starts a helper deaf to SIGTERM, then never ends', async () => {
      spawn('sh', ['-c', "trap '' TERM; sleep 600"], { stdio: 'ignore' });
      writeFileSync('helper-started', '');
      await new Promise(() => {});
    });`,
};

// A daemon started by globalSetup, in a session of its own, holding the run's stdout and stderr.
const DAEMON_SUITE = {
  'playwright.config.mjs': `export default { workers: 1, globalSetup: './setup.mjs' };`,
  'setup.mjs': `
    import { spawn } from 'node:child_process';
    export default async () => { spawn('sleep', ['600'], { stdio: 'inherit', detached: true }).unref(); };`,
  'quick.spec.mjs': `
    import { test, expect } from '@playwright/test';
    test('passes', async ({ page }) => { await page.goto('/'); await expect(page.locator('h1')).toHaveText('Hello'); });`,
};

/** Resolves once a Chromium of this run is alive (bounded), so a kill has something real to kill. */
async function chromiumStarted(project: InlineProject): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (markedProcesses(project.marker).some((p) => /chrom/i.test(p))) return;
    await sleep(100);
  }
  throw new Error('no Chromium of the run appeared within 30 s');
}

async function nothingLeft(project: InlineProject, withinMs: number): Promise<string[]> {
  const deadline = Date.now() + withinMs;
  let left = markedProcesses(project.marker);
  while (left.length > 0 && Date.now() < deadline) {
    await sleep(200);
    left = markedProcesses(project.marker);
  }
  return left;
}

describe('runSuite stops a run completely', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it('kills a hanging suite at timeoutMs, browser included', async () => {
    const project = writeProject(HANGING_SUITE);
    try {
      const running = run(project, app, { timeoutMs: 4000 });
      await chromiumStarted(project);
      const outcome = await running;
      assert.equal(outcome.kind, 'timeout');
      assert.match(outcome.message ?? '', /4000 ms/);
      assert.deepEqual(markedProcesses(project.marker), [], 'nothing of the run survives the resolve');
    } finally {
      project.cleanup();
    }
  });

  it('kills the suite when the signal aborts and reports interrupted', async () => {
    const project = writeProject(HANGING_SUITE);
    const controller = new AbortController();
    try {
      const running = run(project, app, { signal: controller.signal });
      await chromiumStarted(project);
      controller.abort();
      const outcome = await running;
      assert.equal(outcome.kind, 'interrupted');
      assert.deepEqual(markedProcesses(project.marker), []);
    } finally {
      controller.abort();
      project.cleanup();
    }
  });

  it('a process of the run deaf to SIGTERM is killed after the grace: the run ends at timeout + grace, nothing left', async () => {
    const project = writeProject(STUBBORN_SUITE);
    try {
      const started = Date.now();
      const outcome = await run(project, app, { timeoutMs: 3000 });
      const took = Date.now() - started;
      assert.equal(outcome.kind, 'timeout');
      assert.ok(took < 3000 + 5000 + 4000, `the run ended ${took} ms after it started (timeout 3 s, grace 5 s)`);
      assert.deepEqual(markedProcesses(project.marker), [], 'the helper did not survive');
    } finally {
      for (const line of markedProcesses(project.marker)) process.kill(Number(line.split(':')[0]), 'SIGKILL');
      project.cleanup();
    }
  });

  it('a daemon started by the suite holding its output neither holds the run nor outlives it', async () => {
    const project = writeProject(DAEMON_SUITE);
    try {
      const started = Date.now();
      const outcome = await run(project, app, { timeoutMs: 60_000 });
      const took = Date.now() - started;
      assert.equal(outcome.kind, 'completed', outcome.message);
      assert.deepEqual([outcome.tests.passed, outcome.tests.failed], [1, 0]);
      assert.ok(took < 30_000, `the run ended ${took} ms after it started, not when the daemon would`);
      assert.deepEqual(await nothingLeft(project, 3000), [], 'the daemon, in a session of its own, was found by the marker and killed');
    } finally {
      for (const line of markedProcesses(project.marker)) process.kill(Number(line.split(':')[0]), 'SIGKILL');
      project.cleanup();
    }
  });

  it('the suite ends itself when Vigil is killed with SIGKILL (orphan watchdog)', async () => {
    const project = writeProject(HANGING_SUITE);
    const script = path.join(project.root, 'vigil-stand-in.ts');
    writeFileSync(
      script,
      `import { runSuite } from ${JSON.stringify(path.join(repoRoot, 'src/suites/index.ts'))};
       const noop = () => {};
       await runSuite({
         suiteDir: ${JSON.stringify(project.dir)}, baseURL: ${JSON.stringify(app.baseURL)},
         env: { VIGIL_TEST_MARKER: ${JSON.stringify(project.marker)} }, outputDir: ${JSON.stringify(project.outputDir)},
         timeoutMs: 120000, browser: ${JSON.stringify(CHROMIUM)},
         log: { debug: noop, info: noop, warn: noop, error: noop },
       });`,
    );
    const vigil = spawn(process.execPath, [script], { stdio: 'ignore' });
    try {
      await chromiumStarted(project);
      vigil.kill('SIGKILL');
      const left = await nothingLeft(project, 10_000);
      assert.deepEqual(left, [], 'no process of the run outlives Vigil by 10 s');
    } finally {
      vigil.kill('SIGKILL');
      for (const line of markedProcesses(project.marker)) process.kill(Number(line.split(':')[0]), 'SIGKILL');
      project.cleanup();
    }
  });
});
