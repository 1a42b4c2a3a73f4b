// Pauses over HTTP: list (public, like the run history), pause and resume (api.token, like a trigger).
import express, { Router } from 'express';
import { z } from 'zod';
import { NAME_PATTERN } from '../config/schema.ts';
import { scenarioOfTarget } from '../core/index.ts';
import type { PauseControl } from '../scheduler/pause-control.ts';
import { parseDuration } from '../shared/duration.ts';
import { AUTH_MESSAGES, bearerOf, checkToken } from './auth.ts';
import { sendError } from './http-error.ts';

const pauseBody = z
  .strictObject({
    suite: z
      .string()
      .refine(
        (suite) => NAME_PATTERN.test(scenarioOfTarget(suite) ?? suite),
        'must be a suite name from the config, or scenario:<name> of a scheduled scenario',
      ),
    environment: z.string().regex(NAME_PATTERN, 'must be an environment name from the config'),
    /** How long, e.g. "2h"; or `until`. */
    for: z.string().optional(),
    /** ISO 8601 end. */
    until: z.string().optional(),
    reason: z.string().max(200).optional(),
  })
  .refine((b) => (b.for === undefined) !== (b.until === undefined), { message: 'give exactly one of "for" (e.g. "2h") and "until" (ISO 8601)' });

export function pausesRoutes(deps: { pauses?: PauseControl; token?: string; bodyLimit: string }): Router {
  const router = Router();
  const requireToken: express.RequestHandler = (req, res, next) => {
    const check = checkToken(bearerOf(req.get('authorization')), deps.token);
    if (check === 'ok') return next();
    const { status, message } = AUTH_MESSAGES[check];
    if (status === 401) res.setHeader('www-authenticate', 'Bearer realm="vigil"');
    sendError(res, status, message);
  };

  router.get('/api/pauses', (_req, res) => {
    if (!deps.pauses) return sendError(res, 404, 'this process runs no scheduler: nothing to pause');
    res.json({ pauses: deps.pauses.list() });
  });

  router.post('/api/pauses', requireToken, express.json({ limit: deps.bodyLimit, type: () => true }), async (req, res) => {
    if (!deps.pauses) return sendError(res, 503, 'this process runs no scheduler: nothing to pause');
    const parsed = pauseBody.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendError(
        res,
        400,
        `${issue.path.join('.') || '(body)'}: ${issue.message} — expected {"suite": "<name>", "environment": "<name>", "for": "2h", "reason": "…"}`,
      );
    }
    const b = parsed.data;
    let until: Date;
    if (b.for !== undefined) {
      const ms = parseDuration(b.for);
      if (ms === undefined) return sendError(res, 400, `for: ${JSON.stringify(b.for)} is not a duration (e.g. 30m, 2h)`);
      until = new Date(Date.now() + ms);
    } else {
      until = new Date(b.until!);
      if (Number.isNaN(until.getTime())) return sendError(res, 400, `until: ${JSON.stringify(b.until)} is not an ISO 8601 time`);
    }
    const outcome = await deps.pauses.pause({ suite: b.suite, environment: b.environment, until, reason: b.reason });
    if (outcome.kind !== 'paused') return sendError(res, outcome.kind === 'unknown' ? 404 : 400, outcome.message);
    res.status(201).json({ pause: outcome.pause });
  });

  router.delete('/api/pauses/:suite/:environment', requireToken, async (req, res) => {
    if (!deps.pauses) return sendError(res, 503, 'this process runs no scheduler: nothing to resume');
    const outcome = await deps.pauses.resume(String(req.params.suite), String(req.params.environment));
    if (outcome.kind === 'unknown') return sendError(res, 404, outcome.message);
    if (outcome.kind === 'not_paused' && !outcome.stillPaused) return sendError(res, 404, `${req.params.suite}@${req.params.environment} is not paused`);
    res.json({
      resumed: outcome.kind === 'resumed',
      ...(outcome.stillPaused ? { stillPaused: outcome.stillPaused, note: `a maintenance window keeps it paused until ${outcome.stillPaused.until}` } : {}),
    });
  });
  return router;
}
