import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createPrometheusExporter } from '../../../src/exporters/prometheus/index.ts';
import type { ErrorCheck } from '../../../src/core/index.ts';
import { promtool, quietLog, requireTool, result } from './helpers.ts';

const errorCheck = (c: Partial<ErrorCheck> & { name: string }): ErrorCheck => ({
  query: 'sum(x)',
  above: 0,
  severity: 'warning',
  exceeded: (c.value ?? 0) > 0,
  window: '42s',
  at: '2025-01-01T00:00:00.000Z',
  link: 'http://prometheus:9090/graph',
  ...c,
});

const rulesDir = fileURLToPath(new URL('../../../dashboards/prometheus/', import.meta.url));

test('promtool check metrics finds nothing to lint in a full exposition, process metrics included', async (t) => {
  if (!requireTool(t, 'promtool')) return;
  const exporter = createPrometheusExporter({
    version: '0.1.0',
    log: quietLog(),
    exporters: ['nagios'],
    targets: [{ suite: 'checkout', environment: 'production' }],
    ledger: { list: async () => [{ environment: 'production' }] },
  });
  for (const status of ['passed', 'flaky', 'failed', 'error'] as const) await exporter.publish(result(status));
  await exporter.publish(
    result('passed', { errorChecks: [errorCheck({ name: 'http-5xx', value: 3 }), errorCheck({ name: 'gateway', error: 'cannot reach Prometheus' })] }),
  );
  assert.match(await exporter.metrics(), /^vigil_error_query_value\{suite="checkout",environment="production",query="http-5xx"\} 3$/m);
  assert.match(
    await exporter.metrics(),
    /^vigil_error_query_exceeded\{suite="checkout",environment="production",query="http-5xx",severity="warning"\} 1$/m,
    'the default errorCheck (above 0) is exceeded at 3',
  );
  assert.doesNotMatch(await exporter.metrics(), /^vigil_error_query_exceeded\{[^}]*query="gateway"/m, 'a query that could not be asked sets nothing');
  assert.match(await exporter.metrics(), /^vigil_error_query_failures_total\{suite="checkout",environment="production",query="gateway"\} 1$/m);
  exporter.observeDelivery('nagios', false, 1);
  exporter.observeSkip('checkout', 'production');
  exporter.observeReap({ reaped: [{ environment: 'production', source: 'remote' }], failed: [] });
  exporter.observeModel(
    [{ node: 'shop', state: 'CRITICAL', allGreenOwn: true, allGreenTransitive: false }],
    [{ node: 'shop', state: 2, gaps: { unmonitored: 1, 'not-in-pool': 0, disabled: 0 } }],
  );
  const text = await exporter.metrics();
  assert.match(text, /^vigil_model_coverage_state\{node="shop"\} 2$/m);
  assert.match(text, /^process_cpu_user_seconds_total /m);

  const { code, output } = await promtool(['check', 'metrics'], text);
  assert.equal(output.trim(), '', 'promtool lint output');
  assert.equal(code, 0);
});

test('promtool reports a lint problem when there is one (the check above can fail)', async (t) => {
  if (!requireTool(t, 'promtool')) return;
  const { code, output } = await promtool(['check', 'metrics'], '# HELP fooBar x\n# TYPE fooBar counter\nfooBar 1\n');
  assert.equal(code, 3);
  assert.match(output, /fooBar/);
});

test('the alert rules are valid and their promtool unit tests pass', async (t) => {
  if (!requireTool(t, 'promtool')) return;
  const check = await promtool(['check', 'rules', `${rulesDir}vigil-alerts.yml`]);
  assert.equal(check.code, 0, check.output);
  assert.match(check.output, /SUCCESS: 17 rules found/);
  const unit = await promtool(['test', 'rules', `${rulesDir}vigil-alerts.test.yml`]);
  assert.equal(unit.code, 0, unit.output);
  assert.match(unit.output, /SUCCESS/);
});
