// A scheduled scenario's passive service: what each outcome pages as, the negative control's
// inversion, and the worst scenario of a file deciding the service.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeScenario, scenarioCheck, type ScenarioResult, type StepResult } from '../../src/scenarios/index.ts';

const step = (keyword: string, text: string, status: StepResult['status'], extra: Partial<StepResult> = {}): StepResult => ({
  keyword,
  text,
  line: 10,
  status,
  durationMs: 100,
  ...extra,
});

const result = (scenario: string, status: ScenarioResult['status'], steps: StepResult[]): ScenarioResult => ({
  id: `run-${scenario}`,
  file: 'scenarios/x.feature',
  feature: 'f',
  scenario,
  line: 3,
  status,
  startedAt: '2026-12-06T22:00:00.000Z',
  finishedAt: '2026-12-06T22:00:20.000Z',
  steps,
  cleanup: [],
});

const destroyed = step('When ', 'I destroy member "app-0"', 'passed');
const noticed = step('Then ', 'within 2m the member "app-0" is all red', 'passed', { timeToDetectMs: 2_600 });
const missed = step('Then ', 'within 15s the member "app-0" is all red', 'failed', {
  line: 19,
  message: 'shop/app-0 is not all red non-transitively (3 checks in scope) by the deadline; in the way:\n  nagios:app-0!HTTP is disabled',
});
const target = { host: 'vigil', service: 'scenario-member-loss' };
// The feature's steps as parsed: a Given on line 5, the When on 10, the Thens on 10 and 19.
const steps = [
  { line: 5, type: 'context' as const },
  { line: 10, type: 'action' as const },
  { line: 19, type: 'outcome' as const },
];
const plain = { tags: [], steps };
const negative = { tags: ['@expected-to-fail'], steps };
const notGreen = step('Given ', 'the service "shop" is all green transitively', 'failed', {
  line: 5,
  message: 'shop is not all green transitively: app-0 is pending',
});

describe('a scheduled scenario as a passive check', () => {
  it('passed is OK with its time to detect; failed is CRITICAL naming the step and what stood in the way; error is UNKNOWN', () => {
    assert.deepEqual(judgeScenario(result('member loss', 'passed', [destroyed, noticed]), plain), {
      state: 0,
      line: 'member loss: passed, detected in 2.6s',
    });
    const crit = judgeScenario(result('member loss', 'failed', [destroyed, missed]), plain);
    assert.equal(crit.state, 2);
    assert.equal(
      crit.line,
      'member loss: the monitoring did not notice: Then within 15s the member "app-0" is all red (line 19): shop/app-0 is not all red non-transitively (3 checks in scope) by the deadline; in the way: nagios:app-0!HTTP is disabled',
    );
    const unknown = judgeScenario(result('member loss', 'error', [step('When ', 'I destroy member "app-0"', 'error', { message: 'virsh exited 1' })]), plain);
    assert.equal(unknown.state, 3);
    assert.match(unknown.line, /could not be carried out \(error\): When I destroy member "app-0" \(line 10\): virsh exited 1/);
  });

  it('@expected-to-fail: OK while it fails as designed (naming why), CRITICAL when it passes', () => {
    const control = judgeScenario(result('negative control', 'failed', [destroyed, missed]), negative);
    assert.equal(control.state, 0);
    assert.match(control.line, /^negative control: failed as designed \(@expected-to-fail\): Then within 15s.*in the way: nagios:app-0!HTTP is disabled$/);
    const broken = judgeScenario(result('negative control', 'passed', [destroyed, noticed]), negative);
    assert.equal(broken.state, 2);
    assert.match(broken.line, /the harness failed to fail, so it proves nothing/);
    assert.equal(judgeScenario(result('negative control', 'interrupted', [destroyed]), negative).state, 3);
  });

  it('a Given that does not hold is UNKNOWN, whichever way the scenario was meant to end: nothing was broken, nothing learnt', () => {
    for (const parsed of [plain, negative]) {
      const judged = judgeScenario(result('member loss', 'failed', [notGreen, step('When ', 'I destroy member "app-0"', 'skipped')]), parsed);
      assert.equal(judged.state, 3);
      assert.equal(
        judged.line,
        'member loss: not carried out, its precondition did not hold: Given the service "shop" is all green transitively (line 5): shop is not all green transitively: app-0 is pending',
      );
    }
  });

  it('the service takes the worst scenario (CRITICAL over UNKNOWN), links its run, and refuses a bad name', () => {
    const judged = [
      judgeScenario(result('a', 'passed', [destroyed, noticed]), plain),
      judgeScenario(result('b', 'error', [step('When ', 'x', 'error')]), plain),
      judgeScenario(result('c', 'failed', [destroyed, missed]), plain),
    ];
    const check = scenarioCheck('member-loss', judged, target, { nowMs: 1_765_000_000_000, runURL: 'https://vigil.example/scenarios/run-c' });
    assert.equal(check.state, 2);
    assert.match(check.output, /^CRITICAL - member-loss: c: the monitoring did not notice: /);
    assert.equal(check.longOutput[0], 'https://vigil.example/scenarios/run-c');
    assert.deepEqual(
      check.longOutput.slice(1).map((l) => l.split(':')[0]),
      ['OK', 'UNKNOWN', 'CRITICAL'],
    );
    assert.equal(check.perfdata, 'scenarios=3;;;0 not_ok=2;;;0');
    assert.equal(check.timestamp, 1_765_000_000);
    assert.throws(() => scenarioCheck('x', judged, { host: 'vigil', service: 'a;b' }, { nowMs: 0 }), /not a valid Nagios object name/);
  });
});
