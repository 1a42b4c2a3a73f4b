// The standalone endpoint behind `vigil metrics --listen`: /metrics and nothing else worth having,
// so it can run where the full API (and its token) should not.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExportError } from '../../shared/errors.ts';
import { metricsHandler } from './metrics-handler.ts';
import type { PrometheusExporter } from './prometheus-exporter.ts';

export interface MetricsServerOptions {
  exporter: Pick<PrometheusExporter, 'metrics' | 'contentType'>;
  /** Default 127.0.0.1; a container passes 0.0.0.0. */
  host?: string;
  /** Default 9464 (OpenTelemetry's Prometheus exporter port); 0 picks a free one. */
  port?: number;
}

export interface MetricsServer {
  /** Base URL, e.g. http://127.0.0.1:9464 ; metrics are at `${url}/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9464;
  const handle = metricsHandler(options.exporter);
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      void handle(req, res);
    } else if (path === '/metrics') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Vigil metrics: see /metrics\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found; metrics are at /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new ExportError(`cannot listen: ${err.message}`, { where: `metrics server ${host}:${port}`, cause: err })));
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Prometheus keeps its scrape connection alive; don't wait for it to go.
        server.closeAllConnections();
      }),
  };
}
