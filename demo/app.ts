import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { openDemoStore } from './store.ts';
import { createFaultSwitch, type Faults } from './faults.ts';
import { createSessions } from './session.ts';
import { createAdminRouter } from './admin-routes.ts';
import { createAuthRouter } from './auth-routes.ts';
import { createNotesRouter } from './notes-routes.ts';
import { createFilesRouter } from './files-routes.ts';
import { createBillingRouter } from './billing-routes.ts';
import { escapeHtml, LOGO_SVG, page } from './html.ts';
import { createDemoMetrics } from './metrics.ts';

export type { Faults } from './faults.ts';

export interface DemoOptions {
  port?: number;
  host?: string;
  adminToken: string;
  /** node:sqlite file; `:memory:` (the default) forgets everything on close. */
  dbPath?: string;
  faults?: Partial<Faults>;
  /** Unexpected (5xx) errors; the default writes one line to stderr. Never given request bodies. */
  onError?: (err: unknown) => void;
}

export interface DemoApp {
  url: string;
  port: number;
  close(): Promise<void>;
  setFaults(f: Partial<Faults>): void;
  faults(): Faults;
}

interface HttpError {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  message?: string;
}

export async function startDemo(opts: DemoOptions): Promise<DemoApp> {
  if (!opts.adminToken) throw new Error('startDemo: adminToken is required (it guards /admin/*)');
  const host = opts.host ?? '127.0.0.1';
  const onError = opts.onError ?? ((err: unknown) => process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`));
  const store = openDemoStore(opts.dbPath ?? ':memory:');
  const faults = createFaultSwitch(opts.faults);
  const sessions = createSessions(store);

  const pendingDelays = new Set<NodeJS.Timeout>();
  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pendingDelays.delete(timer);
        resolve();
      }, ms);
      pendingDelays.add(timer);
    });

  const metrics = createDemoMetrics();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(metrics.count);
  app.get('/metrics', metrics.serve);
  app.get('/healthz', (_req, res) => {
    res.type('text').send('ok');
  });
  // Every page shows it; no test asserts it: a 500 here is an error only the app's metrics see.
  app.get('/logo.svg', (_req, res) => {
    if (faults.get().logo) res.status(500).type('text').send('the asset store is unavailable');
    else res.type('image/svg+xml').send(LOGO_SVG);
  });
  app.use('/admin', createAdminRouter({ store, adminToken: opts.adminToken, faults }));
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(createAuthRouter({ store, sessions, faults, delay }));
  app.use(['/notes', '/files', '/billing'], sessions.require);
  app.use(createNotesRouter({ store, faults }));
  app.use(createFilesRouter({ store, faults }));
  app.use(createBillingRouter({ store }));

  app.use((req: Request, res: Response) => {
    const message = `Nothing at ${req.path}`;
    if (req.path.startsWith('/admin')) res.status(404).json({ error: message });
    else
      res
        .status(404)
        .type('html')
        .send(page({ title: 'Not found', body: `<h1>Not found</h1><p>${escapeHtml(message)}</p>` }));
  });
  // Express needs all four parameters to recognise an error handler.
  app.use((err: HttpError, req: Request, res: Response, _next: NextFunction) => {
    const code = err.status ?? err.statusCode ?? 500;
    if (code >= 500) onError(err);
    const message = code < 500 && err.expose !== false && err.message ? err.message : 'Internal error';
    if (res.headersSent) return;
    if (req.path.startsWith('/admin')) res.status(code).json({ error: message });
    else
      res
        .status(code)
        .type('html')
        .send(page({ title: 'Error', body: `<h1>Error</h1><p role="alert">${escapeHtml(message)}</p>` }));
  });

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    faults: () => faults.get(),
    setFaults: (f) => {
      faults.set(f);
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of pendingDelays) clearTimeout(timer);
        pendingDelays.clear();
        server.close(() => {
          store.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
