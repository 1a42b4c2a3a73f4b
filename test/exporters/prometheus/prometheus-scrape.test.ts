// A real Prometheus scrapes the standalone metrics server on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createPrometheusExporter, startMetricsServer } from '../../../src/exporters/prometheus/index.ts';
import { quietLog, requireTool, result } from './helpers.ts';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

interface QueryAnswer {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

test('Prometheus scrapes probe_success 0 for a failed suite and 1 for a passed one', { timeout: 60_000 }, async (t) => {
  if (!requireTool(t, 'prometheus')) return;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prometheus-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const exporter = createPrometheusExporter({
    version: '0.1.0',
    log: quietLog(),
    targets: [
      { suite: 'checkout', environment: 'production' },
      { suite: 'login', environment: 'production' },
    ],
  });
  await exporter.publish(result('failed', { suite: 'checkout' }));
  await exporter.publish(result('passed', { suite: 'login' }));
  const server = await startMetricsServer({ exporter, host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const target = new URL(server.url).host;

  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: vigil\n    static_configs: [{ targets: ['${target}'] }]\n`,
  );
  const port = await freePort();
  const prometheus = spawn(
    'prometheus',
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  prometheus.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => prometheus.once('exit', () => resolve()));
  t.after(async () => {
    prometheus.kill('SIGTERM');
    const killer = setTimeout(() => prometheus.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
  });

  let series: QueryAnswer['data']['result'] = [];
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; attempt < 120 && Date.now() < deadline; attempt++) {
    try {
      const answer = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=probe_success`, {
        signal: AbortSignal.timeout(2000),
      });
      const body = (await answer.json()) as QueryAnswer;
      series = body.data?.result ?? [];
      if (series.length >= 2) break;
    } catch {
      // Not listening yet.
    }
    if (prometheus.exitCode !== null) assert.fail(`prometheus exited: ${stderr}`);
    await sleep(500);
  }
  assert.equal(series.length, 2, `probe_success series seen by Prometheus: ${JSON.stringify(series)}\n${stderr}`);
  const bySuite = Object.fromEntries(series.map((s) => [s.metric.suite, s.value[1]]));
  assert.deepEqual(bySuite, { checkout: '0', login: '1' });
  for (const s of series) {
    // job/instance come from Prometheus's scrape config, never from Vigil (no exported_job clash).
    assert.equal(s.metric.job, 'vigil');
    assert.equal(s.metric.exported_job, undefined);
    assert.equal(s.metric.environment, 'production');
  }
});
