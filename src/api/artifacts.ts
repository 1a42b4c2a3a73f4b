// Failure artifacts (traces, screenshots, error context) served read-only from artifacts.dir, for runs
// the store knows. A request can only ever reach a regular file inside that run's own folder: every
// segment is decoded once and refused if it could climb ('..', '.', encoded slashes, NUL, backslash),
// and the real path (symlinks resolved) must still lie inside the folder's real path.
import { createReadStream } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RequestHandler } from 'express';
import type { Store } from '../store/types.ts';
import { sendError } from './http-error.ts';

export interface Artifact {
  /** Path inside the run's folder, '/'-separated. */
  name: string;
  url: string;
  kind: 'trace' | 'screenshot' | 'video' | 'report' | 'other';
  bytes: number;
}

const RUN_ID = /^[A-Za-z0-9_-]{1,64}$/;
// A run's folder holds a handful of files per failed test; the listing is bounded all the same.
const MAX_LISTED = 200;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webm': 'video/webm',
  '.zip': 'application/zip',
  '.json': 'application/json',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
};

// Dot paths hold a suite's bookkeeping, and some hold secrets: `.auth/` is where suites keep a signed-in
// storage state (session cookies of the tenant). Neither listed nor served.
const isHidden = (name: string) => name.split('/').some((segment) => segment.startsWith('.'));

export function artifactKind(name: string): Artifact['kind'] {
  const base = path.posix.basename(name);
  if (base.endsWith('.zip') && base.includes('trace')) return 'trace';
  if (/\.(png|jpe?g)$/.test(base)) return 'screenshot';
  if (base.endsWith('.webm')) return 'video';
  if (base === 'index.html') return 'report';
  return 'other';
}

/** The files kept for a run, with their URLs; empty when it kept none. */
export async function listArtifacts(artifactsDir: string, runId: string): Promise<Artifact[]> {
  if (!RUN_ID.test(runId)) return [];
  const root = path.join(artifactsDir, runId);
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: Artifact[] = [];
  for (const e of entries) {
    // Symlinks are not listed (nor served when they point out).
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    const name = path.relative(root, full).split(path.sep).join('/');
    if (isHidden(name)) continue;
    const bytes = (await stat(full).catch(() => undefined))?.size ?? 0;
    files.push({ name, url: `/artifacts/${runId}/${name.split('/').map(encodeURIComponent).join('/')}`, kind: artifactKind(name), bytes });
    if (files.length >= MAX_LISTED) break;
  }
  // Code-unit order: localeCompare would load ICU collation data into a long-running serve.
  return files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Mounted at /artifacts: GET /artifacts/<runId>/<path…>. */
export function artifactsHandler(deps: { artifactsDir: string; store: Pick<Store, 'runs'> }): RequestHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'artifacts are read-only: use GET');
    // req.path is still percent-encoded: split first, decode each segment once.
    const raw = req.path.split('/').filter((s, i) => i > 0 || s !== '');
    let segments: string[];
    try {
      segments = raw.map((s) => decodeURIComponent(s));
    } catch {
      return sendError(res, 400, 'malformed percent-encoding in the artifact path');
    }
    const [runId, ...rest] = segments;
    if (!runId || !RUN_ID.test(runId)) return sendError(res, 404, 'expected /artifacts/<runId>/<file>');
    if (rest.length === 0 || rest.some((s) => s === '' || s === '.' || s === '..' || /[\\/\0]/.test(s))) {
      return sendError(res, 400, 'artifact paths may not contain empty, "." or ".." segments, slashes, backslashes or NUL');
    }
    if (isHidden(rest.join('/'))) return sendError(res, 404, `run ${runId} has no artifact ${rest.join('/')}: hidden files are not served`);
    if (!(await deps.store.runs.get(runId))) return sendError(res, 404, `no run with id ${runId}`);
    const notFound = () => sendError(res, 404, `run ${runId} has no artifact ${rest.join('/')} (GET /api/runs/${runId} lists them)`);
    let root: string;
    let real: string;
    try {
      root = await realpath(path.join(deps.artifactsDir, runId));
      real = await realpath(path.join(root, ...rest));
    } catch {
      return notFound();
    }
    if (!real.startsWith(root + path.sep)) return notFound();
    const info = await stat(real).catch(() => undefined);
    if (!info?.isFile()) return notFound();
    const type = TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream';
    res.setHeader('content-type', type);
    res.setHeader('content-length', String(info.size));
    res.setHeader('x-content-type-options', 'nosniff');
    // An HTML report runs its own scripts, but in a sandbox: it must not act with this origin's rights.
    res.setHeader('content-security-policy', 'sandbox allow-scripts allow-popups');
    if (type === 'application/zip') res.setHeader('content-disposition', `attachment; filename="${path.basename(real).replace(/"/g, '')}"`);
    if (req.method === 'HEAD') return void res.end();
    createReadStream(real)
      .on('error', () => res.destroy())
      .pipe(res);
  };
}

export const TRACE_HINT = 'download the trace and open it with: npx playwright show-trace <file> (or drop it on https://trace.playwright.dev)';
