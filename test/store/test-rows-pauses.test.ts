// Per-test rows and pauses, on both engines: written with the run, read back by get() only, charted
// across runs; pauses survive reopening and end by themselves.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import { storeEngines } from '../helpers/store-engines.ts';

const run = (runId: string, startedAt: string, durations: Record<string, number>): RunResult => ({
  runId,
  suite: 'checkout',
  environment: 'production',
  trigger: 'schedule',
  startedAt,
  finishedAt: startedAt,
  status: 'failed',
  phases: { tenant_setup: 0, test: 1, teardown: 0 },
  tests: { total: 2, passed: 1, failed: 1, flaky: 0, skipped: 0 },
  failures: [{ title: 'pays', file: 'a.spec.ts', line: 3, error: 'Error: no' }],
  testResults: Object.entries(durations).map(([title, ms]) => ({
    title,
    file: 'a.spec.ts',
    line: 3,
    project: 'chromium',
    outcome: title === 'pays' ? ('failed' as const) : ('passed' as const),
    durationMs: ms,
    retries: title === 'pays' ? 1 : 0,
    ...(title === 'pays' ? { error: 'Error: no', snippet: '> 3 | expect(x)' } : {}),
  })),
});

for (const engine of storeEngines()) {
  describe(`per-test rows and pauses on ${engine.name}`, { skip: engine.skip }, () => {
    it('keeps every test of a run apart from the summary, and charts them across runs', async () => {
      const store = await engine.open();
      await store.runs.save(run('r1', '2026-01-01T10:00:00.000Z', { pays: 1200, browses: 300 }));
      await store.runs.save(run('r2', '2026-01-01T10:05:00.000Z', { pays: 1500, browses: 250 }));
      const got = (await store.runs.get('r2'))!;
      assert.deepEqual(
        got.testResults?.map((t) => [t.title, t.outcome, t.durationMs, t.retries]),
        [
          ['pays', 'failed', 1500, 1],
          ['browses', 'passed', 250, 0],
        ],
      );
      assert.equal(got.testResults?.[0].snippet, '> 3 | expect(x)');
      assert.equal((await store.runs.list({ limit: 5 }))[0].testResults, undefined, 'list() stays the light summary');
      const history = await store.runs.testHistory({ suite: 'checkout', environment: 'production', runs: 5 });
      assert.deepEqual(
        history.filter((h) => h.title === 'pays').map((h) => [h.runId, h.durationMs]),
        [
          ['r1', 1200],
          ['r2', 1500],
        ],
      );
      assert.deepEqual(await store.runs.statusCounts({ suite: 'checkout', environment: 'production', since: new Date('2026-01-01T10:01:00Z') }), {
        passed: 0,
        flaky: 0,
        failed: 1,
        error: 0,
      });
      // A run with more tests than one INSERT carries.
      const many = Object.fromEntries(Array.from({ length: 450 }, (_, i) => [`t${i}`, i]));
      await store.runs.save(run('r3', '2026-01-01T10:10:00.000Z', many));
      assert.equal((await store.runs.get('r3'))!.testResults?.length, 450);
      await store.close();
    });

    it('keeps pauses across a reopen, lists only those in force, and expires ended ones', async () => {
      const location = await engine.fresh();
      let store = await openStore(location);
      await store.pauses.set({
        suite: 'checkout',
        environment: 'production',
        until: '2026-01-01T12:00:00.000Z',
        reason: 'deploy',
        createdAt: '2026-01-01T10:00:00.000Z',
      });
      await store.pauses.set({
        suite: 'login',
        environment: 'production',
        until: '2026-01-01T10:30:00.000Z',
        reason: 'short',
        createdAt: '2026-01-01T10:00:00.000Z',
      });
      await store.close();
      store = await openStore(location);
      const at11 = new Date('2026-01-01T11:00:00Z');
      assert.deepEqual(
        (await store.pauses.list(at11)).map((p) => p.suite),
        ['checkout'],
      );
      assert.equal(await store.pauses.expire(at11), 1);
      assert.equal((await store.pauses.list()).length, 1);
      assert.equal(await store.pauses.remove('checkout', 'production'), true);
      assert.equal(await store.pauses.remove('checkout', 'production'), false);
      await store.close();
    });

    it('keeps scenario runs: the newest per scenario, totals by status, the last success', async () => {
      const store = await engine.open();
      const record = (id: string, scenario: string, status: string, startedAt: string) => ({
        id,
        scenario,
        file: 'x.feature',
        status,
        startedAt,
        finishedAt: startedAt,
        result: { steps: [] },
      });
      await store.scenarioRuns.save(record('s1', 'member loss', 'passed', '2026-01-01T10:00:00.000Z'));
      await store.scenarioRuns.save(record('s2', 'member loss', 'failed', '2026-01-01T10:05:00.000Z'));
      await store.scenarioRuns.save(record('s3', 'blue/green', 'passed', '2026-01-01T10:02:00.000Z'));
      await store.scenarioRuns.save({ ...record('s2', 'member loss', 'failed', '2026-01-01T10:05:00.000Z'), status: 'interrupted' });
      assert.deepEqual(
        (await store.scenarioRuns.list()).map((r) => [r.id, r.status]),
        [
          ['s2', 'interrupted'],
          ['s3', 'passed'],
          ['s1', 'passed'],
        ],
      );
      assert.deepEqual(
        (await store.scenarioRuns.list({ scenario: 'blue/green' })).map((r) => r.id),
        ['s3'],
      );
      assert.deepEqual(await store.scenarioRuns.totals(), [
        { scenario: 'blue/green', status: 'passed', count: 1 },
        { scenario: 'member loss', status: 'interrupted', count: 1 },
        { scenario: 'member loss', status: 'passed', count: 1 },
      ]);
      assert.deepEqual(
        (await store.scenarioRuns.latest()).map((l) => [l.last.id, l.lastSuccessAt]),
        [
          ['s3', '2026-01-01T10:02:00.000Z'],
          ['s2', '2026-01-01T10:00:00.000Z'],
        ],
      );
      await store.close();
    });
  });
}
