import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '../../shared/errors.ts';
import type { PrometheusExporter } from './prometheus-exporter.ts';

/** `GET /metrics` for express (`app.get('/metrics', metricsHandler(exporter))`) or node:http. */
export function metricsHandler(
  exporter: Pick<PrometheusExporter, 'metrics' | 'contentType'> & Partial<Pick<PrometheusExporter, 'metricsChunks'>>,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      // Chunks when the exporter has them: the per-pair part (most of 1.5 MB at 1,000 pairs) is written
      // from the exporter's cached bytes instead of being encoded again on every scrape.
      const chunks = exporter.metricsChunks ? await exporter.metricsChunks() : [Buffer.from(await exporter.metrics())];
      const length = chunks.reduce((n, chunk) => n + chunk.length, 0);
      res.writeHead(200, { 'content-type': exporter.contentType, 'cache-control': 'no-store', 'content-length': length });
      if (req.method !== 'HEAD') for (const chunk of chunks) res.write(chunk);
      res.end();
    } catch (err) {
      // Prometheus shows the body of a failed scrape: say what broke.
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`collecting metrics failed: ${messageOf(err)}\n`);
    }
  };
}
