// The web UI on the same port as the API. The trigger form asks for the token every time and sends it
// in the POST body: the page itself never carries it, so a screenshot or a cached page leaks nothing.
import { activeElsewhere } from '../cluster-view.ts';
import express, { Router } from 'express';
import type { Store } from '../../store/types.ts';
import { AUTH_MESSAGES, checkToken } from '../auth.ts';
import { listArtifacts } from '../artifacts.ts';
import type { RunControl } from '../run-control.ts';
import type { PauseControl } from '../../scheduler/pause-control.ts';
import { suiteOverview } from '../suite-overview.ts';
import { rates, testSeries } from '../suite-stats.ts';
import { HISTORY_CELLS, homePage } from './home-page.ts';
import { activeRunPage, runPage } from './run-page.ts';
import { messagePage, suitePage } from './suite-page.ts';

export interface UiDeps {
  store: Pick<Store, 'runs'> & Partial<Pick<Store, 'cluster'>>;
  control?: RunControl;
  pauses?: Pick<PauseControl, 'list'>;
  token?: string;
  /** The run page then says how to open its artifact links. */
  artifactsNeedToken?: boolean;
  artifactsDir: string;
  bodyLimit: string;
}

export function uiRoutes(deps: UiDeps): Router {
  const router = Router();
  const send = (res: express.Response, status: number, body: string) => void res.status(status).type('html').setHeader('cache-control', 'no-store').send(body);

  router.get('/', async (_req, res) => {
    if (!deps.control) return send(res, 200, messagePage('Vigil', 'This process runs no scheduler.'));
    const status = deps.control.status();
    const rows = await suiteOverview({ store: deps.store, control: deps.control, history: HISTORY_CELLS });
    send(res, 200, homePage(rows, { concurrency: status.concurrency, running: status.running.length, queued: status.queued.length }));
  });

  router.get('/suites/:suite/:environment', async (req, res) => {
    const row =
      deps.control &&
      (await suiteOverview({ store: deps.store, control: deps.control, history: 50 })).find(
        (r) => r.suite === req.params.suite && r.environment === req.params.environment,
      );
    if (!row) return send(res, 404, messagePage('Not found', `No suite ${req.params.suite} on ${req.params.environment} runs on this replica.`));
    const { suite, environment } = row;
    send(
      res,
      200,
      suitePage(
        row,
        { canTrigger: Boolean(deps.token) },
        {
          rates: await rates(deps.store, suite, environment),
          tests: testSeries(await deps.store.runs.testHistory({ suite, environment, runs: 30 })),
          pause: deps.pauses?.list().find((p) => p.suite === suite && p.environment === environment),
        },
      ),
    );
  });

  router.get('/runs/:id', async (req, res) => {
    const run = await deps.store.runs.get(req.params.id);
    if (run) return send(res, 200, runPage(run, await listArtifacts(deps.artifactsDir, run.runId), { artifactsNeedToken: deps.artifactsNeedToken ?? false }));
    const active = deps.control?.find(req.params.id) ?? (await activeElsewhere(deps.store, req.params.id));
    if (active) return send(res, 200, activeRunPage(active));
    send(res, 404, messagePage('Not found', `No run with id ${req.params.id}.`));
  });

  router.post('/ui/trigger', express.urlencoded({ extended: false, limit: deps.bodyLimit }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const back = `/suites/${encodeURIComponent(str('suite'))}/${encodeURIComponent(str('environment'))}`;
    const check = checkToken(str('token') || undefined, deps.token);
    if (check !== 'ok') return send(res, AUTH_MESSAGES[check].status, messagePage('Not triggered', AUTH_MESSAGES[check].message, back));
    if (!deps.control) return send(res, 503, messagePage('Not triggered', 'This process runs no scheduler.', back));
    const outcome = deps.control.trigger(str('suite'), str('environment'), 'api');
    if (outcome.kind === 'queued') {
      outcome.done.catch(() => {});
      return void res.redirect(303, `/runs/${outcome.run.runId}`);
    }
    const status = { unknown: 404, busy: 409, queue_full: 429, not_owned: 421, stopping: 503 }[outcome.kind];
    send(res, status, messagePage('Not triggered', outcome.message, outcome.kind === 'busy' ? `/runs/${outcome.runId}` : back));
  });
  return router;
}
