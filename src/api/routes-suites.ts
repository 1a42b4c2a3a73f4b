import { Router } from 'express';
import type { Store } from '../store/types.ts';
import { sendError } from './http-error.ts';
import type { RunControl } from './run-control.ts';
import { suiteOverview } from './suite-overview.ts';

export function suitesRoutes(deps: { store: Pick<Store, 'runs'> & Partial<Pick<Store, 'cluster'>>; control?: RunControl }): Router {
  const router = Router();
  router.get('/api/suites', async (_req, res) => {
    if (!deps.control) return sendError(res, 404, 'this process runs no scheduler: there are no suites to list');
    const status = deps.control.status();
    res.json({
      suites: await suiteOverview({ store: deps.store, control: deps.control }),
      concurrency: status.concurrency,
      maxQueue: status.maxQueue,
      running: status.running,
      queued: status.queued,
    });
  });
  return router;
}
