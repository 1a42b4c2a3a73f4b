// Scenario runs over HTTP: stored by `vigil scenario run`, read here (JSON and pages). Public like the run
// history: step texts, node names and check ids, nothing secret.
import { Router } from 'express';
import type { ScenarioRunStore } from '../store/types.ts';
import type { ScenarioControl } from './scenario-control.ts';
import type { sendError } from './http-error.ts';
import { scenarioRunPage, scenariosPage } from './ui/scenarios-page.ts';
import { messagePage } from './ui/suite-page.ts';

const LISTED = 200;

export function scenariosRoutes(deps: { scenarioRuns?: ScenarioRunStore; schedule?: Pick<ScenarioControl, 'list'>; canTrigger?: boolean }): Router {
  const router = Router();
  const html = (res: Parameters<typeof sendError>[0], status: number, body: string) =>
    void res.status(status).type('html').setHeader('cache-control', 'no-store').send(body);
  const records = async () => (await deps.scenarioRuns?.list({ limit: LISTED })) ?? [];

  router.get('/api/scenarios', async (req, res) => {
    const scenario = typeof req.query.scenario === 'string' ? req.query.scenario : undefined;
    res.json({ runs: (await deps.scenarioRuns?.list({ limit: LISTED, ...(scenario ? { scenario } : {}) })) ?? [] });
  });
  router.get('/scenarios', async (_req, res) =>
    html(res, 200, scenariosPage(await records(), { schedule: deps.schedule?.list() ?? [], canTrigger: deps.canTrigger ?? false })),
  );
  router.get('/scenarios/:id', async (req, res) => {
    const record = (await records()).find((r) => r.id === req.params.id);
    if (!record) return html(res, 404, messagePage('Not found', `No scenario run ${req.params.id} among the last ${LISTED}.`, '/scenarios'));
    html(res, 200, scenarioRunPage(record));
  });
  return router;
}
