// The demo's own Prometheus endpoint, as a real app has one: responses counted by status and by
// whether the request carried Vigil's synthetic-traffic header (X-Vigil-Run, sent with
// `syntheticHeader: true`), so a query can select or exclude the monitoring's own traffic.
// Plain text exposition format 0.0.4; no client library.
import type { NextFunction, Request, Response } from 'express';

/** Counted from the start at 0, so `increase()` sees the first 500 (a series born at 1 shows no increase). */
const KNOWN_STATUSES = ['200', '201', '204', '302', '303', '400', '401', '404', '500', '503'];

export interface DemoMetrics {
  /** Express middleware: counts every response but the scrapes of /metrics. */
  count(req: Request, res: Response, next: NextFunction): void;
  /** GET /metrics. */
  serve(req: Request, res: Response): void;
}

export function createDemoMetrics(): DemoMetrics {
  const counts = new Map<string, number>();
  const key = (status: string, synthetic: boolean) => `status="${status}",synthetic="${synthetic}"`;
  for (const status of KNOWN_STATUSES) for (const synthetic of [true, false]) counts.set(key(status, synthetic), 0);
  return {
    count(req, res, next) {
      if (req.path === '/metrics') return next();
      const synthetic = req.get('x-vigil-run') !== undefined;
      res.on('finish', () => {
        const k = key(String(res.statusCode), synthetic);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      });
      next();
    },
    serve(_req, res) {
      const lines = [
        '# HELP demo_http_requests_total HTTP responses by status; synthetic="true" when the request carried X-Vigil-Run.',
        '# TYPE demo_http_requests_total counter',
        ...[...counts].map(([labels, n]) => `demo_http_requests_total{${labels}} ${n}`),
        '',
      ];
      res.type('text/plain; version=0.0.4').send(lines.join('\n'));
    },
  };
}
