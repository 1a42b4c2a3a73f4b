// Scheduled scenarios on demand (docs/service.md, "Scheduled scenarios"), on one real example stack and
// a real `vigil serve` whose crons do not fire during the test: the API fires member-loss now (202, a
// second fire while it runs is 409 naming it), its stored run carries trigger "manual" and its judged
// state; the Scenarios page in a real Chromium shows the schedule, the entry's page the time to detect
// per Then as a chart, and its Run now form asks for the token; `vigil gate --scenario` exits 0 for
// member-loss and 2 for a member loss made unnoticeable (through serve), and 0 for the negative control
// run here (@expected-to-fail, failed as designed).
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright';
import { startStack, type Stack } from '../../demo/stack/index.ts';
import { resolveBrowser } from '../../src/suites/system-browser.ts';
import { browserYaml } from '../helpers/e2e-setup.ts';
import { stackSkip } from '../helpers/stack-processes.ts';
import { writeUnnoticedLoss } from '../helpers/scenario-files.ts';
import { repoRoot, runVigil, spawnVigil } from '../helpers/vigil-cli.ts';
import { ask, eventually, newToken } from '../service/serve-harness.ts';

interface Fire {
  state: string;
  judged?: number;
  line?: string;
  runs: Array<{ id: string; scenario: string; status: string; state: number }>;
}

