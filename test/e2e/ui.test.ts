// The run history UI in a real browser: a scheduled run of the demo suite against the demo app with its
// search broken shows up in /api/runs, /metrics, the grid and its run page (with the failing test's
// name); the trigger form asks for the token and never carries it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright';
import type { RunResult } from '../../src/core/index.ts';
import { resolveBrowser } from '../../src/suites/system-browser.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';
import { ask, eventually, metricValue, newToken, quickSuite, startServe, writeServeConfig, type Served } from '../service/serve-harness.ts';

// Fires once, a few seconds from now (then again in an hour): one Chromium run, not one every few seconds.
function cronSoon(inSeconds: number): string {
  const at = new Date(Date.now() + inSeconds * 1000);
  return `${at.getSeconds()} ${at.getMinutes()} * * * *`;
}

describe('run history UI', { timeout: 240_000 }, () => {
  let e: E2E;
  let s: Served;
  let browser: Browser;
  let failed: RunResult;
  const token = newToken();

  before(async () => {
    e = await setupE2E();
    e.demo.setFaults({ search: true });
    await writeServeConfig(
      e,
      `
  demo:
    path: ${path.join(repoRoot, 'suites/demo')}
    environments: [local]
    schedule: "${cronSoon(4)}"
    timeout: 3m
    grepInvert: { local: "@payments" }${quickSuite('quick')}`,
      { token: '${VIGIL_API_TOKEN:-}', timezone: 'UTC' },
    );
    s = await startServe(e, { token, args: ['--grace', '1s'] });
    const { browser: b } = resolveBrowser({});
    browser = await chromium.launch({ executablePath: b.executablePath, args: b.args });
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
    await e?.close();
  });

  test('the scheduled demo run fails on search, and shows in /api/runs and /metrics', async () => {
    failed = await eventually(
      async () => {
        const r = await ask(`${s.url}/api/runs?suite=demo&limit=1`);
        return (r.json.runs as RunResult[])[0];
      },
      'the scheduled demo run',
      150_000,
      1000,
    );
    assert.equal(failed.trigger, 'schedule');
    assert.equal(failed.status, 'failed', JSON.stringify(failed.failures));
    assert.ok(
      failed.failures.some((f) => /search/i.test(f.title)),
      failed.failures.map((f) => f.title).join('; '),
    );
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'vigil_runs_total', { suite: 'demo', environment: 'local', status: 'failed' }), 1);
    assert.equal(metricValue(metrics, 'probe_success', { suite: 'demo', environment: 'local' }), 0);
  });

  test('the grid links the red cell to the run page, which names the failing test and its error', async (t) => {
    assert.ok(failed, 'needs the failed run');
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(s.url);
    await page.getByRole('link', { name: 'demo', exact: true }).waitFor();
    await page.locator(`a.cell.failed[href="/runs/${failed.runId}"]`).click();
    await page.waitForURL(`**/runs/${failed.runId}`);
    const failure = failed.failures.find((f) => /search/i.test(f.title))!;
    await page.getByText(failure.title, { exact: true }).waitFor();
    assert.match(await page.locator('h1').innerText(), /demo on local\s+failed/);
    assert.match(await page.locator('.failure .muted').first().innerText(), new RegExp(`${failure.file.replace(/[.]/g, '\\.')}:${failure.line}`));
    assert.ok((await page.locator('.failure pre').first().innerText()).length > 0, 'the error is shown');
    assert.ok((await page.locator('a[href^="/artifacts/"]').count()) > 0, 'artifacts are linked');
    // The demo keeps its signed-in storage state in .auth/: session cookies are never offered.
    assert.equal(await page.locator('a[href*="/.auth/"]').count(), 0);
    if (process.env.VIGIL_UI_SCREENSHOTS) {
      await page.screenshot({ path: path.join(process.env.VIGIL_UI_SCREENSHOTS, 'run.png'), fullPage: true });
      await page.goto(s.url);
      await page.screenshot({ path: path.join(process.env.VIGIL_UI_SCREENSHOTS, 'grid.png'), fullPage: true });
    }
  });

  test('the trigger form needs the token typed in; the page never carries it', async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(`${s.url}/suites/quick/local`);
    assert.ok(!(await page.content()).includes(token), 'the token is not in the page');
    await page.getByLabel('API token').fill('not-the-token');
    await page.getByRole('button', { name: 'Run quick now' }).click();
    await page.getByText('the API token is wrong').waitFor();

    await page.goto(`${s.url}/suites/quick/local`);
    await page.getByLabel('API token').fill(token);
    await page.getByRole('button', { name: 'Run quick now' }).click();
    await page.waitForURL(/\/runs\/[A-Za-z0-9_-]+$/);
    const runId = page.url().split('/').pop()!;
    const done = await eventually(
      async () => {
        const r = await ask(`${s.url}/api/runs/${runId}`);
        return r.json.state === 'finished' ? r.json : undefined;
      },
      'the triggered run',
      60_000,
      500,
    );
    assert.equal(done.status, 'passed');
    await page.goto(`${s.url}/runs/${runId}`);
    assert.match(await page.locator('h1').innerText(), /quick on local\s+passed/);
  });
});
