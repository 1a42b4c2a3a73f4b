// The HTTP API of a real `vigil serve`, as a deploy pipeline and an operator use it: one served instance
// for every spec here (quick browserless suites), plus an in-process API without a token.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApiServer } from '../../src/api/server.ts';
import type { RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { ask, eventually, newToken, quickSuite, startServe, writeServeConfig, type Served } from './serve-harness.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe('vigil serve: HTTP API', { timeout: 180_000 }, () => {
  let e: E2E;
  let s: Served;
  const token = newToken();
  const post = (body: unknown, t: string | undefined = token) =>
    ask(`${s.url}/api/runs`, { method: 'POST', token: t, body: typeof body === 'string' ? body : JSON.stringify(body) });

  before(async () => {
    e = await setupE2E();
    await writeServeConfig(
      e,
      quickSuite('quick') +
        quickSuite('broken', { fail: true }) +
        quickSuite('slow-a', { sleepMs: 4000 }) +
        quickSuite('slow-b', { sleepMs: 4000 }) +
        quickSuite('slow-c', { sleepMs: 4000 }),
      { token: '${VIGIL_API_TOKEN:-}', concurrency: 1, maxQueue: 1 },
    );
    s = await startServe(e, { token });
  });
  after(async () => {
    await s?.stop();
    await e?.close();
  });

  test('healthz and readyz answer while serving', async () => {
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    const ready = await ask(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.json, { ready: true, checks: { store: 'ok', scheduler: 'running' } });
  });

  test('triggering needs the bearer token: missing or wrong → 401 JSON, and the token never echoes', async () => {
    const missing = await post({ suite: 'quick', environment: 'local' }, '');
    assert.equal(missing.status, 401);
    assert.match(String(missing.json.error), /Authorization: Bearer/);
    const wrong = await post({ suite: 'quick', environment: 'local' }, `${token}x`);
    assert.equal(wrong.status, 401);
    assert.match(String(wrong.json.error), /token is wrong/);
    assert.ok(!JSON.stringify(wrong.json).includes(token));
  });

  test('wait: true answers with the RunResult and its links; the failure is in it', async () => {
    const r = await post({ suite: 'broken', environment: 'local', wait: true });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const run = r.json as unknown as RunResult & { links: { page: string; self: string } };
    assert.equal(run.status, 'failed');
    assert.equal(run.trigger, 'api');
    assert.equal(run.failures[0].title, 'answers quickly');
    assert.equal(run.links.page, `/runs/${run.runId}`);
    const again = await ask(`${s.url}/api/runs/${run.runId}`);
    assert.equal(again.json.status, 'failed');
    const listed = await ask(`${s.url}/api/runs?suite=broken&status=failed&limit=5`);
    assert.deepEqual(
      (listed.json.runs as RunResult[]).map((x) => x.runId),
      [run.runId],
    );
  });

  test('202 with a run id that answers at once; the same suite again → 409 naming the running id; a full queue → 429', async () => {
    const first = await post({ suite: 'slow-a', environment: 'local' });
    assert.equal(first.status, 202, JSON.stringify(first.json));
    const runId = String(first.json.runId);
    const state = await ask(`${s.url}/api/runs/${runId}`);
    assert.equal(state.status, 200);
    assert.ok(state.json.state === 'queued' || state.json.state === 'running', JSON.stringify(state.json));

    const again = await post({ suite: 'slow-a', environment: 'local' });
    assert.equal(again.status, 409);
    assert.equal(again.json.runId, runId);

    const queued = await post({ suite: 'slow-b', environment: 'local' });
    assert.equal(queued.status, 202, 'one run may wait (maxQueue 1)');
    const suites = await ask(`${s.url}/api/suites`);
    const slowB = (suites.json.suites as Array<{ suite: string; queued: { runId: string } | null }>).find((x) => x.suite === 'slow-b');
    assert.equal(slowB?.queued?.runId, queued.json.runId);

    const refused = await post({ suite: 'slow-c', environment: 'local' });
    assert.equal(refused.status, 429);
    assert.match(String(refused.json.error), /maxQueue/);

    const done = await eventually(
      async () => {
        const r = await ask(`${s.url}/api/runs/${queued.json.runId}`);
        return r.json.state === 'finished' ? r.json : undefined;
      },
      'the queued run to finish',
      60_000,
      500,
    );
    assert.equal(done.status, 'passed');
  });

  test('bad bodies → 400 naming the field; unknown suite → 404; oversized → 413; all JSON', async () => {
    const noEnv = await post({ suite: 'quick' });
    assert.equal(noEnv.status, 400);
    assert.equal(noEnv.json.field, 'environment');
    assert.match(String(noEnv.json.error), /^environment: is required/);
    const badWait = await post({ suite: 'quick', environment: 'local', wait: 'yes' });
    assert.equal(badWait.json.field, 'wait');
    const extra = await post({ suite: 'quick', environment: 'local', priority: 1 });
    assert.equal(extra.status, 400);
    assert.match(String(extra.json.error), /priority/);
    const notJson = await post('{"suite": ');
    assert.equal(notJson.status, 400);
    assert.match(String(notJson.json.error), /not valid JSON/);
    const unknown = await post({ suite: 'nope', environment: 'local' });
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.json.error), /no suite "nope" \(defined: quick, broken/);
    const wrongEnv = await post({ suite: 'quick', environment: 'prod' });
    assert.equal(wrongEnv.status, 404);
    const big = await post(JSON.stringify({ suite: 'quick', environment: 'local', pad: 'x'.repeat(20_000) }));
    assert.equal(big.status, 413);
    assert.match(big.type, /application\/json/);
    assert.match(String(big.json.error), /larger than 16kb/);
  });

  test('run list filters are validated, each error naming its parameter', async () => {
    for (const [query, param] of [
      ['status=green', /^status:/],
      ['limit=0', /^limit:/],
      ['limit=abc', /^limit:/],
      ['suite=Bad%20Name', /^suite:/],
      ['environment=..', /^environment:/],
      ['sort=asc', /"sort"/],
    ] as const) {
      const r = await ask(`${s.url}/api/runs?${query}`);
      assert.equal(r.status, 400, query);
      assert.match(String(r.json.error), param, query);
    }
  });

  test('unknown routes and runs → 404 JSON, never an HTML page', async () => {
    for (const p of ['/nope', '/api/nope', '/api/runs/does-not-exist']) {
      const r = await ask(`${s.url}${p}`);
      assert.equal(r.status, 404, p);
      assert.match(r.type, /application\/json/, p);
      assert.ok(String(r.json.error).length > 10, p);
    }
    const del = await ask(`${s.url}/api/runs`, { method: 'DELETE' });
    assert.equal(del.status, 404);
    assert.match(del.type, /application\/json/);
  });

  test("artifacts: a known run's files are served; traversal, encoded variants and symlinks out are not", async () => {
    const r = await post({ suite: 'broken', environment: 'local', wait: true });
    const runId = String(r.json.runId);
    const dir = path.join(e.dir, 'artifacts', runId, 'quick-answers');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'trace.zip'), 'PK-not-really');
    await symlink(e.configFile, path.join(dir, 'escape.txt'));
    await writeFile(path.join(e.dir, 'artifacts', 'secret.txt'), 'outside any run');

    // api.token is set, so artifacts need it (test/e2e/secrets.test.ts covers refusals).
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const ok = await fetch(`${s.url}/artifacts/${runId}/quick-answers/trace.zip`, auth);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), 'PK-not-really');
    const listed = await ask(`${s.url}/api/runs/${runId}`);
    const links = listed.json.links as { artifacts: Array<{ name: string; kind: string }>; traceHint: string };
    const names = links.artifacts.map((a) => `${a.name} ${a.kind}`);
    assert.ok(names.includes('quick-answers/trace.zip trace'), names.join(', '));
    assert.ok(
      names.some((n) => /^quick-answers-quickly\/trace\.zip trace$/.test(n)),
      `Playwright's own trace of the failed test is listed: ${names.join(', ')}`,
    );
    assert.ok(!names.some((n) => n.includes('escape.txt')), 'a symlink is not listed');
    assert.ok(
      !names.some((n) => n.split('/').some((seg) => seg.startsWith('.'))),
      `dot paths (storage states, bookkeeping) are not listed: ${names.join(', ')}`,
    );
    assert.match(links.traceHint, /npx playwright show-trace/);

    for (const p of [
      `/artifacts/${runId}/../secret.txt`,
      `/artifacts/${runId}/..%2Fsecret.txt`,
      `/artifacts/${runId}/%2e%2e/secret.txt`,
      `/artifacts/${runId}/%2E%2E%2fsecret.txt`,
      `/artifacts/${runId}/quick-answers%5c..%5c..%5csecret.txt`,
      `/artifacts/${runId}/quick-answers/escape.txt`,
      `/artifacts/${runId}/quick-answers/%00`,
      `/artifacts/not-a-run/secret.txt`,
      `/artifacts/${runId}/%zz`,
      `/artifacts/${runId}/.last-run.json`,
    ]) {
      const res = await fetch(`${s.url}${p}`, auth);
      const body = await res.text();
      assert.ok(res.status === 400 || res.status === 404, `${p} → ${res.status}`);
      assert.ok(!body.includes('outside any run') && !body.includes('tenants:'), `${p} leaked a file`);
    }
  });
});

describe('API without a token configured', () => {
  test('triggering is disabled: 403 with what to set', async (t) => {
    const e = await setupE2E();
    const store = await openStore(e.storeFile);
    const api = await createApiServer({ store, listen: '127.0.0.1:0', log: quiet, artifactsDir: path.join(e.dir, 'artifacts') });
    t.after(async () => {
      await api.close();
      await store.close();
      await e.close();
    });
    const r = await ask(`${api.url}/api/runs`, { method: 'POST', token: 'anything', body: JSON.stringify({ suite: 'demo', environment: 'local' }) });
    assert.equal(r.status, 403);
    assert.equal(r.json.error, 'triggering is disabled: set api.token (e.g. token: "${VIGIL_API_TOKEN}") in the config and restart');
    const ready = await ask(`${api.url}/readyz`);
    assert.equal(ready.status, 200, 'no scheduler in this process: readiness is the store alone');
  });
});
