// A pair run from several locations: its state from each location's newest run (core/locations.ts), as
// Nagios shows it. Every combination an operator meets: all passing, one failing below the threshold,
// enough failing, flaky, and silent locations — UNKNOWN only where their answer could change the state.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgeLocations, pairStreak, type LocationRule, type RunResult } from '../../../src/core/index.ts';
import { buildLocatedCheckResult, renderFor } from '../../../src/exporters/nagios/index.ts';
import { errorRun, failedRun, flakyRun, runResult } from './run-results.ts';

const NOW = new Date('2025-01-01T10:05:00.000Z');
const rule = (minFailed: number, locations = ['eu-west', 'us-east', 'ap-south']): LocationRule => ({ locations, minFailed, staleAfterMs: 3_600_000 });
type Answer = 'passed' | 'flaky' | 'failed' | 'error' | 'none' | 'stale';
function newest(answers: Record<string, Answer>): Map<string, RunResult> {
  const runs = new Map<string, RunResult>();
  for (const [location, a] of Object.entries(answers)) {
    if (a === 'none') continue;
    const base = a === 'failed' ? failedRun() : a === 'flaky' ? flakyRun() : a === 'error' ? errorRun() : runResult();
    const finishedAt = a === 'stale' ? '2025-01-01T07:00:00.000Z' : '2025-01-01T10:04:00.000Z';
    runs.set(location, { ...base, runId: `run-${location}`, location, finishedAt });
  }
  return runs;
}
const judge = (minFailed: number, answers: Record<string, Answer>) => judgeLocations(newest(answers), rule(minFailed), NOW);

describe('the state of a pair run from several locations', () => {
  const cases: Array<[number, Record<string, Answer>, string, RegExp]> = [
    [1, { 'eu-west': 'passed', 'us-east': 'passed', 'ap-south': 'passed' }, 'passed', /^passed from all 3 locations$/],
    [1, { 'eu-west': 'passed', 'us-east': 'failed', 'ap-south': 'passed' }, 'failed', /^failing from us-east \(1 of 3 locations\)$/],
    [2, { 'eu-west': 'passed', 'us-east': 'failed', 'ap-south': 'passed' }, 'flaky', /^failing from us-east only \(1 of 3 locations, CRITICAL from 2\)$/],
    [2, { 'eu-west': 'failed', 'us-east': 'failed', 'ap-south': 'passed' }, 'failed', /^failing from eu-west, us-east \(2 of 3 locations, CRITICAL from 2\)$/],
    [2, { 'eu-west': 'flaky', 'us-east': 'passed', 'ap-south': 'passed' }, 'flaky', /^flaky from eu-west$/],
    // Silent locations: UNKNOWN when they could change the state, not otherwise.
    [
      1,
      { 'eu-west': 'passed', 'us-east': 'passed', 'ap-south': 'error' },
      'error',
      /no answer from ap-south \(runner fault: tenant setup failed\), which could change the state/,
    ],
    [
      2,
      { 'eu-west': 'failed', 'us-east': 'passed', 'ap-south': 'stale' },
      'error',
      /^failing from eu-west \(1 of 3 locations, CRITICAL from 2\); no answer from ap-south \(no run for 3 h\)/,
    ],
    [3, { 'eu-west': 'failed', 'us-east': 'passed', 'ap-south': 'none' }, 'flaky', /^failing from eu-west only \(1 of 3 locations, CRITICAL from 3\)$/],
    [2, { 'eu-west': 'failed', 'us-east': 'failed', 'ap-south': 'none' }, 'failed', /^failing from eu-west, us-east/],
    [
      2,
      { 'eu-west': 'error', 'us-east': 'error', 'ap-south': 'error' },
      'error',
      /^no answer from eu-west \(runner fault: tenant setup failed\), us-east \(.*\), ap-south \(.*\), which could/,
    ],
    [1, {}, 'error', /no answer from eu-west \(no run yet\)/],
  ];
  for (const [minFailed, answers, status, sentence] of cases) {
    test(`${JSON.stringify(answers)} with CRITICAL from ${minFailed}: ${status}`, () => {
      const verdict = judge(minFailed, answers);
      assert.equal(verdict.status, status);
      assert.match(verdict.sentence, sentence);
    });
  }

  test('a location the rule does not list is not counted', () => {
    const runs = newest({ 'eu-west': 'passed', 'us-east': 'passed', 'ap-south': 'passed', moon: 'failed' });
    assert.equal(judgeLocations(runs, rule(1), NOW).status, 'passed');
  });

  test("the pair's streak is the Nth longest location streak: runs in a row with at least N locations failing", () => {
    assert.equal(pairStreak([3, 0, 1], 1), 3);
    assert.equal(pairStreak([3, 0, 1], 2), 1);
    assert.equal(pairStreak([3, 0, 1], 3), 0);
    assert.equal(pairStreak([], 2), 0);
  });
});

describe('the Nagios check of a located pair', () => {
  const check = (minFailed: number, answers: Record<string, Answer>) => {
    const runs = newest(answers);
    const verdict = judgeLocations(runs, rule(minFailed), NOW);
    return buildLocatedCheckResult([...runs.values()][0], verdict, rule(minFailed), { publicURL: 'https://vigil.example' });
  };

  test('WARNING names the failing location, lists its failing tests first and each location in the long output', () => {
    const c = check(2, { 'eu-west': 'passed', 'us-east': 'failed', 'ap-south': 'passed' });
    assert.equal(c.state, 1);
    assert.equal(c.output, 'WARNING - checkout: failing from us-east only (1 of 3 locations, CRITICAL from 2): cart › pays by card; search › finds a note');
    assert.match(
      c.longOutput[0],
      /^eu-west: OK - 14 tests passed in 31\.2s \(run run-eu-west, 2025-01-01T10:04:00\.000Z, https:\/\/vigil\.example\/runs\/run-eu-west\)$/,
    );
    assert.match(c.longOutput[1], /^us-east: CRITICAL - 2 of 14 tests failed/);
    assert.ok(c.longOutput.includes('from us-east:'), 'the failing run’s details follow');
    assert.ok(c.longOutput.some((l) => l.startsWith('✗ cart › pays by card')));
    assert.equal(c.perfdata, 'failing_locations=1;;2;0;3 unknown_locations=0;;;0;3');
    assert.equal(c.host, 'production');
    assert.equal(c.timestamp, Date.parse('2025-01-01T10:04:00.000Z') / 1000, 'the newest evidence it holds');
  });

  test('CRITICAL and UNKNOWN states; the rendered text keeps the first line and perfdata within NSCA’s limit', () => {
    assert.equal(check(2, { 'eu-west': 'failed', 'us-east': 'failed', 'ap-south': 'passed' }).state, 2);
    const unknown = check(1, { 'eu-west': 'passed', 'us-east': 'none', 'ap-south': 'passed' });
    assert.equal(unknown.state, 3);
    assert.match(unknown.longOutput[1], /^us-east: UNKNOWN - no run yet$/);
    const many = check(1, { 'eu-west': 'failed', 'us-east': 'failed', 'ap-south': 'failed' });
    const text = renderFor(many, 'nsca');
    assert.ok(Buffer.byteLength(text) <= 4095);
    assert.match(text, /^CRITICAL - checkout: failing from eu-west, us-east, ap-south \(3 of 3 locations\)/);
    assert.match(text, /\|failing_locations=3;;1;0;3 unknown_locations=0;;;0;3\n/);
  });
});
