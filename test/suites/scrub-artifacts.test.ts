// Kept artifacts are scrubbed of known secrets in every encoding a trace stores them in, and the
// scrubbed trace still opens in Playwright's trace viewer. A real suite in a real Chromium types a
// password full of characters that get escaped (quotes, +, space, &, <, backslash, %, non-ASCII)
// into a form, posts it, sends it as JSON and shows it on the page, then fails so its trace is kept.
// The inline app's page declares no charset, so the browser posts the form in windows-1252 (`é` as
// `%E9`) and the trace decodes it with U+FFFD: the legacy-charset case is covered too.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright';
import { createRedactor } from '../../src/shared/redact.ts';
import { scrubArtifacts } from '../../src/suites/index.ts';
import { zipEntries } from '../helpers/zip-entries.ts';
import { CHROMIUM, repoRoot, run, startApp, writeProject, type App, type InlineProject } from './inline-project.ts';

// Pieces that survive every encoding (letters and digits are never escaped): if any is left in
// any file, some form of the password was missed.
const PIECES = ['Qx7Rv2', 'Zk8Lm', 'Wp4Tn', 'Hj5Ys'];
const PASSWORD = `${PIECES[0]}" +&<b>${PIECES[1]}'\\${PIECES[2]}%41/é?=${PIECES[3]}`;

const SPEC = `
import { test, expect } from '@playwright/test';
test('signs in', async ({ page }) => {
  const password = process.env.VIGIL_TENANT_PASSWORD;
  await page.goto('/');
  await page.setContent('<form method="post" action="/login"><label>Password <input type="password" name="password"></label><button>Log in</button></form><p id="echo"></p>');
  await page.getByLabel('Password').fill(password);
  await page.evaluate(async (pw) => {
    document.getElementById('echo').textContent = pw;
    await fetch('/api/session?password=' + encodeURIComponent(pw), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ password: pw }) });
  }, password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.locator('h1')).toHaveText('Welcome', { timeout: 500 });
});
`;

const MEDIA = /\.(png|jpe?g|webm)$/i;
const filesUnder = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.join(d.parentPath, d.name));

/** Every text place of the kept artifacts: each zip entry, each other file; images left out. */
async function textPlaces(dir: string): Promise<Array<{ where: string; text: string }>> {
  const places: Array<{ where: string; text: string }> = [];
  for (const file of filesUnder(dir)) {
    if (MEDIA.test(file)) continue;
    if (!file.endsWith('.zip')) {
      places.push({ where: file, text: readFileSync(file).toString('latin1') });
      continue;
    }
    for (const { name, data } of await zipEntries(file)) {
      if (!MEDIA.test(name)) places.push({ where: `${file}!${name}`, text: data.toString('latin1') });
    }
  }
  return places;
}

const leftovers = async (dir: string) =>
  (await textPlaces(dir)).flatMap(({ where, text }) => PIECES.filter((p) => text.includes(p)).map((p) => `${p} in ${path.relative(dir, where)}`));

/** Opens the trace in `playwright show-trace` and reads the action list the way a person would. */
async function actionsShownByTraceViewer(trace: string): Promise<string> {
  const cli = path.join(repoRoot, 'node_modules/playwright/cli.js');
  // PWTEST_UNDER_TEST: serve the viewer without asking the desktop to open a browser tab.
  const viewer = spawn(process.execPath, [cli, 'show-trace', '--host', '127.0.0.1', '--port', '0', trace], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PWTEST_UNDER_TEST: '1' },
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      viewer.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /Listening on (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      viewer.once('exit', (code) => reject(new Error(`show-trace exited ${code}: ${out}`)));
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM.executablePath, args: CHROMIUM.args });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page
        .getByText(/^Fill /)
        .first()
        .waitFor({ timeout: 20_000 });
      return await page.locator('body').innerText();
    } finally {
      await browser.close();
    }
  } finally {
    viewer.kill();
  }
}

