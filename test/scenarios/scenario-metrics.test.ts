// vigil_scenario_* are rebuilt from the store: counters continue across one-shot runs, time to detect
// is the last run's, last success is the newest passed run's.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/index.ts';
import { scenarioRegistry, type ScenarioResult } from '../../src/scenarios/index.ts';

const run = (id: string, status: ScenarioResult['status'], finishedAt: string, ttdMs?: number): ScenarioResult => ({
  id,
  file: 'scenarios/member-loss.feature',
  feature: 'Losing one member',
  scenario: 'one app member is destroyed',
  line: 8,
  status,
  startedAt: finishedAt.replace(/:\d\d\./, ':00.'),
  finishedAt,
  steps: [
    {
      keyword: 'And',
      text: 'the member "app-0" is all red',
      line: 12,
      status: ttdMs === undefined ? 'failed' : 'passed',
      durationMs: 1,
      ...(ttdMs === undefined ? {} : { timeToDetectMs: ttdMs }),
    },
  ],
  cleanup: [],
});

describe('scenario metrics', () => {
  it('counts every stored run by status, keeps the newest success and the last run’s time to detect', async () => {
    const store = await openStore(':memory:');
    try {
      for (const r of [
        run('a', 'passed', '2030-01-01T10:00:30.000Z', 4200),
        run('b', 'passed', '2030-01-01T11:00:30.000Z', 3100),
        run('c', 'failed', '2030-01-01T12:00:30.000Z'),
      ]) {
        await store.scenarioRuns.save({
          id: r.id,
          scenario: r.scenario,
          file: r.file,
          status: r.status,
          startedAt: r.startedAt,
          finishedAt: r.finishedAt,
          result: r,
        });
      }
      const text = await (await scenarioRegistry(store.scenarioRuns)).metrics();
      const label = 'scenario="one app member is destroyed"';
      assert.match(text, new RegExp(`^vigil_scenario_runs_total\\{${label},status="passed"\\} 2$`, 'm'));
      assert.match(text, new RegExp(`^vigil_scenario_runs_total\\{${label},status="failed"\\} 1$`, 'm'));
      assert.match(text, new RegExp(`^vigil_scenario_runs_total\\{${label},status="interrupted"\\} 0$`, 'm'));
      assert.match(text, new RegExp(`^vigil_scenario_last_success_timestamp_seconds\\{${label}\\} ${Date.parse('2030-01-01T11:00:30.000Z') / 1000}$`, 'm'));
      // The last run failed that Then: no time to detect for it, not the older run's value.
      assert.doesNotMatch(text, /^vigil_scenario_time_to_detect_seconds\{/m);
      await store.scenarioRuns.save({ ...run('d', 'passed', '2030-01-01T13:00:30.000Z', 2500), result: run('d', 'passed', '2030-01-01T13:00:30.000Z', 2500) });
      assert.match(
        await (await scenarioRegistry(store.scenarioRuns)).metrics(),
        new RegExp(`^vigil_scenario_time_to_detect_seconds\\{${label},step="the member \\\\"app-0\\\\" is all red"\\} 2.5$`, 'm'),
      );
    } finally {
      await store.close();
    }
  });
});
