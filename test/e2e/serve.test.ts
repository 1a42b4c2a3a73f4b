// `vigil serve` as a service: schedules fire, overlapping fires are skipped and counted, the
// concurrency limit holds with runs queued, a shard only runs and accepts its own pairs, and SIGTERM
// mid-run ends the process within the grace period with the tenant deleted and the run recorded.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunResult } from '../../src/core/index.ts';
import { shardOf } from '../../src/scheduler/shard.ts';
import { openStore } from '../../src/store/open-store.ts';
import { processesOfRun, setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { runVigil } from '../helpers/vigil-cli.ts';
import { ask, eventually, metricValue, newToken, quickSuite, startServe, writeServeConfig } from '../service/serve-harness.ts';

describe('vigil serve: scheduling', { timeout: 240_000 }, () => {
  let e: E2E;
  before(async () => {
    e = await setupE2E();
  });
  after(async () => {
    await e?.close();
  });

  test('a schedule every 3 s fires and runs; the result is in /api/runs and /metrics', async () => {
    await writeServeConfig(e, quickSuite('ticking', { schedule: '*/3 * * * * *' }));
    const s = await startServe(e);
    try {
      const suites = await ask(`${s.url}/api/suites`);
      const row = (suites.json.suites as Array<{ suite: string; schedule: string; nextRun: string }>)[0];
      assert.equal(row.schedule, '*/3 * * * * *');
      assert.ok(Date.parse(row.nextRun) > Date.now() - 1000, `next fire is ahead: ${row.nextRun}`);
      const run = await eventually(
        async () => {
          const r = await ask(`${s.url}/api/runs?suite=ticking&limit=1`);
          return (r.json.runs as RunResult[])[0];
        },
        'a scheduled run',
        30_000,
        500,
      );
      assert.equal(run.trigger, 'schedule');
      assert.equal(run.status, 'passed');
      assert.equal(run.tenant?.state, 'destroyed');
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      assert.ok((metricValue(metrics, 'vigil_runs_total', { suite: 'ticking', environment: 'local', status: 'passed' }) ?? 0) >= 1, 'counted in /metrics');
      assert.equal(metricValue(metrics, 'probe_success', { suite: 'ticking', environment: 'local' }), 1);
    } finally {
      const r = await s.stop();
      assert.equal(r.code, 0, r.stderr.slice(-2000));
    }
  });

  test('a port already taken: exits 3 at once naming the address, without a stack, and undoes what had started', async () => {
    await writeServeConfig(e, quickSuite('taken', { schedule: '*/2 * * * * *' }));
    const first = await startServe(e);
    try {
      const address = first.url.replace('http://', '');
      const started = Date.now();
      const second = await runVigil(['serve', '--config', e.configFile, '--listen', address], {
        env: { ...e.env, VIGIL_LOG_FORMAT: 'json' },
        timeoutMs: 60_000,
      });
      assert.equal(second.code, 3, second.stderr.slice(-2000));
      assert.ok(Date.now() - started < 20_000, `exited after ${Date.now() - started} ms`);
      assert.match(second.stderr, new RegExp(`vigil: cannot listen on ${address.replace(/\./g, '\\.')}: the address is already in use`));
      assert.doesNotMatch(second.stderr, /unexpected error|\n\s+at /, 'no stack trace');
      // It ran nothing: every run of the pair is the first server's.
      const runs = (await ask(`${first.url}/api/runs?suite=taken&limit=100`)).json.runs as RunResult[];
      assert.ok(
        runs.every((r) => !r.replica || r.replica === runs[0].replica),
        JSON.stringify(runs.map((r) => r.replica)),
      );
    } finally {
      const r = await first.stop();
      assert.equal(r.code, 0, r.stderr.slice(-2000));
    }
  });

  test('a fire while the previous run still goes is skipped, logged and counted', async () => {
    await writeServeConfig(e, quickSuite('overlapping', { schedule: '*/2 * * * * *', sleepMs: 5000 }));
    const s = await startServe(e);
    try {
      const skipped = await eventually(
        async () => {
          const text = await (await fetch(`${s.url}/metrics`)).text();
          const n = metricValue(text, 'vigil_schedule_skipped_total', { suite: 'overlapping', environment: 'local' }) ?? 0;
          return n >= 1 ? n : undefined;
        },
        'a skipped fire to be counted',
        30_000,
        500,
      );
      assert.ok(skipped >= 1);
      assert.match(s.log(), /scheduled fire skipped: overlapping@local is already running as run/);
    } finally {
      await s.stop();
    }
  });

  test('never more suites running than api.concurrency while others wait in the queue', async () => {
    const token = newToken();
    const names = ['c1', 'c2', 'c3', 'c4'];
    await writeServeConfig(e, names.map((n) => quickSuite(n, { sleepMs: 2500 })).join(''), { token: '${VIGIL_API_TOKEN:-}', concurrency: 2, maxQueue: 10 });
    const s = await startServe(e, { token });
    try {
      const ids: string[] = [];
      for (const suite of names) {
        const r = await ask(`${s.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite, environment: 'local' }) });
        assert.equal(r.status, 202);
        ids.push(String(r.json.runId));
      }
      const status = await ask(`${s.url}/api/suites`);
      assert.equal((status.json.queued as unknown[]).length + (status.json.running as unknown[]).length, 4, 'all four held: two running, the rest queued');
      assert.ok((status.json.running as unknown[]).length <= 2);
      let most = 0;
      let sawQueued = false;
      const deadline = Date.now() + 90_000;
      for (let i = 0; i < 600 && Date.now() < deadline; i++) {
        const alive = (await Promise.all(ids.map(processesOfRun))).filter((p) => p.length > 0).length;
        most = Math.max(most, alive);
        const st = await ask(`${s.url}/api/suites`);
        if ((st.json.queued as unknown[]).length > 0) sawQueued = true;
        const finished = await Promise.all(ids.map(async (id) => (await ask(`${s.url}/api/runs/${id}`)).json.state === 'finished'));
        if (finished.every(Boolean)) break;
        await sleep(150);
      }
      assert.ok(sawQueued, 'runs were seen waiting in the queue');
      assert.ok(most >= 1 && most <= 2, `at most 2 runs had processes at once (saw ${most})`);
      const runs = await Promise.all(ids.map(async (id) => (await ask(`${s.url}/api/runs/${id}`)).json));
      assert.deepEqual(
        runs.map((r) => r.status),
        ['passed', 'passed', 'passed', 'passed'],
      );
    } finally {
      await s.stop();
    }
  });

  test("--shard i/n schedules and accepts only the pairs it owns; another shard's pair → 421", async () => {
    const token = newToken();
    const names = ['s1', 's2', 's3', 's4', 's5', 's6'];
    await writeServeConfig(e, names.map((n) => quickSuite(n)).join(''), { token: '${VIGIL_API_TOKEN:-}' });
    const s = await startServe(e, { token, args: ['--shard', '1/2'] });
    try {
      const mine = names.filter((n) => shardOf(n, 'local', 2) === 1);
      const theirs = names.filter((n) => shardOf(n, 'local', 2) === 0);
      assert.ok(mine.length > 0 && theirs.length > 0, 'the fixture spreads over both shards');
      const suites = await ask(`${s.url}/api/suites`);
      assert.deepEqual(
        (suites.json.suites as Array<{ suite: string }>).map((x) => x.suite),
        mine,
      );
      const r = await ask(`${s.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: theirs[0], environment: 'local' }) });
      assert.equal(r.status, 421);
      assert.match(String(r.json.error), /belongs to another shard \(this replica is --shard 1\/2\)/);
    } finally {
      await s.stop();
    }
  });

  test('schedules follow api.timezone: 03:00 in Tokyo is 18:00 UTC', async () => {
    await writeServeConfig(e, quickSuite('nightly', { schedule: '0 3 * * *' }), { timezone: 'Asia/Tokyo', jitter: '10s' });
    const s = await startServe(e);
    try {
      const suites = await ask(`${s.url}/api/suites`);
      const next = new Date(String((suites.json.suites as Array<{ nextRun: string }>)[0].nextRun));
      assert.equal(next.getUTCHours(), 18);
      assert.equal(next.getUTCMinutes(), 0);
    } finally {
      await s.stop();
    }
  });

  test('SIGTERM mid-run: exits 0 after the grace period, the run is an interrupted error with the reason, the tenant is deleted', async () => {
    const token = newToken();
    await writeServeConfig(e, quickSuite('long', { sleepMs: 120_000, timeout: '5m' }), { token: '${VIGIL_API_TOKEN:-}' });
    const s = await startServe(e, { token, args: ['--grace', '3s'] });
    const r = await ask(`${s.url}/api/runs`, { method: 'POST', token, body: JSON.stringify({ suite: 'long', environment: 'local' }) });
    const runId = String(r.json.runId);
    await eventually(async () => ((await processesOfRun(runId)).length > 0 ? true : undefined), 'the suite to be running', 30_000, 200);
    const signalled = Date.now();
    s.child.kill('SIGTERM');
    // During the grace period the API still answers, but no longer as ready.
    const notReady = await eventually(
      async () => {
        const res = await fetch(`${s.url}/readyz`).catch(() => undefined);
        return res?.status === 503 ? ((await res.json()) as { checks: { scheduler: string } }) : undefined;
      },
      '/readyz to turn 503',
      3_000,
      100,
    );
    assert.match(notReady.checks.scheduler, /not running/);
    const exit = await s.stop();
    const tookMs = Date.now() - signalled;
    assert.equal(exit.code, 0, exit.stderr.slice(-2000));
    // Bounded, not timed: the 3 s grace plus killing the suite and deleting the tenant, far below the 120 s test.
    assert.ok(tookMs < 60_000, `exited ${tookMs} ms after SIGTERM`);
    assert.match(exit.stderr, /grace period over: interrupting in-flight runs/);

    const store = await openStore(e.storeFile);
    try {
      const run = await store.runs.get(runId);
      assert.equal(run?.status, 'error');
      assert.equal(run?.errorPhase, 'interrupted');
      assert.match(run?.errorMessage ?? '', /Vigil is shutting down \(SIGTERM\); the 3s grace period ran out/);
      assert.equal(run?.tenant?.state, 'destroyed');
    } finally {
      await store.close();
    }
    assert.deepEqual(
      (await e.adminTenants()).filter((t) => t.name.startsWith('vigil-')),
      [],
      'the tenant is gone from the app',
    );
    assert.deepEqual(await processesOfRun(runId), [], 'no process of the run survives');
  });
});
