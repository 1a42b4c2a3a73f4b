// From alert to cause in one click (issue 13), in a real browser against a real `vigil serve`: a
// scheduled demo run fails on search; its run page lists every test with outcome, duration and
// retries, shows the failing test's error with Playwright's code frame; its trace opens in the trace
// viewer Vigil serves itself (no internet), through the artifacts' read token; the suite page draws
// its charts. Set VIGIL_UI_SCREENSHOTS=<dir> to keep screenshots of the pages.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright';
import type { RunResult } from '../../src/core/index.ts';
import { resolveBrowser } from '../../src/suites/system-browser.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';
import { ask, eventually, newToken, startServe, writeServeConfig, type Served } from '../service/serve-harness.ts';

describe('evidence one click away', { timeout: 300_000 }, () => {
  let e: E2E;
  let s: Served;
  let browser: Browser;
  let failed: RunResult;
  const readToken = newToken();
  const shots = process.env.VIGIL_UI_SCREENSHOTS;
  const shoot = async (page: Page, name: string) => {
    if (shots) await page.screenshot({ path: path.join(shots, name), fullPage: true });
  };

  before(async () => {
    e = await setupE2E();
    e.demo.setFaults({ search: true });
    await writeServeConfig(
      e,
      `
  demo:
    path: ${path.join(repoRoot, 'suites/demo')}
    environments: [local]
    timeout: 3m
    grepInvert: { local: "@payments" }`,
      { readToken: '${VIGIL_API_READ_TOKEN}', timezone: 'UTC', publicURL: 'https://vigil.example.com/' },
    );
    s = await startServe(e, { args: ['--grace', '1s', '--run-now'], env: { VIGIL_API_READ_TOKEN: readToken } });
    const { browser: b } = resolveBrowser({});
    browser = await chromium.launch({ executablePath: b.executablePath, args: b.args });
    failed = await eventually(
      async () => {
        const r = await ask(`${s.url}/api/runs?suite=demo&limit=1`);
        return (r.json.runs as RunResult[])[0];
      },
      'the scheduled demo run',
      180_000,
      1000,
    ).catch((err) => {
      throw new Error(`${(err as Error).message}; vigil serve logged:\n${s.log().slice(-4000)}`);
    });
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
    await e?.close();
  });

  test('the failed run keeps every test with outcome, duration and retries; list() stays light', async () => {
    assert.equal(failed.status, 'failed', JSON.stringify(failed.failures));
    assert.equal(failed.testResults, undefined, 'GET /api/runs leaves the per-test rows out');
    const full = (await ask(`${s.url}/api/runs/${failed.runId}`)).json as unknown as RunResult;
    const tests = full.testResults ?? [];
    assert.ok(tests.length >= 5, `every test that ran is listed (${tests.length})`);
    assert.equal(tests.length, full.tests.total - full.tests.skipped + tests.filter((t) => t.outcome === 'skipped').length);
    const search = tests.find((t) => /search/.test(t.title))!;
    assert.equal(search.outcome, 'failed');
    assert.ok(search.durationMs > 0);
    assert.match(search.snippet ?? '', /search should answer with results/, 'the code frame of the failing line');
    assert.ok(tests.some((t) => t.outcome === 'passed' && t.durationMs > 0));
  });

  test('the run page lists every test and shows the failure with its code frame', async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(`${s.url}/runs/${failed.runId}`);
    const full = (await ask(`${s.url}/api/runs/${failed.runId}`)).json as unknown as RunResult;
    const rows = page.locator('table.tests tbody tr');
    assert.equal(await rows.count(), full.testResults!.length);
    for (const test of full.testResults!) {
      await page.locator('table.tests .test-title').getByText(test.title, { exact: true }).first().waitFor();
    }
    assert.match(await rows.first().innerText(), /failed/, 'failures first');
    assert.match(await page.locator('.failure pre.snippet').first().innerText(), />\s*\d+\s*\|.*search should answer with results/);
    assert.ok((await page.locator('a.open-trace').count()) > 0, 'a trace link into the viewer');
    await shoot(page, 'run-page.png');
  });

  test("the trace opens in Vigil's own trace viewer, showing the failing action", async (t) => {
    const page = await browser.newPage();
    t.after(() => page.close());
    await page.goto(`${s.url}/runs/${failed.runId}`);
    const href = await page.locator('a.open-trace').first().getAttribute('href');
    assert.match(href ?? '', /^\/trace-viewer\/index\.html\?trace=%2Fartifacts%2F/);

    // The viewer is behind the read token like the artifacts.
    const anonymous = await fetch(`${s.url}${href}`);
    assert.equal(anonymous.status, 401);

    // The browser's own Basic authentication, as after its dialog: credentials given once (here for a
    // screenshot of the run, in the URL), then kept by the browser for the realm. The viewer's page and
    // its service worker's fetch of the zip get them from the browser's cache: same origin, same realm.
    const context = await browser.newContext();
    t.after(() => context.close());
    const viewer = await context.newPage();
    const blocked: string[] = [];
    viewer.on('request', (r) => {
      const url = new URL(r.url());
      if (url.protocol.startsWith('http') && url.host !== new URL(s.url).host) blocked.push(r.url());
    });
    const withCredentials = s.url.replace('http://', `http://reader:${readToken}@`);
    const seen: string[] = [];
    viewer.on('console', (m) => seen.push(`console ${m.type()}: ${m.text()}`));
    viewer.on('response', (r) => seen.push(`${r.status()} ${r.url()}`));
    context.on('serviceworker', (w) => seen.push(`service worker ${w.url()}`));
    const links = (await ask(`${s.url}/api/runs/${failed.runId}`)).json.links as { artifacts: Array<{ url: string; kind: string }> };
    const screenshot = links.artifacts.find((a) => a.kind === 'screenshot')!;
    assert.equal((await viewer.goto(`${withCredentials}${screenshot.url}`))?.status(), 200);
    await viewer.goto(`${s.url}${href}`);
    const action = viewer.getByText('search should answer with results').first();
    await action.waitFor({ timeout: 60_000 }).catch(async (err) => {
      await viewer.screenshot({ path: '/tmp/vigil-shots/trace-viewer-failed.png' }).catch(() => {});
      throw new Error(`${(err as Error).message}\n${seen.join('\n')}\n${s.log().slice(-2000)}`);
    });
    await action.click();
    await viewer
      .getByText(/Expected: visible|toBeVisible|element\(s\) not found/)
      .first()
      .waitFor({ timeout: 30_000 });
    assert.deepEqual(blocked, [], 'nothing is fetched from outside Vigil');
    await shoot(viewer, 'trace-viewer.png');
  });

  test('the suite page draws the run durations, per-test durations and the rates as SVG', async (t) => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    t.after(() => page.close());
    await page.goto(`${s.url}/suites/demo/local`);
    const bars = page.locator('#durations svg rect.bar');
    assert.ok((await bars.count()) >= 1);
    assert.equal(await page.locator('#durations svg rect.bar.failed').count(), 1, 'the failed run is red');
    const box = await page.locator('#durations svg').boundingBox();
    assert.ok(box && box.width > 400 && box.height > 80, `the chart is drawn at a readable size: ${JSON.stringify(box)}`);
    const lines = page.locator('#test-durations svg path.series');
    assert.ok((await lines.count()) >= 3, 'one line per test');
    assert.ok((await page.locator('#test-durations svg circle').count()) >= 3);
    assert.match(await page.locator('#rates').innerText(), /availability 24 h[\s\S]*0%/);
    // The bar links to its run.
    await page.locator('#durations svg a').first().click();
    await page.waitForURL(`**/runs/${failed.runId}`);
    await page.goto(`${s.url}/suites/demo/local`);
    await shoot(page, 'suite-page.png');
  });
});
