// Errors a suite cannot see (issue 19): a real Prometheus scrapes the demo app's /metrics; `vigil run`
// of the demo suite asks a 5xx query over the run's own window after the suite passed. With the `logo`
// fault every page's logo answers 500 — no test asserts it — and the run is WARNING with the value.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { RunResult } from '../../src/core/index.ts';
import { formatCheckResult } from '../../src/exporters/nagios/index.ts';
import { setupE2E, type E2E } from '../helpers/e2e-setup.ts';
import { prometheusAvailable, startPrometheus, type PrometheusServer } from '../helpers/prometheus-server.ts';
import { repoRoot, runVigil } from '../helpers/vigil-cli.ts';

const QUERY = 'sum(increase(demo_http_requests_total{status=~"5..",synthetic="true"}[{{window}}]))';

describe('error queries: a passed run with 5xx over its window', { skip: !prometheusAvailable() && 'no /usr/bin/prometheus' }, () => {
  let e: E2E;
  let prometheus: PrometheusServer;
  before(async () => {
    e = await setupE2E();
    prometheus = await startPrometheus({ jobs: { demo: [new URL(e.demoUrl).host] } });
    await e.writeConfig({
      suite: `
  demo:
    path: ${path.join(repoRoot, 'suites/demo')}
    environments: [local]
    timeout: 3m
    retries: 1
    grepInvert: { local: "@payments" }
    syntheticHeader: true
    errorQueries:
      - name: http-5xx
        prometheus: ${prometheus.url}
        query: '${QUERY}'
        job: demo`,
    });
  });
  after(async () => {
    await prometheus?.stop();
    await e?.close();
  });

  const run = async () => {
    const r = await runVigil(['run', '--config', e.configFile, '--suite', 'demo', '--environment', 'local', '--json'], { env: e.env });
    let result: RunResult;
    try {
      result = JSON.parse(r.stdout);
    } catch {
      assert.fail(`stdout is not a RunResult (exit ${r.code}):\n${r.stdout}\nstderr:\n${r.stderr}`);
    }
    return { ...r, result };
  };

  /** How long the query held the run up after its teardown: evaluation time minus the end of the phases. */
  const delayOf = (result: RunResult) => {
    const at = Date.parse(result.errorChecks?.[0]?.at ?? '');
    const phases = result.phases.tenant_setup + result.phases.test + result.phases.teardown;
    return (at - Date.parse(result.startedAt)) / 1000 - phases;
  };

  test('with the logo answering 500, the run passes its tests but is WARNING, naming the query and its value', async (t) => {
    e.demo.setFaults({ logo: true });
    try {
      const { code, result, stderr } = await run();
      assert.equal(result.status, 'passed', stderr);
      assert.equal(code, 1, 'exit code 1: WARNING');
      const [check] = result.errorChecks ?? [];
      assert.ok(check, `an error check is recorded: ${JSON.stringify(result.errorChecks)}`);
      assert.equal(check.name, 'http-5xx');
      assert.equal(check.error, undefined);
      assert.ok((check.value ?? 0) > 0, `the 5xx of the run are counted: ${JSON.stringify(check)}`);
      assert.equal(check.exceeded, true);
      assert.match(check.query, /\[\d+s\]\)\)$/, 'the window is filled in');
      assert.ok(check.link.startsWith(`${prometheus.url}/graph?`), check.link);
      const nagios = formatCheckResult(result);
      assert.equal(nagios.state, 1);
      assert.match(nagios.output, /^WARNING - demo: \d+ tests passed in [\d.]+s, but http-5xx = [\d.]+ over the run \(above 0\)$/);
      assert.ok(
        nagios.longOutput.some((l) => l.includes(check.link)),
        nagios.longOutput.join('\n'),
      );
      assert.match(nagios.perfdata, / http-5xx=[\d.]+;0;;;$/);
      t.diagnostic(`query value ${check.value}; delay after the teardown ${delayOf(result).toFixed(2)}s`);
    } finally {
      e.demo.setFaults({ logo: false });
    }
  });

  test('without the fault the run is OK, with the query asked and 0', async (t) => {
    const { code, result, stderr } = await run();
    assert.equal(result.status, 'passed', stderr);
    assert.equal(code, 0);
    const [check] = result.errorChecks ?? [];
    assert.equal(check?.value, 0, JSON.stringify(result.errorChecks));
    assert.equal(check.exceeded, false);
    assert.match(formatCheckResult(result).output, /^OK - demo: \d+ tests passed in [\d.]+s$/);
    t.diagnostic(`delay after the teardown ${delayOf(result).toFixed(2)}s`);
  });

  test('an unreachable Prometheus leaves the passed run OK, with the error recorded and said', async () => {
    const unreachable = 'http://127.0.0.1:9';
    await e.writeConfig({
      suite: `
  demo:
    path: ${path.join(repoRoot, 'suites/demo')}
    environments: [local]
    timeout: 3m
    grepInvert: { local: "@payments" }
    files: tests/login.spec.ts
    errorQueries:
      - name: http-5xx
        prometheus: ${unreachable}
        query: '${QUERY}'`,
    });
    const { code, result, stderr } = await run();
    assert.equal(result.status, 'passed', stderr);
    assert.equal(code, 0);
    const [check] = result.errorChecks ?? [];
    assert.match(check?.error ?? '', /cannot reach Prometheus at http:\/\/127\.0\.0\.1:9/);
    assert.equal(check.value, undefined);
    assert.match(formatCheckResult(result).output, /^OK - demo: .*\(error query http-5xx could not be asked\)$/);
  });
});
