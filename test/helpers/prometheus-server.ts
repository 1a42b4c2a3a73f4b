// A real Prometheus (Debian's /usr/bin/prometheus) in a temp dir on 127.0.0.1, scraping tiny HTTP
// targets whose exposition a test rewrites at will. Scrape and rule evaluation every second, so a
// change shows within a couple of seconds; the first sample needs ~6 s after start (monitoring-facts.md).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './nagios-nsca.ts';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const prometheusAvailable = () => existsSync(PROMETHEUS_BIN);

export interface MetricsTarget {
  /** host:port, as Prometheus' `instance` label shows it. */
  address: string;
  /** Replaces the exposition (text format 0.0.4) served from now on. */
  set(text: string): void;
  /** Stops answering: Prometheus' next scrape fails, `up` becomes 0. */
  close(): Promise<void>;
}

export async function startMetricsTarget(text = ''): Promise<MetricsTarget> {
  let body = text;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    set: (t) => void (body = t),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface PrometheusServer {
  url: string;
  /** Instant query straight to the API, for the test's own waiting (not the code under test). */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

/** `jobs`: job name → target addresses. `rules`: the text of a rules file (groups: …), evaluated every second. */
export async function startPrometheus(opts: { jobs: Record<string, string[]>; rules?: string; scrapeInterval?: string }): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-prometheus-'));
  const interval = opts.scrapeInterval ?? '1s';
  const config = [
    `global: { scrape_interval: ${interval}, evaluation_interval: 1s }`,
    ...(opts.rules ? ['rule_files: [rules.yml]'] : []),
    'scrape_configs:',
    ...Object.entries(opts.jobs).map(([job, targets]) => `  - job_name: ${job}\n    static_configs: [{ targets: ${JSON.stringify(targets)} }]`),
    '',
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), config);
  if (opts.rules) await writeFile(join(dir, 'rules.yml'), opts.rules);
  const port = await freePort();
  const child = spawn(
    PROMETHEUS_BIN,
    [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const query = async (expr: string) => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { data?: { result?: Array<{ metric: Record<string, string>; value: [number, string] }> } };
    return body.data?.result ?? [];
  };
  // Ready when every target's first scrape is queryable.
  const targets = Object.values(opts.jobs).flat().length;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const up = await query('up').catch(() => []);
    if (up.length >= targets) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not start (${url}): ${stderr}`);
    }
    await sleep(250);
  }
  return { url, query, stop };
}
