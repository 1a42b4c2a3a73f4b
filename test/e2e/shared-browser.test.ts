// A shared browser (browser.shared) changes how a run gets its Chromium, never what the run finds: the
// demo suite gives the same counts on it as on a browser of its own; a shared browser that dies under a
// run makes that run a runner fault (error), never a failed app, and the next run gets a fresh browser.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import type { RunResult } from '../../src/core/index.ts';
import { loadContext, type Context } from '../../src/cli/context.ts';
import { createRunOrchestrator, type RunProgress } from '../../src/runs/orchestrator.ts';
import { createSharedBrowsers, type SharedBrowsers } from '../../src/suites/shared-browser.ts';
import { processesOfRun, setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';

const demoSuite = (shared: boolean) => `
  demo:
    path: ${path.join(repoRoot, 'suites/demo')}
    environments: [local]
    timeout: 3m
    retries: 1
    grepInvert: { local: "@payments" }
    browser: { shared: ${shared} }`;

describe('shared browser', { timeout: 300_000 }, () => {
  let e: E2E;
  let ctx: Context;
  let pool: SharedBrowsers;
  const savedToken = process.env.DEMO_ADMIN_TOKEN;

  before(async () => {
    e = await setupE2E();
    process.env.DEMO_ADMIN_TOKEN = e.adminToken;
  });
  after(async () => {
    await pool?.close();
    await ctx?.close();
    if (savedToken === undefined) delete process.env.DEMO_ADMIN_TOKEN;
    else process.env.DEMO_ADMIN_TOKEN = savedToken;
    await e?.close();
  });

  async function orchestratorFor(shared: boolean) {
    await ctx?.close();
    await e.writeConfig({ suite: demoSuite(shared) });
    ctx = await loadContext({ config: e.configFile, logLevel: 'silent' });
    pool ??= createSharedBrowsers({ log: ctx.log });
    return createRunOrchestrator({ ...ctx, sharedBrowsers: pool });
  }

  test('the demo suite gives the same RunResult counts on a shared browser as on its own', async () => {
    let chromiumInOwnRun = 0;
    const own = await (await orchestratorFor(false)).run({
      suite: 'demo',
      environment: 'local',
      trigger: 'cli',
      onProgress: (p) =>
        void (p.type === 'suite' && p.event.type === 'test' && countChromium(p.runId).then((n) => (chromiumInOwnRun = Math.max(chromiumInOwnRun, n)))),
    });
    assert.equal(own.status, 'passed', own.errorMessage);
    assert.ok(chromiumInOwnRun > 0, 'a run on its own browser has Chromium among its processes (what the shared run must not have)');
    assert.deepEqual(pool.browserPids(), [], 'a suite without browser.shared launches its own');

    const orchestrator = await orchestratorFor(true);
    let chromiumInRun = 0;
    const shared = await orchestrator.run({
      suite: 'demo',
      environment: 'local',
      trigger: 'cli',
      // While a test runs, no Chromium of the run's own: the browser is the shared one.
      onProgress: (p) =>
        void (p.type === 'suite' && p.event.type === 'test' && countChromium(p.runId).then((n) => (chromiumInRun = Math.max(chromiumInRun, n)))),
    });
    assert.equal(shared.status, 'passed', shared.errorMessage);
    assert.deepEqual(shared.tests, own.tests);
    assert.equal(pool.browserPids().length, 1, 'one shared browser is up after the run');
    assert.equal(chromiumInRun, 0, 'the run started no browser of its own');
  });

  test('a shared browser killed mid-run: that run is an error, the next starts a fresh browser and passes', async () => {
    const orchestrator = await orchestratorFor(true);
    const first = await orchestrator.run({ suite: 'demo', environment: 'local', trigger: 'cli' });
    assert.equal(first.status, 'passed', first.errorMessage);
    const [killed] = pool.browserPids();
    assert.ok(killed, 'a shared browser is running');

    let kills = 0;
    const onProgress = (p: RunProgress) => {
      // After the first test ended: the suite is mid-run, with tests still to go.
      if (p.type === 'suite' && p.event.type === 'test' && kills++ === 0) process.kill(killed, 'SIGKILL');
    };
    const broken: RunResult = await orchestrator.run({ suite: 'demo', environment: 'local', trigger: 'cli', onProgress });
    assert.ok(kills > 0, 'the browser was killed during the run');
    assert.equal(broken.status, 'error', `a dead shared browser is a runner fault, not a failed app: ${JSON.stringify(broken.tests)}`);
    assert.equal(broken.errorPhase, 'suite');
    assert.match(broken.errorMessage ?? '', /shared browser/);

    const next = await orchestrator.run({ suite: 'demo', environment: 'local', trigger: 'cli' });
    assert.equal(next.status, 'passed', next.errorMessage);
    assert.deepEqual(next.tests, first.tests);
    const [fresh] = pool.browserPids();
    assert.ok(fresh && fresh !== killed, `a fresh browser (${fresh}) replaced the killed one (${killed})`);
  });
});

async function countChromium(runId: string): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  let n = 0;
  for (const pid of await processesOfRun(runId)) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '');
    if (/chrom/i.test(cmdline.split('\0')[0] ?? '')) n++;
  }
  return n;
}
