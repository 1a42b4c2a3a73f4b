// The Grafana dashboard only shows what Vigil exports: every metric and label its queries name is
// checked against the exposition of a real Prometheus exporter, and every query against promtool's
// PromQL parser. A renamed metric breaks this test, not an operator's dashboard.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { createPrometheusExporter } from '../../src/exporters/prometheus/index.ts';
import { scenarioRecord, scenarioRegistry } from '../../src/scenarios/index.ts';
import { openStore } from '../../src/store/open-store.ts';
import type { Store } from '../../src/store/types.ts';
import { parseExposition, promtool, quietLog, requireTool, result } from '../exporters/prometheus/helpers.ts';
import { repoRoot } from '../helpers/vigil-cli.ts';

const dashboardFile = path.join(repoRoot, 'dashboards/grafana/vigil.json');
const dashboard = JSON.parse(readFileSync(dashboardFile, 'utf8')) as Record<string, unknown>;

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr?: string; datasource?: { uid: string } }>;
  panels?: Panel[];
}
const panels = (dashboard.panels as Panel[]).flatMap((p) => [p, ...(p.panels ?? [])]);
const queryPanels = panels.filter((p) => p.type !== 'row');
const templating = (dashboard.templating as { list: Array<{ name: string; type: string; query: unknown; definition?: string }> }).list;

/** Every PromQL expression in the dashboard, with where it is; template variables' label_values too. */
function expressions(): Array<{ where: string; expr: string }> {
  const found: Array<{ where: string; expr: string }> = [];
  for (const p of queryPanels) {
    for (const [i, t] of (p.targets ?? []).entries()) if (t.expr) found.push({ where: `panel "${p.title}" target ${i}`, expr: t.expr });
  }
  for (const v of templating.filter((v) => v.type === 'query')) {
    const q = typeof v.query === 'string' ? v.query : (v.query as { query: string }).query;
    const m = /^label_values\((.*),\s*(\w+)\)$/.exec(q);
    assert.ok(m, `variable ${v.name}: label_values(selector, label), got ${q}`);
    found.push({ where: `variable $${v.name}`, expr: m[1] });
  }
  return found;
}

// Grafana fills these in before Prometheus sees the query.
const withGrafanaVariables = (expr: string) =>
  expr
    .replaceAll('$__rate_interval', '5m')
    .replaceAll('$__range', '1h')
    .replaceAll('$__interval', '1m')
    .replace(/\$(\w+)/g, '.*');

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'inf', 'nan']);

/** The metric selectors of a PromQL expression: name and the label names its matchers use. */
function selectors(expr: string): Array<{ name: string; labels: string[] }> {
  const found: Array<{ name: string; labels: string[] }> = [];
  // Label matchers first, keyed by the metric name in front of them.
  const withoutMatchers = expr.replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}/g, (_, name: string | undefined, body: string) => {
    const labels = [...body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]);
    assert.ok(name, `a selector without a metric name in ${expr}`);
    found.push({ name, labels });
    return ' ';
  });
  const bare = withoutMatchers
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\()/g)) {
    const rest = bare.slice(m.index + m[0].length);
    if (/^[a-zA-Z0-9_:]/.test(rest) || /^\s*\(/.test(rest) || KEYWORDS.has(m[0].toLowerCase())) continue;
    if (/\d/.test(bare[m.index - 1] ?? '') || bare[m.index - 1] === '.') continue; // 1e3, 0.95
    found.push({ name: m[0], labels: [] });
  }
  return found;
}

