// Every error the API answers is JSON with a sentence a person can act on; express's own HTML error
// pages (which also leak stack traces in development mode) are never shown.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { messageOf } from '../shared/errors.ts';
import type { Log } from '../shared/log.ts';

export function sendError(res: Response, status: number, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).json({ error: message, ...extra });
}

export const notFound: RequestHandler = (req, res) => {
  sendError(res, 404, `no such route: ${req.method} ${req.path} (see docs/service.md for the API)`);
};

/** Body parser failures carry `type` and `status` (body-parser); anything else is our bug: 500. */
export function errorHandler(deps: { log: Log; bodyLimit: string }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const type = (err as { type?: string }).type;
    if (res.headersSent) {
      res.end();
      return;
    }
    if (type === 'entity.too.large') return sendError(res, 413, `request body is larger than ${deps.bodyLimit}: send only {suite, environment, wait}`);
    if (type === 'entity.parse.failed') return sendError(res, 400, `request body is not valid JSON: ${messageOf(err)}`);
    if (type === 'encoding.unsupported' || type === 'charset.unsupported')
      return sendError(res, 415, `request body encoding not supported: ${messageOf(err)}; send UTF-8 JSON`);
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) return sendError(res, status, messageOf(err));
    deps.log.error({ method: req.method, path: req.path, err: messageOf(err) }, 'API request failed');
    sendError(res, 500, `internal error while answering ${req.method} ${req.path}: ${messageOf(err)} (see Vigil's log)`);
  };
}
