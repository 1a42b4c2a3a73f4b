// The deploy gate counts a passed run whose error query was exceeded (issue 19) as its Nagios state does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gateStatus, worstExitCode } from '../../src/cli/commands/gate.ts';
import type { ErrorCheck } from '../../src/core/index.ts';
import { flakyRun, runResult } from '../exporters/nagios/run-results.ts';

const exceeded = (severity: ErrorCheck['severity']): ErrorCheck => ({
  name: 'http-5xx',
  query: 'sum(x)',
  value: 3,
  above: 0,
  severity,
  exceeded: true,
  window: '40s',
  at: '2025-01-01T10:00:41.000Z',
  link: 'http://prometheus:9090/graph',
});

describe('gate status of a run with error checks', () => {
  it('warning: a passed run counts as flaky (exit 1); critical: as failed (exit 2); none: its own status', () => {
    assert.equal(gateStatus(runResult({ errorChecks: [exceeded('warning')] })), 'flaky');
    assert.equal(gateStatus(runResult({ errorChecks: [exceeded('critical')] })), 'failed');
    assert.equal(gateStatus({ ...flakyRun(), errorChecks: [exceeded('warning')] }), 'flaky');
    assert.equal(gateStatus(runResult()), 'passed');
    assert.equal(gateStatus({ status: 'error' }), 'error');
    assert.equal(worstExitCode([runResult({ errorChecks: [exceeded('warning')] }), runResult()].map(gateStatus)), 1);
  });
});