describe('Grafana dashboard', () => {
  let store: Store;
  let dir: string;
  /** Sample name → label names seen on it, from a real exporter after a few runs. */
  const exported = new Map<string, Set<string>>();

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-grafana-'));
    store = await openStore(path.join(dir, 'vigil.db'));
    const exporter = createPrometheusExporter({
      version: '0.0.0-test',
      log: quietLog(),
      ledger: store.tenants,
      lastResults: store.runs,
      targets: [{ suite: 'checkout', environment: 'production' }],
      exporters: ['nagios'],
    });
    for (const status of ['passed', 'flaky', 'failed', 'error'] as const) await exporter.publish(result(status));
    // A passed run with its error queries: one asked and over its threshold, one that could not be asked.
    const check = { query: 'sum(increase(http_5xx[93s]))', above: 0, window: '93s', at: new Date().toISOString(), link: 'http://prometheus.test/graph' };
    await exporter.publish(
      result('passed', {
        errorChecks: [
          { ...check, name: 'http-5xx', value: 16, severity: 'warning', exceeded: true },
          { ...check, name: 'payments', severity: 'critical', exceeded: false, error: 'Prometheus unreachable' },
        ],
      }),
    );
    exporter.observeDelivery('nagios', false, 1);
    exporter.observeReap({ reaped: [{ environment: 'production', source: 'ledger' }], failed: [] });
    exporter.observeSkip('checkout', 'production');
    // A model node with a pool: vigil_model_* and the coverage families, as serve's evaluation sets them.
    exporter.observeModel(
      [{ node: 'shop', state: 'CRITICAL', allGreenOwn: true, allGreenTransitive: false }],
      [{ node: 'shop', state: 2, gaps: { unmonitored: 1, 'not-in-pool': 0, disabled: 0 } }],
    );
    // A stored scenario run whose Then held: vigil_scenario_* as serve's /metrics and the textfile have them.
    const at = new Date().toISOString();
    await store.scenarioRuns.save(
      scenarioRecord({
        id: 'sc1',
        file: 'member-loss.feature',
        feature: 'Losing one member',
        scenario: 'one app member is destroyed',
        line: 3,
        status: 'passed',
        startedAt: at,
        finishedAt: at,
        steps: [{ keyword: 'Then', text: 'within 2m the member "app-0" is all red', line: 5, status: 'passed', durationMs: 8000, timeToDetectMs: 8000 }],
        cleanup: [],
      }),
    );
    const scenarioText = await (await scenarioRegistry(store.scenarioRuns)).metrics();
    for (const s of parseExposition(`${await exporter.metrics()}\n${scenarioText}`)) {
      const labels = exported.get(s.name) ?? new Set<string>();
      for (const l of Object.keys(s.labels)) labels.add(l);
      exported.set(s.name, labels);
    }
    // serve's own scenario families (their fires), declared where serve builds them: name and label names.
    const serveSource = readFileSync(path.join(repoRoot, 'src/cli/serve/scenario-schedule.ts'), 'utf8');
    const declared = [...serveSource.matchAll(/name: '(vigil_scenario_\w+)',[\s\S]*?labelNames: \[([^\]]*)\]/g)];
    assert.ok(declared.length >= 2, 'vigil_scenario_fires_skipped_total and vigil_scenario_state declared in scenario-schedule.ts');
    for (const [, name, labels] of declared) exported.set(name, new Set([...labels.matchAll(/'(\w+)'/g)].map((m) => m[1])));
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('queries only metrics Vigil exports, with labels those metrics carry', () => {
    const problems: string[] = [];
    let checked = 0;
    for (const { where, expr } of expressions()) {
      for (const s of selectors(expr)) {
        checked++;
        const labels = exported.get(s.name);
        if (!labels) {
          problems.push(`${where}: ${s.name} is not in Vigil's exposition`);
          continue;
        }
        for (const l of s.labels) if (!labels.has(l)) problems.push(`${where}: ${s.name} has no label ${l} (has ${[...labels].join(', ')})`);
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 15, `only ${checked} metric references found: is the parser reading the dashboard?`);
  });

  it('finds a wrong metric name (the check above can fail)', () => {
    const names = selectors('sum by (le) (rate(vigil_run_phase_seconds_bucket{suite=~"$suite"}[5m])) / vigil_runs_totl');
    assert.deepEqual(names.map((s) => s.name).sort(), ['vigil_run_phase_seconds_bucket', 'vigil_runs_totl']);
    assert.ok(!exported.has('vigil_runs_totl') && !exported.has('vigil_run_phase_seconds_bucket'));
  });

  it('covers what an operator looks at: status grid, phase durations, flaky rate, orphans, exporter failures, last success', () => {
    const all = expressions()
      .map((e) => e.expr)
      .join('\n');
    assert.match(all, /probe_success\{suite=~"\$suite", environment=~"\$environment"\}/);
    assert.match(
      all,
      /histogram_quantile\([\s\S]*vigil_run_phase_duration_seconds_bucket[\s\S]*by \(le, phase\)|histogram_quantile\(0\.\d+, sum by \(le, phase\) \(rate\(vigil_run_phase_duration_seconds_bucket/,
    );
    assert.match(all, /vigil_runs_total\{[^}]*status="flaky"\}/);
    assert.match(all, /vigil_tenant_orphans/);
    assert.match(all, /vigil_export_failures_total/);
    assert.match(all, /time\(\) - max by \(suite, environment\) \(vigil_last_success_timestamp_seconds/);
    // Replicas each export the pair's last state: gauges are taken once per pair, not once per replica.
    assert.match(all, /max by \(suite, environment\) \(probe_success\{/);
    assert.match(all, /max by \(environment\) \(vigil_tenant_orphans/);
    assert.ok(
      queryPanels.some((p) => p.type === 'state-timeline' || p.type === 'stat'),
      'a status grid',
    );
    // Scheduled scenarios: the judged state (what the alerts page on), runs, last success, time to detect per Then, skipped fires.
    assert.match(all, /max by \(schedule\) \(vigil_scenario_state\)/);
    assert.match(all, /vigil_scenario_runs_total/);
    assert.match(all, /time\(\) - max by \(scenario\) \(vigil_scenario_last_success_timestamp_seconds\)/);
    assert.match(all, /max by \(scenario, step\) \(vigil_scenario_time_to_detect_seconds\)/);
    assert.match(all, /vigil_scenario_fires_skipped_total/);
    // Errors during runs: the queries over their threshold, their values, the ones that could not be asked.
    assert.match(all, /max by \(suite, environment, query, severity\) \(vigil_error_query_exceeded/);
    assert.match(all, /vigil_error_query_value/);
    assert.match(all, /increase\(vigil_error_query_failures_total/);
  });

  it('is importable: schema 39, a ${DS_PROMETHEUS} input used by every query, suite/environment variables from probe_success', () => {
    assert.equal(dashboard.schemaVersion, 39);
    assert.deepEqual(
      (dashboard.__inputs as Array<{ name: string; pluginId: string }>).map((i) => [i.name, i.pluginId]),
      [['DS_PROMETHEUS', 'prometheus']],
    );
    for (const p of queryPanels) {
      assert.equal(p.datasource?.uid, '${DS_PROMETHEUS}', `panel "${p.title}" datasource`);
      for (const t of p.targets ?? []) assert.equal(t.datasource?.uid, '${DS_PROMETHEUS}', `panel "${p.title}" target datasource`);
    }
    const vars = Object.fromEntries(templating.map((v) => [v.name, v.definition]));
    assert.equal(vars.suite, 'label_values(probe_success, suite)');
    assert.match(vars.environment ?? '', /^label_values\(probe_success.*, environment\)$/);
    const ids = panels.map((p) => (p as unknown as { id: number }).id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
  });

  it('parses with promtool: every query is valid PromQL', async (t) => {
    if (!requireTool(t, 'promtool')) return;
    const rules = {
      groups: [
        { name: 'grafana-dashboard-queries', rules: expressions().map((e, i) => ({ record: `grafana:query:${i}`, expr: withGrafanaVariables(e.expr) })) },
      ],
    };
    const file = path.join(dir, 'dashboard-queries.yml');
    await writeFile(file, stringify(rules));
    const r = await promtool(['check', 'rules', file]);
    assert.equal(r.code, 0, r.output);
  });
});
