// The HTTP side of `vigil serve`. This first slice answers health and run history; triggering,
// artifacts and the UI come with the service-mode work.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { metricsHandler, type PrometheusExporter } from '../exporters/prometheus/index.ts';
import type { Log } from '../shared/log.ts';
import type { Store } from '../store/types.ts';

export interface ApiDeps {
  store: Store;
  listen: string;
  log: Log;
  /** The Prometheus exporter; /metrics answers 404 without it. */
  metrics?: Pick<PrometheusExporter, 'metrics' | 'contentType'>;
}

export async function createApiServer(deps: ApiDeps) {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  const metrics = deps.metrics && metricsHandler(deps.metrics);
  app.get('/metrics', async (req, res) => {
    if (!metrics) return void res.status(404).json({ error: 'metrics are not enabled' });
    await metrics(req, res);
  });
  app.get('/api/runs', (req, res) => {
    const q = req.query;
    const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
    const limit = q.limit === undefined ? 50 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      return void res.status(400).json({ error: 'limit must be an integer from 1 to 1000' });
    }
    res.json({ runs: deps.store.runs.list({ suite: str(q.suite), environment: str(q.environment), status: str(q.status) as never, limit }) });
  });
  app.get('/api/runs/:id', (req, res) => {
    const run = deps.store.runs.get(req.params.id);
    if (!run) return void res.status(404).json({ error: `no run with id ${req.params.id}` });
    res.json(run);
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  const { host, port } = parseListen(deps.listen);
  const server = await new Promise<import('node:http').Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function parseListen(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen ${listen}: expected host:port, e.g. 0.0.0.0:9464`);
  return { host: m[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(m[2]) };
}