describe('kept artifacts are scrubbed of secrets', { timeout: 180_000 }, () => {
  let app: App;
  let project: InlineProject;
  before(async () => {
    app = await startApp();
    project = writeProject({ 'playwright.config.mjs': 'export default { workers: 1 };', 'login.spec.mjs': SPEC });
    const outcome = await run(project, app, { env: { VIGIL_TENANT_PASSWORD: PASSWORD } });
    assert.equal(outcome.tests.failed, 1, 'the suite fails, so Playwright keeps its trace');
  });
  after(async () => {
    project?.cleanup();
    await app?.close();
  });

  it('leaves no form of the password in any file or zip entry, and keeps names, order and images', async () => {
    const traces = filesUnder(project.outputDir).filter((f) => f.endsWith('trace.zip'));
    assert.equal(traces.length, 1, `one kept trace: ${filesUnder(project.outputDir)}`);
    const before = await leftovers(project.outputDir);
    // The fixture must really leak, escaped, or this test would prove nothing.
    assert.ok(before.length > 0, 'Playwright wrote the password into the kept files');
    const raw = (await textPlaces(project.outputDir)).map((p) => p.text).join('\n');
    assert.ok(raw.includes(`${PIECES[0]}%22+%2B%26%3Cb%3E${PIECES[1]}`), 'the posted form is kept, form-encoded');
    assert.ok(raw.includes(`${PIECES[0]}%22%20%2B%26%3Cb%3E${PIECES[1]}`), 'the request URL is kept, percent-encoded');
    assert.ok(raw.includes(`${PIECES[0]}\\" +&<b>${PIECES[1]}'\\\\${PIECES[2]}`), 'the fill value and snapshots are kept, JSON-escaped');
    const entriesBefore = await zipEntries(traces[0]);

    const report = await scrubArtifacts(project.outputDir, createRedactor([PASSWORD]));

    assert.deepEqual(await leftovers(project.outputDir), [], 'no piece of the password is left anywhere');
    assert.ok(report.rewritten.includes(traces[0]), `the trace was rewritten: ${JSON.stringify(report)}`);
    assert.deepEqual(report.removed, []);
    const entriesAfter = await zipEntries(traces[0]);
    assert.deepEqual(
      entriesAfter.map((e) => e.name),
      entriesBefore.map((e) => e.name),
      'same entry names, same order',
    );
    const media = entriesBefore.filter((e) => MEDIA.test(e.name));
    assert.ok(media.length > 0, 'the trace has screencast frames');
    for (const { name, data } of media) {
      assert.ok(entriesAfter.find((e) => e.name === name)!.data.equals(data), `${name} is copied as it was`);
    }
    for (const { name, data } of entriesAfter) {
      if (!/\.(trace|network|stacks)$/.test(name)) continue;
      for (const line of data.toString('utf8').split('\n').filter(Boolean)) {
        assert.doesNotThrow(() => JSON.parse(line), `${name} is still JSON lines: ${line.slice(0, 200)}`);
      }
    }
  });

  it('the scrubbed trace still opens in the trace viewer, showing the mask where the password was typed', async () => {
    const trace = filesUnder(project.outputDir).find((f) => f.endsWith('trace.zip'))!;
    await scrubArtifacts(project.outputDir, createRedactor([PASSWORD]));
    const shown = await actionsShownByTraceViewer(trace);
    assert.match(shown, /Fill "\*\*\*"/);
    for (const piece of PIECES) assert.ok(!shown.includes(piece), `${piece} shown by the viewer`);
  });

  it('deletes an archive it cannot read rather than keep what it may hold in clear, and scrubs loose text files', async () => {
    const dir = path.join(project.root, 'loose');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    const broken = path.join(dir, 'trace.zip');
    const real = readFileSync(filesUnder(project.outputDir).find((f) => f.endsWith('trace.zip'))!);
    // A trace cut short (the run was killed while Playwright wrote it), with the password stored in clear.
    writeFileSync(broken, Buffer.concat([real.subarray(0, 200), Buffer.from(`stored ${PASSWORD}`)]));
    const context = path.join(dir, 'error-context.md');
    writeFileSync(context, `# Page snapshot\n- textbox "Password": ${PASSWORD}\n`);
    const untouched = path.join(dir, 'notes.txt');
    writeFileSync(untouched, 'nothing secret here\n');

    const report = await scrubArtifacts(dir, createRedactor([PASSWORD]));

    assert.deepEqual(
      report.removed.map((r) => r.file),
      [broken],
    );
    assert.deepEqual(filesUnder(dir).sort(), [context, untouched].sort());
    assert.equal(readFileSync(context, 'utf8'), '# Page snapshot\n- textbox "Password": ***\n');
    assert.deepEqual(report.rewritten, [context], 'a file without a secret is not rewritten');
  });
});
