// Retention of run rows, on both engines: per suite × environment the newest `keep` runs and none
// older than `maxAge`, but the newest run and the newest success of a pair always stay (what /metrics
// restores at start-up).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyCounts, type RunResult, type RunStatus } from '../../src/core/index.ts';
import { vigilConfigSchema } from '../../src/config/schema.ts';
import { storeEngines } from '../helpers/store-engines.ts';

const DAY = 86_400_000;
const now = new Date('2025-06-01T12:00:00.000Z');

function run(suite: string, i: number, status: RunStatus, daysAgo: number): RunResult {
  const at = new Date(now.getTime() - daysAgo * DAY + i * 1000).toISOString();
  return {
    runId: `${suite}-${i}`,
    suite,
    environment: 'prod',
    trigger: 'schedule',
    startedAt: at,
    finishedAt: at,
    status,
    phases: { tenant_setup: 0, test: 0, teardown: 0 },
    tests: emptyCounts(),
    failures: status === 'failed' ? [{ title: 't', file: 'a.spec.ts', line: 1, error: 'boom' }] : [],
  };
}

for (const engine of storeEngines()) {
  describe(`run retention on ${engine.name}`, { skip: engine.skip }, () => {
    it('keeps the newest `keep` runs per pair and removes their failures with them', async () => {
      const store = await engine.open();
      for (let i = 0; i < 30; i++) await store.runs.save(run('a', i, i % 2 ? 'failed' : 'passed', 1));
      for (let i = 0; i < 5; i++) await store.runs.save(run('b', i, 'passed', 1));
      assert.equal(await store.runs.retain({ keep: 10, maxAgeMs: 30 * DAY, now }), 20);
      const left = (await store.runs.list({ suite: 'a', limit: 100 })).map((r) => r.runId);
      assert.deepEqual(
        left,
        Array.from({ length: 10 }, (_, k) => `a-${29 - k}`),
      );
      assert.equal((await store.runs.list({ suite: 'b', limit: 100 })).length, 5, 'another pair keeps its own count');
      assert.equal(await store.runs.get('a-1'), undefined);
      assert.deepEqual(await store.db.all("SELECT run_id FROM run_failures WHERE run_id = 'a-1'"), [], 'its failures went with it');
      assert.equal(await store.runs.retain({ keep: 10, maxAgeMs: 30 * DAY, now }), 0, 'nothing more to remove');
      await store.close();
    });

    it('removes runs older than maxAge, but never the newest run or the newest success of a pair', async () => {
      const store = await engine.open();
      await store.runs.save(run('a', 0, 'passed', 100)); // the last success, long ago
      for (let i = 1; i < 6; i++) await store.runs.save(run('a', i, 'failed', 60)); // failing ever since, all old
      await store.runs.save(run('c', 0, 'error', 200)); // a pair that ran once, long ago
      assert.equal(await store.runs.retain({ keep: 1000, maxAgeMs: 30 * DAY, now }), 4);
      assert.deepEqual(
        (await store.runs.list({ suite: 'a', limit: 10 })).map((r) => r.runId),
        ['a-5', 'a-0'],
      );
      assert.deepEqual(
        (await store.runs.list({ suite: 'c', limit: 10 })).map((r) => r.runId),
        ['c-0'],
      );
      const summary = (await store.runs.lastBySuite()).find((s) => s.suite === 'a');
      assert.equal(summary?.last.runId, 'a-5');
      assert.equal(summary?.lastSuccessAt, run('a', 0, 'passed', 100).finishedAt, 'last success still known after a restart');
      await store.close();
    });
  });
}

describe('run retention config', () => {
  it('is configured under runs: with defaults, and refuses a keep of 0', () => {
    const base = { environments: {}, tenants: {}, suites: {} };
    const defaults = vigilConfigSchema.parse(base).runs;
    assert.deepEqual(defaults, { keep: 2_000, maxAge: 90 * DAY });
    assert.deepEqual(vigilConfigSchema.parse({ ...base, runs: { keep: 50, maxAge: '7d' } }).runs, { keep: 50, maxAge: 7 * DAY });
    assert.equal(vigilConfigSchema.safeParse({ ...base, runs: { keep: 0 } }).success, false);
  });
});
