// The ways metrics leave Vigil: /metrics (express or standalone), node_exporter textfile, Pushgateway.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { createPrometheusExporter, metricsHandler, pushToGateway, startMetricsServer, writeTextfile } from '../../../src/exporters/prometheus/index.ts';
import { ExportError } from '../../../src/shared/errors.ts';
import { parseExposition, promtool, quietLog, requireTool, result, sampleValue } from './helpers.ts';

const prod = { suite: 'checkout', environment: 'production' };

async function exporterWithRuns() {
  const exporter = createPrometheusExporter({ version: '0.1.0', log: quietLog(), targets: [prod] });
  await exporter.publish(result('failed'));
  return exporter;
}

const tempDir = (t: { after(fn: () => void): void }) => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-prom-out-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

describe('/metrics', () => {
  test('mounted in express, it serves the exposition with the Prometheus content type', async (t) => {
    const exporter = await exporterWithRuns();
    const app = express();
    app.get('/metrics', metricsHandler(exporter));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const answer = await fetch(`http://127.0.0.1:${port}/metrics`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await answer.text();
    assert.equal(sampleValue(text, 'probe_success', prod), 0);
    assert.match(text, /^process_resident_memory_bytes /m);
    // Served from cached chunks: the same exposition as metrics(), with its exact length.
    const withoutProcess = (s: string) =>
      s
        .split('\n')
        .filter((l) => !/^(# (HELP|TYPE) )?(process|nodejs)_/.test(l))
        .join('\n');
    assert.equal(withoutProcess(text), withoutProcess(await exporter.metrics()));
    assert.equal(Number(answer.headers.get('content-length')), Buffer.byteLength(text));
    // A change after a scrape is in the next one; HEAD answers the length and no body.
    await exporter.publish(result('passed', { runId: 'later', finishedAt: new Date(Date.UTC(2030, 0, 1)).toISOString() }));
    assert.equal(sampleValue(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(), 'probe_success', prod), 1);
    const head = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.ok(Number(head.headers.get('content-length')) > 0);
    assert.equal(await head.text(), '');
  });

  test('a collection failure answers 500 saying what broke', async (t) => {
    const broken = { contentType: 'text/plain', metrics: () => Promise.reject(new Error('registry exploded')) };
    const server = await startMetricsServer({ exporter: broken, port: 0 });
    t.after(() => server.close());
    const answer = await fetch(`${server.url}/metrics`);
    assert.equal(answer.status, 500);
    assert.match(await answer.text(), /registry exploded/);
  });

  test('the standalone server serves /metrics only, and close() ends kept-alive connections', async () => {
    const server = await startMetricsServer({ exporter: await exporterWithRuns(), host: '127.0.0.1', port: 0 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const metrics = await fetch(`${server.url}/metrics`, { headers: { connection: 'keep-alive' } });
    assert.equal(sampleValue(await metrics.text(), 'probe_success', prod), 0);
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
    assert.equal((await fetch(`${server.url}/metrics`, { method: 'POST' })).status, 405);
    await server.close();
    await assert.rejects(fetch(`${server.url}/metrics`));
  });

  test('a port already taken is an ExportError naming the address', async (t) => {
    const first = await startMetricsServer({ exporter: await exporterWithRuns(), port: 0 });
    t.after(() => first.close());
    const port = Number(new URL(first.url).port);
    await assert.rejects(startMetricsServer({ exporter: await exporterWithRuns(), port }), (err: Error) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, new RegExp(`metrics server 127\\.0\\.0\\.1:${port}: cannot listen`));
      return true;
    });
  });
});

describe('node_exporter textfile', () => {
  test('writes Vigil series only (no process_*), replacing the file by rename and leaving no temp file', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'vigil.prom');
    writeFileSync(path, 'old content\n');
    const before = statSync(path).ino;
    const exporter = await exporterWithRuns();
    await writeTextfile(exporter, path);
    assert.notEqual(statSync(path).ino, before, 'a new file renamed over the old one, not rewritten in place');
    assert.deepEqual(readdirSync(dir), ['vigil.prom']);
    const text = readFileSync(path, 'utf8');
    assert.equal(sampleValue(text, 'probe_success', prod), 0);
    const names = new Set(parseExposition(text).map((s) => s.name));
    assert.ok(![...names].some((n) => n.startsWith('process_') || n.startsWith('nodejs_')), [...names].join());
    if (requireTool(t, 'promtool')) {
      const lint = await promtool(['check', 'metrics'], text);
      assert.equal(lint.code, 0, lint.output);
    }
  });

  test('a reader never sees a partial file while it is rewritten', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'vigil.prom');
    const exporter = await exporterWithRuns();
    await writeTextfile(exporter, path);
    const whole = readFileSync(path, 'utf8');
    let reads = 0;
    for (let round = 0; round < 30; round++) {
      const writing = writeTextfile(exporter, path);
      // Read while the write is under way, as node_exporter would at scrape time.
      for (let i = 0; i < 5; i++) {
        assert.equal(readFileSync(path, 'utf8'), whole);
        reads++;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await writing;
    }
    assert.equal(reads, 150);
    assert.deepEqual(readdirSync(dir), ['vigil.prom']);
  });

  test('a name not ending in .prom or a missing folder is an ExportError, and nothing is left behind', async (t) => {
    const dir = tempDir(t);
    const exporter = await exporterWithRuns();
    await assert.rejects(writeTextfile(exporter, join(dir, 'vigil.txt')), (err: Error) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, /vigil\.txt: file name must end in \.prom/);
      return true;
    });
    await assert.rejects(writeTextfile(exporter, join(dir, 'missing', 'vigil.prom')), /textfile .*missing.*ENOENT/);
    assert.deepEqual(readdirSync(dir), []);
    assert.ok(!existsSync(join(dir, 'vigil.txt')));
  });
});

