// Scheduled scenarios over HTTP (docs/service.md, "Scheduled scenarios"): the entries with their next
// fire and last outcome, a fire on demand (same token as POST /api/runs), and a fire's result to poll.
// The Scenarios page's "Run now" form posts to /ui/scenarios/run with the token in its body, as the
// suite page's trigger does: the page never carries the token.
import express, { Router, type Request, type Response } from 'express';
import type { ScenarioRunStore } from '../store/types.ts';
import { AUTH_MESSAGES, bearerOf, checkToken } from './auth.ts';
import { sendError } from './http-error.ts';
import type { ScenarioControl, ScenarioTriggerOutcome } from './scenario-control.ts';
import { firesOf } from './scheduled-fires.ts';
import { messagePage } from './ui/suite-page.ts';
import { schedulePage } from './ui/schedule-page.ts';

/** Stored runs read to find fires: a fire of a file with several scenarios has several. */
const READ = 200;

export interface ScenarioScheduleDeps {
  schedule?: ScenarioControl;
  scenarioRuns?: ScenarioRunStore;
  token?: string;
  bodyLimit: string;
}

const STATUS: Record<Exclude<ScenarioTriggerOutcome['kind'], 'started'>, number> = { unknown: 404, busy: 409, stopping: 503, paused: 423 };
const NO_SCHEDULE = 'this process runs no scheduled scenario (scenarios.schedule in the config, docs/scenarios.md)';

export function scenarioScheduleRoutes(deps: ScenarioScheduleDeps): Router {
  const router = Router();
  const records = async () => (await deps.scenarioRuns?.list({ limit: READ })) ?? [];
  const html = (res: Response, status: number, body: string) => void res.status(status).type('html').setHeader('cache-control', 'no-store').send(body);

  router.get('/api/scenarios/schedule', async (_req, res) => {
    const fires = firesOf(await records());
    const entries = deps.schedule?.list() ?? [];
    res.json({ schedule: entries.map((e) => ({ ...e, last: fires.find((f) => f.schedule === e.name) ?? null, links: { page: pageOf(e.name) } })) });
  });

  router.post('/api/scenarios/schedule/:name/run', async (req, res) => {
    if (!authorized(req, res, deps.token)) return;
    if (!deps.schedule) return sendError(res, 404, NO_SCHEDULE);
    const name = req.params.name;
    const outcome = await deps.schedule.trigger(name);
    if (outcome.kind === 'busy') return sendError(res, 409, outcome.message, { running: outcome.running, fireId: outcome.fireId });
    if (outcome.kind !== 'started') return sendError(res, STATUS[outcome.kind], outcome.message);
    const self = `/api/scenarios/fires/${outcome.fireId}`;
    res.setHeader('location', self);
    res.status(202).json({ schedule: name, fireId: outcome.fireId, trigger: 'manual', state: 'running', links: { self, page: pageOf(name) } });
  });

  router.get('/api/scenarios/fires/:id', async (req, res) => {
    const id = req.params.id;
    const fire = firesOf(await records()).find((f) => f.fireId === id);
    const known = deps.schedule?.fireState(id);
    if (known === 'running') return void res.json({ fireId: id, state: 'running', runs: fire?.runs ?? [] });
    if (fire) return void res.json({ ...fire, judged: fire.state, state: 'finished' });
    if (known === 'finished') {
      // It ran, and stored nothing: the store refused it, or the fire was stopped before its first scenario.
      return void res.json({ fireId: id, state: 'finished', judged: 3, line: "the fire ended without a stored scenario run (see serve's log)", runs: [] });
    }
    sendError(res, 404, `no scheduled scenario fire ${id} (among the last ${READ} stored scenario runs, or running here)`);
  });

  router.get('/scenarios/schedule/:name', async (req, res) => {
    const entry = deps.schedule?.list().find((e) => e.name === req.params.name);
    if (!entry) return html(res, 404, messagePage('Not found', `No scheduled scenario ${req.params.name} in this process.`, '/scenarios'));
    const runs = (await records()).filter((r) => firesOf([r], entry.name).length > 0);
    html(res, 200, schedulePage(entry, runs, { canTrigger: Boolean(deps.token) }));
  });

  router.post('/ui/scenarios/run', express.urlencoded({ extended: false, limit: deps.bodyLimit }), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const name = typeof body.name === 'string' ? body.name : '';
    const token = typeof body.token === 'string' && body.token ? body.token : undefined;
    const back = pageOf(name);
    const check = checkToken(token, deps.token);
    if (check !== 'ok') return html(res, AUTH_MESSAGES[check].status, messagePage('Not started', AUTH_MESSAGES[check].message, back));
    if (!deps.schedule) return html(res, 404, messagePage('Not started', NO_SCHEDULE, '/scenarios'));
    const outcome = await deps.schedule.trigger(name);
    if (outcome.kind === 'started') return void res.redirect(303, back);
    html(res, STATUS[outcome.kind], messagePage('Not started', outcome.message, outcome.kind === 'unknown' ? '/scenarios' : back));
  });
  return router;
}

const pageOf = (name: string) => `/scenarios/schedule/${encodeURIComponent(name)}`;

/** Auth before anything else, as POST /api/runs: an unauthenticated client cannot start a destructive scenario. */
function authorized(req: Request, res: Response, token: string | undefined): boolean {
  const check = checkToken(bearerOf(req.get('authorization')), token);
  if (check === 'ok') return true;
  const { status, message } = AUTH_MESSAGES[check];
  if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="vigil"');
  sendError(res, status, message);
  return false;
}
