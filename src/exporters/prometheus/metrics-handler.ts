import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '../../shared/errors.ts';
import type { PrometheusExporter } from './prometheus-exporter.ts';

/** `GET /metrics` for express (`app.get('/metrics', metricsHandler(exporter))`) or node:http. */
export function metricsHandler(
  exporter: Pick<PrometheusExporter, 'metrics' | 'contentType'>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const body = await exporter.metrics();
      res.writeHead(200, { 'content-type': exporter.contentType, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      // Prometheus shows the body of a failed scrape: say what broke.
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`collecting metrics failed: ${messageOf(err)}\n`);
    }
  };
}
