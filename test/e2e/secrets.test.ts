// Secrets that must not leave: the tenant's password is not in any archive a failed run keeps,
// kept artifacts are served only to a request with a token once one is configured, and Vigil's own
// credentials never reach the suite's processes. The real CLI, the demo app, its Playwright suite in
// a real Chromium, a real `vigil serve`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApiServer } from '../../src/api/server.ts';
import type { RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { listFiles, setupE2E, startRecordingProxy, type E2E } from '../helpers/e2e-setup.ts';
import { repoRoot, runVigil, spawnVigil } from '../helpers/vigil-cli.ts';
import { zipEntries } from '../helpers/zip-entries.ts';
import { ask, newToken, quickSuite, startServe, writeServeConfig, type Served } from '../service/serve-harness.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe('a failed run keeps no secret in its artifacts', { timeout: 240_000 }, () => {
  let e: E2E;
  before(async () => {
    e = await setupE2E();
  });
  after(async () => {
    await e?.close();
  });

  test('the tenant password the provisioner returned is in no file and no zip entry of the kept folder', async () => {
    // The admin calls go through a recording proxy so the test knows the tenant's real password.
    const proxy = await startRecordingProxy(e.demoUrl);
    try {
      await e.writeConfig({ tenantApi: proxy.url });
      // Signing in times out: the setup project fails after typing the password, and its traces are kept.
      e.demo.setFaults({ loginSlowMs: 15_000 });
      const r = await runVigil(['run', '--config', e.configFile, '--suite', 'demo', '--environment', 'local', '--json'], { env: e.env });
      const result = JSON.parse(r.stdout) as RunResult;
      assert.equal(result.status, 'failed', r.stderr);
      const created = proxy.bodies.map((b) => JSON.parse(b)).find((b) => b?.owner?.password);
      assert.ok(created, 'the recording proxy saw the tenant being created');
      const secrets: Record<string, string> = { 'tenant password': created.owner.password, 'admin token': e.adminToken };

      const files = await listFiles(result.artifactsDir!);
      const traces = files.filter((f) => f.endsWith('trace.zip'));
      assert.ok(traces.length > 0, `the failed setup kept a trace: ${files.join(', ')}`);
      let filled = 0;
      for (const file of files) {
        const places = file.endsWith('.zip')
          ? (await zipEntries(file)).map((x) => ({ where: `${file}!${x.name}`, text: x.data.toString('latin1') }))
          : [{ where: file, text: await readFile(file, 'latin1') }];
        for (const { where, text } of places) {
          for (const [name, secret] of Object.entries(secrets))
            assert.ok(!text.includes(secret), `${name} leaked into ${path.relative(result.artifactsDir!, where)}`);
          if (/Fill \\"\*\*\*\\"/.test(text)) filled++;
        }
      }
      assert.ok(filled > 0, 'the trace still records the fill action, with the value masked');
    } finally {
      e.demo.setFaults({ loginSlowMs: 0 });
      await proxy.close();
      await e.writeConfig();
    }
  });
});

