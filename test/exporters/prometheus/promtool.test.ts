import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createPrometheusExporter } from '../../../src/exporters/prometheus/index.ts';
import { promtool, quietLog, requireTool, result } from './helpers.ts';

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
  exporter.observeDelivery('nagios', false, 1);
  exporter.observeSkip('checkout', 'production');
  exporter.observeReap({ reaped: [{ environment: 'production', source: 'remote' }], failed: [] });
  const text = await exporter.metrics();
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
  assert.match(check.output, /SUCCESS: 10 rules found/);
  const unit = await promtool(['test', 'rules', `${rulesDir}vigil-alerts.test.yml`]);
  assert.equal(unit.code, 0, unit.output);
  assert.match(unit.output, /SUCCESS/);
});
