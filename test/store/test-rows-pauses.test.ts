// Per-test rows and pauses in a real SQLite store: written with the run, read back by get() only,
// charted across runs; pauses survive reopening and end by themselves.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { RunResult } from '../../src/core/index.ts';
import { openStore } from '../../src/store/open-store.ts';

const run = (runId: string, startedAt: string, durations: Record<string, number>): RunResult => ({
  runId, suite: 'checkout', environment: 'production', trigger: 'schedule', startedAt, finishedAt: startedAt, status: 'failed',
  phases: { tenant_setup: 0, test: 1, teardown: 0 }, tests: { total: 2, passed: 1, failed: 1, flaky: 0, skipped: 0 },
  failures: [{ title: 'pays', file: 'a.spec.ts', line: 3, error: 'Error: no' }],
  testResults: Object.entries(durations).map(([title, ms]) => ({
    title, file: 'a.spec.ts', line: 3, project: 'chromium', outcome: title === 'pays' ? 'failed' as const : 'passed' as const, durationMs: ms, retries: title === 'pays' ? 1 : 0,
    ...(title === 'pays' ? { error: 'Error: no', snippet: '> 3 | expect(x)' } : {}),
  })),
});

describe('per-test rows and pauses', () => {
  it('keeps every test of a run apart from the summary, and charts them across runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-rows-'));
    try {
      const store = openStore(join(dir, 'v.db'));
      store.runs.save(run('r1', '2026-01-01T10:00:00.000Z', { pays: 1200, browses: 300 }));
      store.runs.save(run('r2', '2026-01-01T10:05:00.000Z', { pays: 1500, browses: 250 }));
      const got = store.runs.get('r2')!;
      assert.deepEqual(got.testResults?.map((t) => [t.title, t.outcome, t.durationMs, t.retries]), [['pays', 'failed', 1500, 1], ['browses', 'passed', 250, 0]]);
      assert.equal(got.testResults?.[0].snippet, '> 3 | expect(x)');
      assert.equal(store.runs.list({ limit: 5 })[0].testResults, undefined, 'list() stays the light summary');
      const history = store.runs.testHistory({ suite: 'checkout', environment: 'production', runs: 5 });
      assert.deepEqual(history.filter((h) => h.title === 'pays').map((h) => [h.runId, h.durationMs]), [['r1', 1200], ['r2', 1500]]);
      assert.deepEqual(store.runs.statusCounts({ suite: 'checkout', environment: 'production', since: new Date('2026-01-01T10:01:00Z') }), { passed: 0, flaky: 0, failed: 1, error: 0 });
      store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps pauses across a reopen, lists only those in force, and expires ended ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-pauses-'));
    try {
      let store = openStore(join(dir, 'v.db'));
      store.pauses.set({ suite: 'checkout', environment: 'production', until: '2026-01-01T12:00:00.000Z', reason: 'deploy', createdAt: '2026-01-01T10:00:00.000Z' });
      store.pauses.set({ suite: 'login', environment: 'production', until: '2026-01-01T10:30:00.000Z', reason: 'short', createdAt: '2026-01-01T10:00:00.000Z' });
      store.close();
      store = openStore(join(dir, 'v.db'));
      const at11 = new Date('2026-01-01T11:00:00Z');
      assert.deepEqual(store.pauses.list(at11).map((p) => p.suite), ['checkout']);
      assert.equal(store.pauses.expire(at11), 1);
      assert.equal(store.pauses.list().length, 1);
      assert.equal(store.pauses.remove('checkout', 'production'), true);
      assert.equal(store.pauses.remove('checkout', 'production'), false);
      store.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