describe('scheduled scenarios on demand: API, UI, vigil gate --scenario (example stack)', { skip: stackSkip(), timeout: 600_000 }, () => {
  let stack: Stack;
  let config: string;
  let serve: ReturnType<typeof spawnVigil>;
  let url: string;
  let browser: Browser;
  let log = '';
  const token = newToken();
  const fireOf = (id: string) =>
    eventually(
      async () => {
        const r = await ask(`${url}/api/scenarios/fires/${id}`);
        assert.equal(r.status, 200, JSON.stringify(r.json));
        return r.json.state === 'finished' ? (r.json as unknown as Fire) : undefined;
      },
      `fire ${id} finished (serve's log:\n${log.slice(-2000)})`,
      200_000,
      1_000,
    );
  const idle = () =>
    eventually(
      async () => {
        const r = await ask(`${url}/api/scenarios/schedule`);
        return (r.json.schedule as Array<{ running?: unknown }>).every((e) => !e.running) ? true : undefined;
      },
      'no scheduled scenario running',
      200_000,
      1_000,
    );

  before(async () => {
    stack = await startStack({ members: 3, passive: ['scenario-member-loss', 'scenario-unnoticed-loss'] });
    config = await stack.writeVigilYaml({ browser: browserYaml() || undefined, suite: false });
    await writeUnnoticedLoss(stack.dir);
    // New Year's midnight only: every fire in this test is asked for.
    await appendFile(
      config,
      `  schedule:
    member-loss:
      file: ${join(repoRoot, 'scenarios', 'member-loss.feature')}
      schedule: "0 0 1 1 *"
      destructive: true
      environments: [stack]
      nagios: { host: vigil, service: scenario-member-loss }
    unnoticed-loss:
      file: unnoticed-loss.feature
      schedule: "0 0 1 1 *"
      destructive: true
      environments: [stack]
      nagios: { host: vigil, service: scenario-unnoticed-loss }
    negative-control:
      file: ${join(repoRoot, 'scenarios', 'negative-control.feature')}
      schedule: "0 0 1 1 *"
      destructive: true
      environments: [stack]
api:
  token: "\${VIGIL_API_TOKEN}"
exporters:
  nagios:
    commandFile: ${stack.nagios.commandFile}
`,
    );
    serve = spawnVigil(['serve', '--config', config, '--listen', '127.0.0.1:0', '--grace', '60s'], {
      env: { DEMO_ADMIN_TOKEN: stack.adminToken, VIGIL_API_TOKEN: token, VIGIL_LOG_FORMAT: 'json' },
    });
    serve.stderr!.on('data', (d: Buffer | string) => (log += d.toString()));
    url = await eventually(async () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(log)?.[1], `vigil serving (log:\n${log.slice(-2000)})`, 60_000);
    const { browser: b } = resolveBrowser({});
    browser = await chromium.launch({ executablePath: b.executablePath, args: b.args });
  });
  after(async () => {
    await browser?.close();
    if (serve && serve.exitCode === null && serve.signalCode === null) {
      serve.kill('SIGTERM');
      const killer = setTimeout(() => serve.kill('SIGKILL'), 70_000);
      await serve.done.finally(() => clearTimeout(killer));
    }
    await stack?.stop();
  });

  it('POST …/member-loss/run: 202 with a fire id; a second fire while it runs is 409 naming it; the stored run says trigger manual, judged OK', async (t) => {
    const listed = await ask(`${url}/api/scenarios/schedule`);
    const entries = listed.json.schedule as Array<{ name: string; cron: string; nextFire?: string; nagios?: { service: string }; last: unknown }>;
    assert.deepEqual(
      entries.map((e) => e.name),
      ['member-loss', 'unnoticed-loss', 'negative-control'],
    );
    assert.equal(entries[0].cron, '0 0 1 1 *');
    assert.match(entries[0].nextFire ?? '', /^\d{4}-01-01T/);
    assert.equal(entries[0].nagios?.service, 'scenario-member-loss');

    assert.equal((await ask(`${url}/api/scenarios/schedule/member-loss/run`, { method: 'POST' })).status, 401, 'no token, no destroy');
    assert.equal((await ask(`${url}/api/scenarios/schedule/member-loss/run`, { method: 'POST', token: 'wrong' })).status, 401);
    const unknown = await ask(`${url}/api/scenarios/schedule/reboot/run`, { method: 'POST', token });
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.json.error), /no scheduled scenario "reboot" \(scenarios\.schedule has: member-loss, unnoticed-loss, negative-control\)/);

    const started = await ask(`${url}/api/scenarios/schedule/member-loss/run`, { method: 'POST', token });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const fireId = String(started.json.fireId);
    assert.equal((started.json.links as { self: string }).self, `/api/scenarios/fires/${fireId}`);
    const second = await ask(`${url}/api/scenarios/schedule/unnoticed-loss/run`, { method: 'POST', token });
    assert.equal(second.status, 409, JSON.stringify(second.json));
    assert.equal(second.json.running, 'member-loss');
    assert.equal(second.json.fireId, fireId);
    const running = (await ask(`${url}/api/scenarios/schedule`)).json.schedule as Array<{ name: string; running?: { fireId: string; trigger: string } }>;
    assert.deepEqual(running[0].running && { fireId: running[0].running.fireId, trigger: running[0].running.trigger }, { fireId, trigger: 'manual' });

    const fire = await fireOf(fireId);
    assert.equal(fire.judged, 0, JSON.stringify(fire));
    assert.deepEqual(
      fire.runs.map((r) => [r.scenario, r.status, r.state]),
      [['one app member is destroyed', 'passed', 0]],
    );
    const stored = (
      (await ask(`${url}/api/scenarios?scenario=${encodeURIComponent('one app member is destroyed')}`)).json.runs as Array<{
        id: string;
        result: { fire?: { trigger: string; schedule: string; id: string } };
      }>
    )[0];
    assert.equal(stored.id, fire.runs[0].id);
    assert.deepEqual(stored.result.fire && [stored.result.fire.schedule, stored.result.fire.trigger, stored.result.fire.id], ['member-loss', 'manual', fireId]);
    const after = (await ask(`${url}/api/scenarios/schedule`)).json.schedule as Array<{ last: { fireId: string; state: number; trigger: string } | null }>;
    assert.deepEqual(after[0].last && [after[0].last.fireId, after[0].last.state, after[0].last.trigger], [fireId, 0, 'manual']);
    t.diagnostic(`manual fire ${fireId}: ${fire.line}`);
  });

  it('the Scenarios page shows the schedule; the entry page charts the time to detect per Then; Run now asks for the token', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${url}/scenarios`);
      const rows = page.locator('#schedule tbody tr');
      assert.equal(await rows.count(), 3);
      assert.match(await rows.nth(0).innerText(), /member-loss[\s\S]*0 0 1 1 \*[\s\S]*vigil!scenario-member-loss[\s\S]*OK[\s\S]*manual/);
      await rows.nth(0).getByRole('link', { name: 'member-loss', exact: true }).click();
      await page.waitForURL('**/scenarios/schedule/member-loss');
      const chart = page.locator('#time-to-detect svg.chart');
      assert.match(String(await chart.getAttribute('aria-label')), /Time to detect of each Then/);
      assert.ok((await chart.locator('circle').count()) >= 2, 'a point per Then of the run');
      // One scenario in the file: each line is named by its Then alone (the legend has room for it).
      assert.match(await chart.innerHTML(), /<title>Then within 2m the member "app-0" is all red: /);
      assert.doesNotMatch(await chart.innerHTML(), /one app member is destroyed ›/);
      assert.match(await page.locator('h2', { hasText: 'Time to detect per Then' }).innerText(), /over the last \d+ runs?$/);
      assert.match(await page.locator('#runs').innerText(), /OK[\s\S]*passed[\s\S]*one app member is destroyed[\s\S]*manual/);

      // Run now: a wrong token is refused, naming what to use; the right one starts it.
      await page.goto(`${url}/scenarios/schedule/unnoticed-loss`);
      await page.getByLabel('API token').fill('not-the-token');
      await page.getByRole('button', { name: 'Run unnoticed-loss now' }).click();
      await page.getByText('the API token is wrong').waitFor();
      await page.goto(`${url}/scenarios/schedule/unnoticed-loss`);
      await page.getByLabel('API token').fill(token);
      await page.getByRole('button', { name: 'Run unnoticed-loss now' }).click();
      await page.waitForURL('**/scenarios/schedule/unnoticed-loss');
      assert.match(await page.locator('dl').innerText(), /Now\s+running manual/);
      assert.doesNotMatch(await page.content(), new RegExp(token), 'the page never carries the token');
    } finally {
      await page.close();
    }
    await idle();
  });

  it('vigil gate --scenario through serve: member-loss exit 0, the unnoticed loss exit 2 (JUnit failure); the negative control run here exit 0', async (t) => {
    const env = { DEMO_ADMIN_TOKEN: stack.adminToken, VIGIL_API_TOKEN: token };
    const ok = await runVigil(['gate', '-e', 'stack', '--server', url, '--scenario', 'member-loss', '--json'], { env, timeoutMs: 240_000 });
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const okJson = JSON.parse(ok.stdout) as {
      exitCode: number;
      results: unknown[];
      scenarios: Array<{ schedule: string; exitCode: number; runs: Array<{ link: string }> }>;
    };
    assert.deepEqual(okJson.results, [], 'no suite unasked');
    assert.deepEqual(
      okJson.scenarios.map((s) => [s.schedule, s.exitCode]),
      [['member-loss', 0]],
    );
    assert.match(okJson.scenarios[0].runs[0].link, new RegExp(`^${url}/scenarios/`));

    const junit = join(stack.dir, 'gate.xml');
    const missed = await runVigil(['gate', '-e', 'stack', '--server', url, '--scenario', 'unnoticed-loss', '--junit', junit], { env, timeoutMs: 240_000 });
    assert.equal(missed.code, 2, missed.stdout + missed.stderr);
    assert.match(
      missed.stdout,
      /SCENARIO unnoticed-loss: CRITICAL - app-0 is destroyed while its HTTP check is disabled: the monitoring did not notice: Then within 15s/,
    );
    assert.match(missed.stdout, /gate stack: FAILED \(0 suites \+ scenario unnoticed-loss, exit 2\)/);
    const xml = await readFile(junit, 'utf8');
    assert.match(xml, /<testcase classname="vigil\.stack" name="scenario unnoticed-loss"[^>]*>\s*<failure message="SCENARIO unnoticed-loss: CRITICAL/);

    const local = await runVigil(['gate', '-e', 'stack', '--config', config, '--scenario', 'negative-control'], { env, timeoutMs: 240_000 });
    assert.equal(local.code, 0, local.stdout + local.stderr);
    assert.match(local.stdout, /SCENARIO negative-control: OK - app-0 is destroyed while its HTTP check is disabled: failed as designed \(@expected-to-fail\)/);
    t.diagnostic(missed.stdout.trim());
    t.diagnostic(local.stdout.trim());
  });
});
