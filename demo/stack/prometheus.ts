// Prometheus scraping HAProxy's own exporter every second, with its data in the stack's temp dir.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Guardian } from './guardian.ts';
import { startChild, waitReady, type Child } from './child.ts';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';

export interface PrometheusLayout {
  dir: string;
  port: number;
  /** host:port of HAProxy's stats frontend (it serves /metrics). */
  haproxyTarget: string;
}

export function prometheusConfig(layout: PrometheusLayout): string {
  return `# Written by demo/stack (Vigil's example stack).
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: haproxy
    static_configs:
      - targets: ['${layout.haproxyTarget}']
`;
}

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/** An instant query; throws on an error answer (a bad query, Prometheus down). */
export async function promQuery(url: string, query: string): Promise<Sample[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; error?: string; data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  if (body.status !== 'success' || !body.data) throw new Error(`Prometheus query ${query}: ${body.error ?? res.status}`);
  return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

export async function startPrometheus(layout: PrometheusLayout, guardian: Guardian): Promise<Child> {
  const config = join(layout.dir, 'prometheus.yml');
  const storage = join(layout.dir, 'prometheus-data');
  await mkdir(storage, { recursive: true });
  await writeFile(config, prometheusConfig(layout));
  const child = startChild({
    name: 'prometheus',
    command: PROMETHEUS_BIN,
    args: [`--config.file=${config}`, `--storage.tsdb.path=${storage}`, `--web.listen-address=127.0.0.1:${layout.port}`, '--log.level=warn'],
    cwd: layout.dir,
    guardian,
  });
  const url = `http://127.0.0.1:${layout.port}`;
  try {
    // Ready = HAProxy's exporter has been scraped and the sample can be queried (~6 s after start).
    await waitReady(
      child,
      'a scraped HAProxy sample',
      async () => {
        const up = await promQuery(url, 'up{job="haproxy"}').catch(() => []);
        return up.some((s) => s.value === 1);
      },
      30_000,
    );
  } catch (err) {
    await child.stop();
    throw err;
  }
  return child;
}
