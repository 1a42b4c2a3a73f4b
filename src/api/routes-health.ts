// Liveness, readiness and metrics. /healthz only says the process answers (a restart would not help a
// busy Vigil); /readyz says it can do its job: the store answers and the scheduler is running.
import { Router } from 'express';
// Not from prometheus/index.ts: that also loads metrics-server.ts, whose ESM import of node:http
// makes Node load its fetch implementation (undici) — 2–3 MB that `vigil serve` never uses.
import { metricsHandler } from '../exporters/prometheus/metrics-handler.ts';
import type { PrometheusExporter } from '../exporters/prometheus/prometheus-exporter.ts';
import { messageOf } from '../shared/errors.ts';
import type { Store } from '../store/types.ts';
import { sendError } from './http-error.ts';
import type { RunControl } from './run-control.ts';

const READY_TIMEOUT_MS = 2_000;

export function healthRoutes(deps: {
  store: Pick<Store, 'runs'> & Partial<Pick<Store, 'cluster'>>;
  control?: RunControl;
  metrics?: Pick<PrometheusExporter, 'metrics' | 'contentType'>;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  // Ready only while the store answers (with replicas: the shared database), within a bound.
  router.get('/readyz', async (_req, res) => {
    let store = 'ok';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        deps.store.runs.list({ limit: 1 }),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS / 1000}s`)), READY_TIMEOUT_MS))),
      ]);
    } catch (err) {
      store = `the store does not answer: ${messageOf(err)}`;
    } finally {
      clearTimeout(timer);
    }
    const scheduler = !deps.control ? 'not part of this process' : deps.control.isRunning() ? 'running' : 'not running (starting or shutting down)';
    const ready = store === 'ok' && (!deps.control || deps.control.isRunning());
    res.status(ready ? 200 : 503).json({ ready, checks: { store, scheduler } });
  });
  const metrics = deps.metrics && metricsHandler(deps.metrics);
  router.get('/metrics', async (req, res) => {
    if (!metrics) return sendError(res, 404, 'metrics are not enabled in this process');
    await metrics(req, res);
  });
  return router;
}
