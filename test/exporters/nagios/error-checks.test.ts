// A passed run's error queries (issue 19) in its Nagios result: the state they raise it to, the first
// line naming the query and its value, the long output with the query and its link, the perfdata.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runExitCode, type ErrorCheck } from '../../../src/core/index.ts';
import { formatCheckResult } from '../../../src/exporters/nagios/plugin-output.ts';
import { failedRun, flakyRun, runResult } from './run-results.ts';

const check = (over: Partial<ErrorCheck> = {}): ErrorCheck => ({
  name: 'http-5xx',
  query: 'sum(increase(http_requests_total{code=~"5.."}[41s]))',
  value: 7,
  above: 0,
  severity: 'warning',
  exceeded: true,
  window: '41s',
  at: '2025-01-01T10:00:41.000Z',
  link: 'http://prometheus:9090/graph?g0.expr=x',
  ...over,
});

describe('error checks in the Nagios result', () => {
  it('a passed run with an exceeded warning query is WARNING, naming the query and its value; the long output has the query and its link', () => {
    const result = runResult({ errorChecks: [check()] });
    const c = formatCheckResult(result, { publicURL: 'https://vigil.example.com' });
    assert.equal(c.state, 1);
    assert.equal(runExitCode(result), 1);
    assert.equal(c.output, 'WARNING - checkout: 14 tests passed in 31.2s, but http-5xx = 7 over the run (above 0)');
    assert.deepEqual(c.longOutput.slice(0, 4), [
      'run page: https://vigil.example.com/runs/r_abc123',
      'http-5xx = 7 over 41s to 2025-01-01T10:00:41.000Z (above 0: warning)',
      '    sum(increase(http_requests_total{code=~"5.."}[41s]))',
      '    http://prometheus:9090/graph?g0.expr=x',
    ]);
    assert.match(c.perfdata, / http-5xx=7;0;;;$/);
  });

  it('critical raises a passed or flaky run to CRITICAL; warning leaves a flaky run WARNING; not exceeded leaves it alone', () => {
    assert.equal(formatCheckResult(runResult({ errorChecks: [check({ severity: 'critical', above: 5 })] })).state, 2);
    assert.equal(runExitCode({ ...flakyRun(), errorChecks: [check({ severity: 'critical' })] }), 2);
    assert.equal(formatCheckResult({ ...flakyRun(), errorChecks: [check()] }).state, 1);
    const quiet = runResult({ errorChecks: [check({ value: 0, exceeded: false })] });
    assert.equal(formatCheckResult(quiet).output, 'OK - checkout: 14 tests passed in 31.2s');
    assert.equal(runExitCode(quiet), 0);
    assert.match(
      formatCheckResult(runResult({ errorChecks: [check({ severity: 'critical', above: 5, value: 0, exceeded: false })] })).perfdata,
      / http-5xx=0;;5;;$/,
    );
  });

  it('a stateMap applies to the status first: { passed: 0 } with an exceeded query is still WARNING; a failed run stays CRITICAL', () => {
    assert.equal(formatCheckResult(runResult({ errorChecks: [check()] }), { stateMap: { passed: 0 } }).state, 1);
    assert.equal(runExitCode(failedRun({ errorChecks: [check()] })), 2);
  });

  it('a query that could not be asked leaves the run OK and says so', () => {
    const result = runResult({
      errorChecks: [check({ value: undefined, exceeded: false, error: 'cannot reach Prometheus at http://prometheus:9090: ECONNREFUSED' })],
    });
    const c = formatCheckResult(result);
    assert.equal(c.state, 0);
    assert.equal(c.output, 'OK - checkout: 14 tests passed in 31.2s (error query http-5xx could not be asked)');
    assert.equal(c.longOutput[0], 'http-5xx could not be asked: cannot reach Prometheus at http://prometheus:9090: ECONNREFUSED');
    assert.doesNotMatch(c.perfdata, /http-5xx/);
  });
});
