// Run history and the trigger (the post-deploy hook). A run the scheduler still holds answers with its
// state, so the id from a 202 can be polled at once; a finished one answers with its RunResult.
import { activeElsewhere, activeRuns } from './cluster-view.ts';
import express, { Router, type Response } from 'express';
import { z } from 'zod';
import { NAME_PATTERN } from '../config/schema.ts';
import { RUN_STATUSES, type RunResult, type RunStatus } from '../core/index.ts';
import type { RunQuery, Store } from '../store/types.ts';
import { messageOf } from '../shared/errors.ts';
import { AUTH_MESSAGES, bearerOf, checkToken } from './auth.ts';
import { listArtifacts, TRACE_HINT } from './artifacts.ts';
import { sendError } from './http-error.ts';
import { traceViewerURL } from './trace-viewer.ts';
import type { RunControl } from './run-control.ts';

const QUERY_PARAMS = ['suite', 'environment', 'status', 'location', 'limit'] as const;
const MAX_LIMIT = 1000;

const triggerBody = z.strictObject({
  suite: z.string().regex(NAME_PATTERN, 'must be a suite name from the config'),
  environment: z.string().regex(NAME_PATTERN, 'must be an environment name from the config'),
  wait: z.boolean().optional(),
});

export interface RunsDeps {
  store: Pick<Store, 'runs'> & Partial<Pick<Store, 'cluster'>>;
  control?: RunControl;
  token?: string;
  artifactsDir: string;
  bodyLimit: string;
}

/** The RunResult plus where to look: its page, its artifacts, how to open a trace. */
export async function withLinks(run: RunResult, artifactsDir: string) {
  const artifacts = await listArtifacts(artifactsDir, run.runId);
  return {
    ...run,
    state: 'finished' as const,
    links: {
      self: `/api/runs/${run.runId}`,
      page: `/runs/${run.runId}`,
      // A trace also links the self-hosted trace viewer opened on it.
      artifacts: artifacts.map((a) => (a.kind === 'trace' ? { ...a, viewer: traceViewerURL(a.url) } : a)),
      ...(artifacts.some((a) => a.kind === 'trace') ? { traceHint: TRACE_HINT } : {}),
    },
  };
}

function parseQuery(query: Record<string, unknown>): RunQuery | string {
  for (const k of Object.keys(query)) {
    if (!(QUERY_PARAMS as readonly string[]).includes(k)) return `unknown query parameter "${k}" (known: ${QUERY_PARAMS.join(', ')})`;
    if (typeof query[k] !== 'string') return `query parameter "${k}" must be given once`;
  }
  const q = query as Partial<Record<(typeof QUERY_PARAMS)[number], string>>;
  const out: RunQuery = {};
  for (const k of ['suite', 'environment', 'location'] as const) {
    const v = q[k];
    if (v === undefined) continue;
    if (!NAME_PATTERN.test(v)) return `${k}: ${JSON.stringify(v)} is not a ${k} name (lowercase letters, digits, "-", "_")`;
    out[k] = v;
  }
  if (q.status !== undefined) {
    if (!(RUN_STATUSES as readonly string[]).includes(q.status)) return `status: ${JSON.stringify(q.status)} is not one of ${RUN_STATUSES.join(', ')}`;
    out.status = q.status as RunStatus;
  }
  if (q.limit !== undefined) {
    const n = Number(q.limit);
    if (!/^\d+$/.test(q.limit) || n < 1 || n > MAX_LIMIT) return `limit: ${JSON.stringify(q.limit)} must be an integer from 1 to ${MAX_LIMIT}`;
    out.limit = n;
  }
  return out;
}

export function runsRoutes(deps: RunsDeps): Router {
  const router = Router();

  router.get('/api/runs', async (req, res) => {
    const query = parseQuery(req.query as Record<string, unknown>);
    if (typeof query === 'string') return sendError(res, 400, query);
    const runs = await deps.store.runs.list({ limit: 50, ...query });
    const active = deps.control ? await activeRuns(deps) : undefined;
    res.json({ runs, ...(active ? { active: [...active.running, ...active.queued] } : {}) });
  });

  router.get('/api/runs/:id', async (req, res) => {
    const id = req.params.id;
    const run = await deps.store.runs.get(id);
    if (run) return void res.json(await withLinks(run, deps.artifactsDir));
    const active = deps.control?.find(id) ?? (await activeElsewhere(deps.store, id));
    if (active) return void res.json({ ...active, links: { self: `/api/runs/${id}`, page: `/runs/${id}` } });
    sendError(res, 404, `no run with id ${id} (GET /api/runs lists recent runs)`);
  });

  // Auth before the body is read: an unauthenticated client cannot make Vigil parse anything.
  router.post(
    '/api/runs',
    (req, res, next) => {
      const check = checkToken(bearerOf(req.get('authorization')), deps.token);
      if (check === 'ok') return next();
      const { status, message } = AUTH_MESSAGES[check];
      if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="vigil"');
      sendError(res, status, message);
    },
    express.json({ limit: deps.bodyLimit, type: () => true }),
    async (req, res) => {
      const parsed = triggerBody.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue.path.length ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys.join(', ') : '(body)';
        const what = issue.code === 'invalid_type' && issue.path.length && !((issue.path[0] as string) in (req.body ?? {})) ? 'is required' : issue.message;
        return sendError(res, 400, `${field}: ${what} — expected {"suite": "<name>", "environment": "<name>", "wait": false}`, { field });
      }
      const { suite, environment, wait } = parsed.data;
      if (!deps.control) return sendError(res, 503, 'this process does not run suites (no scheduler)');
      const outcome = deps.control.trigger(suite, environment, 'api');
      switch (outcome.kind) {
        case 'unknown':
          return sendError(res, 404, outcome.message);
        case 'busy':
          return sendError(res, 409, outcome.message, { runId: outcome.runId });
        case 'queue_full':
          res.setHeader('retry-after', '30');
          return sendError(res, 429, outcome.message);
        case 'not_owned':
          return sendError(res, 421, outcome.message);
        case 'stopping':
          return sendError(res, 503, outcome.message);
      }
      const { run, done } = outcome;
      res.setHeader('location', `/api/runs/${run.runId}`);
      if (!wait) {
        done.catch(() => {}); // the scheduler logs it; the caller polls
        return void res.status(202).json({ runId: run.runId, state: run.state, links: { self: `/api/runs/${run.runId}`, page: `/runs/${run.runId}` } });
      }
      await answerWhenDone(res, done, deps.artifactsDir);
    },
  );
  return router;
}

async function answerWhenDone(res: Response, done: Promise<RunResult>, artifactsDir: string) {
  try {
    res.status(200).json(await withLinks(await done, artifactsDir));
  } catch (err) {
    sendError(res, 503, `the run did not finish: ${messageOf(err)}`);
  }
}
