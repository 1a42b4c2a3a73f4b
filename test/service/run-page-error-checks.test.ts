// The run page shows a run's error queries (issue 19): each query, its value linking to Prometheus,
// its threshold and window; one that could not be asked says why. Everything escaped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPage } from '../../src/api/ui/run-page.ts';
import { runResult } from '../exporters/nagios/run-results.ts';

const base = { query: 'sum(x{code=~"5.."})', above: 0, window: '40s', at: '2025-01-01T10:00:41.000Z', link: 'http://prometheus:9090/graph?g0.expr=x&g0.tab=1' };

describe('run page: error queries', () => {
  it('lists each with its value, linked to Prometheus, and says when one could not be asked', () => {
    const page = runPage(
      runResult({
        errorChecks: [
          { ...base, name: 'http-5xx', value: 7, severity: 'warning', exceeded: true },
          { ...base, name: 'gateway', severity: 'critical', exceeded: false, error: 'cannot reach Prometheus at http://prometheus:9090: ECONNREFUSED' },
        ],
      }),
      [],
    );
    assert.match(page, /<h2>Errors over the run \(Prometheus\)<\/h2>/);
    assert.match(page, /<b>http-5xx<\/b> <span class="badge flaky">warning<\/span>/);
    assert.match(page, /<code>sum\(x\{code=~&quot;5\.\.&quot;\}\)<\/code>/);
    assert.match(page, /<a href="http:\/\/prometheus:9090\/graph\?g0\.expr=x&amp;g0\.tab=1">7<\/a>/);
    assert.match(page, /could not be asked: cannot reach Prometheus/);
    assert.doesNotMatch(runPage(runResult(), []), /Errors over the run/);
  });
});