describe('Pushgateway', () => {
  async function standIn(t: { after(fn: () => unknown): void }, status: number) {
    const received: Array<{ method?: string; url?: string; auth?: string; body: string }> = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.writeHead(status).end(status >= 400 ? 'pushed metrics are invalid' : '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise((resolve) => server.close(resolve)));
    return { received, port: (server.address() as AddressInfo).port };
  }

  test('PUTs Vigil series to the group job/<job>/<groupings>, without process metrics', async (t) => {
    const gateway = await standIn(t, 200);
    await pushToGateway(await exporterWithRuns(), {
      url: `http://127.0.0.1:${gateway.port}`,
      job: 'vigil',
      groupings: { suite: 'checkout', environment: 'production' },
    });
    assert.equal(gateway.received.length, 1);
    const [push] = gateway.received;
    assert.equal(push.method, 'PUT');
    assert.equal(push.url, '/metrics/job/vigil/suite/checkout/environment/production');
    assert.equal(sampleValue(push.body, 'probe_success', prod), 0);
    assert.doesNotMatch(push.body, /^process_/m);
  });

  test("pushes only the group's series: other pairs and environments stay out, series without those labels go", async (t) => {
    const gateway = await standIn(t, 200);
    // A label value that looks like a grouping label must not fool the filter.
    const version = '0.1.0",suite="login';
    const exporter = createPrometheusExporter({
      version,
      log: quietLog(),
      targets: [prod, { suite: 'login', environment: 'production' }, { suite: 'checkout', environment: 'staging' }],
    });
    await exporter.publish(result('failed'));
    await exporter.publish(result('passed', { suite: 'login' }));
    await exporter.publish(result('passed', { environment: 'staging' }));
    await pushToGateway(exporter, { url: `http://127.0.0.1:${gateway.port}`, job: 'vigil', groupings: prod });
    const samples = parseExposition(gateway.received[0].body);
    const pairs = new Set(samples.filter((s) => s.labels.suite || s.labels.environment).map((s) => `${s.labels.suite}/${s.labels.environment}`));
    assert.deepEqual([...pairs].sort(), ['checkout/production', 'undefined/production'], "the pair, and its environment's series");
    assert.equal(sampleValue(gateway.received[0].body, 'probe_success', prod), 0);
    assert.equal(samples.find((s) => s.name === 'vigil_build_info')?.labels.version, '0.1.0\\",suite=\\"login');
    assert.ok(samples.some((s) => s.name === 'vigil_run_phase_duration_seconds_count'));
    // Every family is still declared, so a family whose samples all belonged to other pairs is empty, not gone.
    assert.match(gateway.received[0].body, /^# TYPE probe_success gauge$/m);
  });

  test('a refused push is an ExportError that shows neither the password nor the user', async (t) => {
    const gateway = await standIn(t, 400);
    const url = `http://pushuser:s3cret-pass@127.0.0.1:${gateway.port}`;
    await assert.rejects(pushToGateway(await exporterWithRuns(), { url, job: 'vigil' }), (err: Error) => {
      assert.ok(err instanceof ExportError);
      assert.match(err.message, /pushgateway http:\/\/127\.0\.0\.1:\d+\/ job=vigil: push failed with status 400/);
      assert.doesNotMatch(err.message, /s3cret-pass|pushuser/);
      return true;
    });
    assert.equal(gateway.received[0].auth, `Basic ${Buffer.from('pushuser:s3cret-pass').toString('base64')}`);
  });
});
