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
