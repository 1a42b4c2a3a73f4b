// The service model over HTTP (docs/model.md): the latest evaluation `vigil serve` made, as JSON. Read-only
// and public like the run history: node names, check ids and plugin outputs, nothing secret.
import { Router, type Request } from 'express';
// Direct imports, not model/index.ts: serve without a model must not load the sources (memory at idle).
import { STATE_LABEL } from '../core/index.ts';
import { coverageState } from '../model/coverage-check.ts';
import type { Coverage } from '../model/coverage.ts';
import { findNode } from '../model/find-node.ts';
import type { ModelEvaluation, ModelMonitor } from '../model/monitor.ts';
import { allGreen, allRed } from '../model/queries.ts';
import { VigilError } from '../shared/errors.ts';
import { sendError } from './http-error.ts';
import { modelPage } from './ui/model-page.ts';
import { messagePage } from './ui/suite-page.ts';

/** `?transitive=true|false` (default true: "is the whole service green?" is the question people ask). */
export function transitiveParam(req: Request): boolean | undefined {
  const value = req.query.transitive;
  if (value === undefined) return true;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

/** The node path after /api/model/ or /model/: names joined with `/`, each decoded. */
export const nodeRef = (req: Request): string => (req.params.node as unknown as string[]).join('/');

/** A coverage as the API shows it: the comparison, and the state its passive check has (docs/model.md, "Coverage"). */
const coverageJson = (c: Coverage) => ({ ...c, state: STATE_LABEL[coverageState(c)] });

/** The coverage of `path` when it has a pool: (a declared node's), else undefined. */
const coverageOf = (latest: ModelEvaluation, path: string) => {
  const c = latest.coverage.find((x) => x.node === path);
  return c && coverageJson(c);
};

export function modelRoutes(deps: { monitor?: ModelMonitor }): Router {
  const router = Router();
  const evaluation = (res: Parameters<typeof sendError>[0]) => {
    if (!deps.monitor) return void sendError(res, 404, 'no service model is configured (model: in the config; docs/model.md)');
    const latest = deps.monitor.latest();
    if (!latest) return void sendError(res, 503, 'the model has not been evaluated yet: try again in a few seconds');
    return latest;
  };

  router.get('/api/model', (_req, res) => {
    const latest = evaluation(res);
    if (!latest) return;
    res.json({
      at: latest.at,
      nodes: latest.roots.map((n) => ({ path: n.path, state: n.state, allGreen: allGreen(n, true).holds, allRed: allRed(n, true).holds })),
      coverage: latest.coverage.map(coverageJson),
    });
  });

  router.get('/api/model/*node', (req, res) => {
    const transitive = transitiveParam(req);
    if (transitive === undefined) return sendError(res, 400, 'transitive must be true or false');
    const latest = evaluation(res);
    if (!latest) return;
    let node;
    try {
      node = findNode(latest.roots, nodeRef(req));
    } catch (err) {
      if (err instanceof VigilError) return sendError(res, 404, err.message);
      throw err;
    }
    const coverage = coverageOf(latest, node.path);
    res.json({ at: latest.at, transitive, node, allGreen: allGreen(node, transitive), allRed: allRed(node, transitive), ...(coverage ? { coverage } : {}) });
  });

  // The same, drawn: /model is the whole tree, /model/<path> one node with both answers.
  const html = (res: Parameters<typeof sendError>[0], status: number, body: string) =>
    void res.status(status).type('html').setHeader('cache-control', 'no-store').send(body);
  const pageFor = (res: Parameters<typeof sendError>[0], ref?: string) => {
    const latest = deps.monitor?.latest();
    if (!deps.monitor) return html(res, 404, messagePage('No service model', 'No service model is configured (model: in the config; docs/model.md).'));
    if (!latest) return html(res, 503, messagePage('Service model', 'The model has not been evaluated yet: reload in a few seconds.'));
    try {
      return html(res, 200, modelPage(latest, ref === undefined ? undefined : findNode(latest.roots, ref)));
    } catch (err) {
      if (err instanceof VigilError) return html(res, 404, messagePage('Not found', err.message, '/model'));
      throw err;
    }
  };
  router.get('/model', (_req, res) => pageFor(res));
  router.get('/model/*node', (req, res) => pageFor(res, nodeRef(req)));
  return router;
}
