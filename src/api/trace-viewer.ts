// Playwright's trace viewer, served from Vigil's own port: the static build that ships inside
// playwright-core (lib/vite/traceViewer), so a failing test's trace opens from the run page with
// `/trace-viewer/index.html?trace=/artifacts/<runId>/…/trace.zip` — no download, no public site, no
// internet. The viewer's service worker (scope /trace-viewer/) fetches the zip from the same origin.
// It sits behind the artifacts' read token: the browser asks for it when the viewer opens, then sends
// the same credentials for the zip (same origin, same realm).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { sendError } from './http-error.ts';

export const TRACE_VIEWER_PATH = '/trace-viewer';

/** The folder of the viewer's static build in the installed playwright-core, or undefined. */
export function traceViewerDir(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('playwright-core/package.json');
    const dir = path.join(path.dirname(pkg), 'lib', 'vite', 'traceViewer');
    return existsSync(path.join(dir, 'index.html')) && existsSync(path.join(dir, 'sw.bundle.js')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The viewer's URL for a kept trace (its artifact URL, same origin). */
export const traceViewerURL = (traceUrl: string) => `${TRACE_VIEWER_PATH}/index.html?trace=${encodeURIComponent(traceUrl)}`;

/** Mounted at /trace-viewer. */
export function traceViewerHandler(dir = traceViewerDir()): RequestHandler {
  if (!dir) {
    return (_req, res) =>
      sendError(
        res,
        404,
        'the trace viewer is not installed (playwright-core lib/vite/traceViewer missing): download the trace and run npx playwright show-trace',
      );
  }
  const files = express.static(dir, {
    index: 'index.html',
    dotfiles: 'ignore',
    fallthrough: false,
    setHeaders(res, file) {
      res.setHeader('x-content-type-options', 'nosniff');
      // The service worker must always be the installed version's; the hashed assets may be cached.
      if (file.endsWith('.html') || file.endsWith('sw.bundle.js')) res.setHeader('cache-control', 'no-cache');
    },
  });
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'the trace viewer is read-only: use GET');
    files(req, res, (err?: unknown) =>
      err ? sendError(res, (err as { status?: number }).status ?? 404, `no such file in the trace viewer: ${req.path}`) : next(),
    );
  };
}
