import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pruneArtifacts } from '../../src/suites/index.ts';
import { SPEC_HELLO, run, startApp, writeProject, type App } from './inline-project.ts';

const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.basename(f)) : []);

describe('artifacts are kept for failures only', () => {
  let app: App;
  before(async () => (app = await startApp()));
  after(() => app.close());

  it('with retries, traces only the retry of a failing test (a passing first attempt records none)', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1 };`,
      'a.spec.mjs': SPEC_HELLO.replace("toHaveText('Hello')", "toHaveText('Bye', { timeout: 300 })"),
    });
    try {
      const outcome = await run(project, app, { retries: 1 });
      assert.equal(outcome.tests.failed, 1);
      const traces = filesUnder(project.outputDir).filter((f) => f.endsWith('trace.zip'));
      // Both attempts failed: 'retain-on-failure' would have kept two traces, 'on-first-retry' keeps one.
      assert.equal(traces.length, 1, `one trace, from the retry: ${traces}`);
    } finally {
      project.cleanup();
    }
  });

  it('keeps a trace and a screenshot of a failing test in outputDir', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1 };`,
      'a.spec.mjs': SPEC_HELLO.replace("toHaveText('Hello')", "toHaveText('Bye', { timeout: 300 })"),
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.tests.failed, 1);
      const files = filesUnder(project.outputDir);
      assert.ok(files.includes('trace.zip'), `trace in ${files}`);
      assert.ok(
        files.some((f) => f.endsWith('.png')),
        `screenshot in ${files}`,
      );
    } finally {
      project.cleanup();
    }
  });

  it('leaves outputDir empty after a run where every test passed', async () => {
    const project = writeProject({
      'playwright.config.mjs': `export default { workers: 1, use: { trace: 'on', screenshot: 'on' } };`,
      'a.spec.mjs': SPEC_HELLO,
    });
    try {
      const outcome = await run(project, app);
      assert.equal(outcome.tests.passed, 1);
      assert.ok(existsSync(project.outputDir));
      assert.deepEqual(readdirSync(project.outputDir), []);
    } finally {
      project.cleanup();
    }
  });

  it('pruneArtifacts keeps the newest N run folders and drops those past maxAge', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-artifacts-'));
    try {
      const now = Date.now();
      const ageHours = { 'run-a': 1, 'run-b': 2, 'run-c': 3, 'run-d': 4, 'run-e': 200 };
      for (const [name, hours] of Object.entries(ageHours)) {
        mkdirSync(path.join(dir, name, 'trace'), { recursive: true });
        const when = new Date(now - hours * 3_600_000);
        utimesSync(path.join(dir, name), when, when);
      }
      const removed = pruneArtifacts({ dir, keep: 2, maxAgeMs: 7 * 24 * 3_600_000, now: new Date(now) });
      assert.deepEqual(readdirSync(dir).sort(), ['run-a', 'run-b']);
      assert.deepEqual(removed.map((p) => path.basename(p)).sort(), ['run-c', 'run-d', 'run-e']);

      const aged = pruneArtifacts({ dir, keep: 10, maxAgeMs: 90 * 60_000, now: new Date(now) });
      assert.deepEqual(
        aged.map((p) => path.basename(p)),
        ['run-b'],
      );
      assert.deepEqual(pruneArtifacts({ dir: path.join(dir, 'missing'), keep: 1, maxAgeMs: 0 }), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