describe('vigil serve: kept artifacts need a token when one is configured', { timeout: 180_000 }, () => {
  let e: E2E;
  let s: Served;
  const token = newToken();
  const readToken = newToken();
  let run: { runId: string; artifact: string; bytes: Buffer };
  const get = (url: string, authorization?: string, method = 'GET') => fetch(url, { method, headers: authorization ? { authorization } : {} });
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

  before(async () => {
    e = await setupE2E();
    await writeServeConfig(e, quickSuite('broken', { fail: true }), { token: '${VIGIL_API_TOKEN:-}', readToken: '${VIGIL_READ_TOKEN}' });
    s = await startServe(e, { token, env: { VIGIL_READ_TOKEN: readToken } });
    const r = await ask(`${s.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'broken', environment: 'local', wait: true }) });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const links = r.json.links as { artifacts: Array<{ name: string; url: string }> };
    const trace = links.artifacts.find((a) => a.name.endsWith('trace.zip'));
    assert.ok(trace, `the failed run kept a trace: ${JSON.stringify(links.artifacts)}`);
    run = {
      runId: String(r.json.runId),
      artifact: `${s.url}${trace.url}`,
      bytes: await readFile(path.join(e.dir, 'artifacts', String(r.json.runId), trace.name)),
    };
  });
  after(async () => {
    await s?.stop();
    await e?.close();
  });

  test('without a token, or with a wrong one, an artifact is refused with 401 and a challenge a browser answers', async () => {
    for (const [what, authorization, method] of [
      ['no Authorization', undefined, 'GET'],
      ['no Authorization (HEAD)', undefined, 'HEAD'],
      ['a wrong bearer token', `Bearer ${readToken}x`, 'GET'],
      ['a wrong Basic password', basic('ops', `${token}x`), 'GET'],
      ['the token as Basic user name', basic(readToken, ''), 'GET'],
    ] as const) {
      const res = await get(run.artifact, authorization, method);
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(res.status, 401, `${what} → ${res.status}`);
      assert.ok(!body.includes(run.bytes.subarray(0, 64)), `${what}: no byte of the file`);
      assert.match(res.headers.get('www-authenticate') ?? '', /Basic realm="Vigil artifacts"/, what);
    }
    const unknownRun = await get(`${s.url}/artifacts/nosuchrun/trace.zip`);
    assert.equal(unknownRun.status, 401, 'refused before saying whether a run exists');
  });

  test('the read token, the trigger token (Bearer) and Basic with the token as password are served the file', async () => {
    for (const authorization of [`Bearer ${readToken}`, `Bearer ${token}`, basic('anyone', readToken), basic('', token)]) {
      const res = await get(run.artifact, authorization);
      assert.equal(res.status, 200, authorization.split(' ')[0]);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(run.bytes), 'the kept file, as it is on disk');
    }
  });

  test('the read token cannot trigger a run', async () => {
    const r = await ask(`${s.url}/api/runs`, { method: 'POST', token: readToken, body: JSON.stringify({ suite: 'broken', environment: 'local' }) });
    assert.equal(r.status, 401);
  });

  test('health, metrics, run history and the UI stay public; the run page says the files need a token; no token is logged', async () => {
    for (const p of ['/healthz', '/readyz', '/metrics', '/api/runs', `/api/runs/${run.runId}`, '/api/suites', '/', `/runs/${run.runId}`]) {
      assert.equal((await get(`${s.url}${p}`)).status, 200, p);
    }
    const page = await (await get(`${s.url}/runs/${run.runId}`)).text();
    assert.match(page, /Traces, screenshots and reports need a token/);
    assert.ok(!page.includes(readToken) && !page.includes(token));
    assert.match(s.log(), /"artifacts":"token required"/);
    assert.ok(!s.log().includes(readToken) && !s.log().includes(token), 'no token in the log');
  });

  test('with only api.token set it guards the artifacts; with no token at all they are public', async (t) => {
    const store = await openStore(e.storeFile);
    t.after(() => store.close());
    const artifactsDir = path.join(e.dir, 'artifacts');
    const pathname = new URL(run.artifact).pathname;
    const triggerOnly = await createApiServer({ store, listen: '127.0.0.1:0', log: quiet, artifactsDir, token });
    const open = await createApiServer({ store, listen: '127.0.0.1:0', log: quiet, artifactsDir });
    t.after(() => Promise.all([triggerOnly.close(), open.close()]));
    assert.equal((await get(`${triggerOnly.url}${pathname}`)).status, 401);
    assert.equal((await get(`${triggerOnly.url}${pathname}`, `Bearer ${token}`)).status, 200);
    assert.equal((await get(`${open.url}${pathname}`)).status, 200);
  });
});

describe("the suite's processes never see Vigil's own secrets", { timeout: 180_000 }, () => {
  let e: E2E;
  before(async () => {
    e = await setupE2E();
  });
  after(async () => {
    await e?.close();
  });

  test('variables the config read for exporters, tenants and api are withheld; one passed through suites.env arrives', async () => {
    const marker = randomBytes(8).toString('hex');
    await e.writeConfig({
      suite: `
  demo:
    path: ${path.join(repoRoot, 'suites/demo')}
    environments: [local]
    timeout: 3m
    grepInvert: { local: "@payments" }
    env: { SECRETS_TEST_MARKER: "${marker}", DEMO_ADMIN_TOKEN: "\${DEMO_ADMIN_TOKEN}" }`,
      exporters: `
  nagios:
    timeout: 2s
    nsca: { host: 127.0.0.1, port: 1, encryption: xor, password: "\${NSCA_PASSWORD}" }
    icinga2: { url: "https://127.0.0.1:1", user: vigil, password: "\${ICINGA_PASSWORD}" }`,
    });
    await appendFile(e.configFile, 'api:\n  token: "${OPS_TRIGGER_TOKEN}"\n');
    const vigilOnly = { NSCA_PASSWORD: `nsca-${newToken()}`, ICINGA_PASSWORD: `icinga-${newToken()}`, OPS_TRIGGER_TOKEN: newToken() };
    const child = spawnVigil(['run', '--config', e.configFile, '--suite', 'demo', '--environment', 'local', '--json'], {
      env: { ...e.env, ...vigilOnly, UNRELATED_SETTING: 'plain-value' },
    });
    // Read the environment of every process of the run (Playwright's runner, its workers, Chromium) while it runs.
    const seen = new Map<number, { cmdline: string; env: Map<string, string> }>();
    let finished = false;
    const done = child.done.finally(() => (finished = true));
    while (!finished) {
      for (const [pid, p] of await processesWith(`SECRETS_TEST_MARKER=${marker}`)) seen.set(pid, p);
      await new Promise((r) => setTimeout(r, 200));
    }
    const r = await done;
    assert.equal(r.code, 0, `the run passed (exporters that cannot deliver do not change that): ${r.stderr}`);

    assert.ok(
      [...seen.values()].some((p) => /playwright/.test(p.cmdline)),
      `the Playwright process was seen: ${[...seen.values()].map((p) => p.cmdline).join('\n')}`,
    );
    for (const [pid, { cmdline, env }] of seen) {
      const what = `pid ${pid} (${cmdline.slice(0, 80)})`;
      for (const [name, value] of Object.entries(vigilOnly)) {
        assert.ok(!env.has(name), `${name} reached ${what}`);
        assert.ok(![...env.values()].includes(value), `the value of ${name} reached ${what}`);
      }
      assert.equal(env.get('DEMO_ADMIN_TOKEN'), e.adminToken, `suites.demo.env passes DEMO_ADMIN_TOKEN on to ${what}`);
      assert.equal(env.get('UNRELATED_SETTING'), 'plain-value', `the rest of the host environment reaches ${what}`);
    }
  });
});

/** Live processes whose environment holds `needle` (NAME=value), with their command line and environment. */
async function processesWith(needle: string): Promise<Map<number, { cmdline: string; env: Map<string, string> }>> {
  const { readdir } = await import('node:fs/promises');
  const found = new Map<number, { cmdline: string; env: Map<string, string> }>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const vars = (await readFile(`/proc/${entry}/environ`, 'utf8')).split('\0').filter(Boolean);
      if (!vars.includes(needle)) continue;
      const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      found.set(Number(entry), { cmdline, env: new Map(vars.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)])) });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}
