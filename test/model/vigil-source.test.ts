// Vigil's own suites as checks: the last RunResult of a suite × environment from a real store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allGreen, evaluateModel, parseModel, readVigilRuns } from '../../src/model/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { RunResult, RunStatus } from '../../src/core/index.ts';

const NOW = Date.parse('2030-01-01T12:00:00Z');

const run = (suite: string, environment: string, status: RunStatus, minutesAgo: number): RunResult => ({
  runId: `${suite}-${environment}-${minutesAgo}`,
  suite,
  environment,
  trigger: 'schedule',
  startedAt: new Date(NOW - minutesAgo * 60_000 - 30_000).toISOString(),
  finishedAt: new Date(NOW - minutesAgo * 60_000).toISOString(),
  status,
  phases: { tenant_setup: 1, test: 28, teardown: 1 },
  tests: { total: 14, passed: status === 'failed' ? 12 : 14, failed: status === 'failed' ? 2 : 0, flaky: status === 'flaky' ? 1 : 0, skipped: 0 },
  failures: status === 'failed' ? [{ title: 'cart › pays by card', file: 'cart.spec.ts', line: 3, error: 'boom' }] : [],
});

describe('vigil checks', () => {
  const model = parseModel({
    nodes: [
      {
        name: 'shop',
        checks: ['passed', 'flaky', 'failed', 'error', 'old', 'never'].map((suite) => ({ vigil: { suite, environment: 'production' } })),
      },
    ],
  });

  it('map the last run: passed OK, flaky WARNING, failed CRITICAL, error UNKNOWN; old is stale, none is missing', async () => {
    const store = await openStore(':memory:');
    try {
      await store.runs.save(run('passed', 'production', 'failed', 30)); // an older failure: only the last run counts
      await store.runs.save(run('passed', 'production', 'passed', 2));
      await store.runs.save(run('flaky', 'production', 'flaky', 2));
      await store.runs.save(run('failed', 'production', 'failed', 2));
      await store.runs.save(run('error', 'production', 'error', 2));
      await store.runs.save(run('old', 'production', 'passed', 11));
      const pairs = model.nodes[0].checks.map((c) => c as { suite: string; environment: string });
      const [shop] = evaluateModel(model, { nowMs: NOW, vigil: await readVigilRuns(() => store.runs, pairs) });
      assert.deepEqual(
        shop.checks.map((c) => [c.id, c.state, c.raw, c.reason, c.green]),
        [
          ['vigil:passed@production', 'OK', 'passed', 'fresh', true],
          ['vigil:flaky@production', 'WARNING', 'flaky', 'fresh', false],
          ['vigil:failed@production', 'CRITICAL', 'failed', 'fresh', false],
          ['vigil:error@production', 'UNKNOWN', 'error', 'fresh', false],
          ['vigil:old@production', 'OK', 'passed', 'stale', false],
          ['vigil:never@production', 'UNKNOWN', '', 'missing', false],
        ],
      );
      assert.equal(shop.checks[2].red, true);
      assert.match(shop.checks[2].output, /failed: 12 of 14 tests passed, 2 failed: cart › pays by card/);
      assert.equal(allGreen(shop, false).blockers.length, 5);
    } finally {
      await store.close();
    }
  });

  it('a passed run whose error query was exceeded is WARNING, as its Nagios result: the store keeps its errorChecks', async () => {
    const store = await openStore(':memory:');
    try {
      const errorCheck = {
        name: 'http-5xx',
        query: 'sum(x)',
        above: 0,
        severity: 'warning' as const,
        window: '30s',
        at: '2030-01-01T11:58:00Z',
        link: 'http://p/graph',
      };
      await store.runs.save({ ...run('passed', 'production', 'passed', 2), errorChecks: [{ ...errorCheck, value: 7, exceeded: true }] });
      await store.runs.save({ ...run('flaky', 'production', 'passed', 2), errorChecks: [{ ...errorCheck, value: 0, exceeded: false }] });
      const pairs = [
        { suite: 'passed', environment: 'production' },
        { suite: 'flaky', environment: 'production' },
      ];
      const [shop] = evaluateModel(model, { nowMs: NOW, vigil: await readVigilRuns(() => store.runs, pairs) });
      assert.deepEqual(
        shop.checks.slice(0, 2).map((c) => [c.id, c.state, c.raw, c.green]),
        [
          ['vigil:passed@production', 'WARNING', 'passed', false],
          ['vigil:flaky@production', 'OK', 'passed', true],
        ],
      );
    } finally {
      await store.close();
    }
  });

  it('a store that cannot be opened makes them unreachable', async () => {
    const read = await readVigilRuns(() => {
      throw new Error('disk on fire');
    }, [{ suite: 'passed', environment: 'production' }]);
    const [shop] = evaluateModel(model, { nowMs: NOW, vigil: read });
    assert.ok(shop.checks.every((c) => c.reason === 'unreachable'));
    assert.match(shop.checks[0].detail!, /Vigil's store cannot be read: disk on fire/);
  });
});
