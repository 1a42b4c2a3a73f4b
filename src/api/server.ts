// The HTTP side of `vigil serve`: health, metrics, run history, the trigger, artifacts and the web UI
// on one port (docs/service.md is the reference). Routes live in one file per concern.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { PrometheusExporter } from '../exporters/prometheus/index.ts';
import type { Log } from '../shared/log.ts';
import { VigilError } from '../shared/errors.ts';
import type { Store } from '../store/types.ts';
import { artifactsHandler } from './artifacts.ts';
import { errorHandler, notFound } from './http-error.ts';
import { artifactsNeedToken, requireReadToken } from './read-access.ts';
import type { RunControl } from './run-control.ts';
import { healthRoutes } from './routes-health.ts';
import { runsRoutes } from './routes-runs.ts';
import { modelRoutes } from './routes-model.ts';
import { scenariosRoutes } from './routes-scenarios.ts';
import { scenarioScheduleRoutes } from './routes-scenario-schedule.ts';
import type { ScenarioControl } from './scenario-control.ts';
import { pausesRoutes } from './routes-pauses.ts';
import type { ModelMonitor } from '../model/monitor.ts';
import { suitesRoutes } from './routes-suites.ts';
import { TRACE_VIEWER_PATH, traceViewerHandler } from './trace-viewer.ts';
import type { PauseControl } from '../scheduler/pause-control.ts';
import { uiRoutes } from './ui/routes-ui.ts';

export interface ApiDeps {
  store: Pick<Store, 'runs'> & Partial<Pick<Store, 'scenarioRuns' | 'cluster'>>;
  /** Pausing and resuming pairs (API, UI); absent without a scheduler. */
  pauses?: PauseControl;
  /** The service model, evaluated in the background (GET /api/model, /model); absent without `model:`. */
  model?: ModelMonitor;
  /** Scheduled scenarios (scenarios.schedule): listed, fired on demand; absent when none is scheduled. */
  scenarioSchedule?: ScenarioControl;
  /** api.publicURL, for the links the UI shows. */
  publicURL?: string;
  /** host:port; port 0 picks a free one. */
  listen: string;
  log: Log;
  /** The Prometheus exporter; /metrics answers 404 without it. */
  metrics?: Pick<PrometheusExporter, 'metrics' | 'contentType'>;
  /** The scheduler: triggers, queued/running runs, schedules. Without it the API is read-only history. */
  control?: RunControl;
  /** api.token; absent: POST /api/runs answers 403 and the UI shows no trigger button. */
  token?: string;
  /** api.readToken: read access to /artifacts (api.token grants it too); with neither, artifacts are public. */
  readToken?: string;
  /** config.artifacts.dir: served read-only under /artifacts/<runId>/. */
  artifactsDir: string;
  /** Default 16kb: a trigger body is a few dozen bytes. */
  bodyLimit?: string;
}

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export async function createApiServer(deps: ApiDeps): Promise<ApiServer> {
  const bodyLimit = deps.bodyLimit ?? '16kb';
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(healthRoutes({ store: deps.store, control: deps.control, metrics: deps.metrics }));
  app.use(runsRoutes({ store: deps.store, control: deps.control, token: deps.token, artifactsDir: deps.artifactsDir, bodyLimit }));
  app.use(suitesRoutes({ store: deps.store, control: deps.control }));
  app.use(modelRoutes({ monitor: deps.model }));
  app.use(scenarioScheduleRoutes({ schedule: deps.scenarioSchedule, scenarioRuns: deps.store.scenarioRuns, token: deps.token, bodyLimit }));
  app.use(scenariosRoutes({ scenarioRuns: deps.store.scenarioRuns, schedule: deps.scenarioSchedule, canTrigger: Boolean(deps.token) }));
  const readTokens = [deps.readToken, deps.token];
  app.use(pausesRoutes({ pauses: deps.pauses, token: deps.token, bodyLimit }));
  app.use('/artifacts', requireReadToken(readTokens), artifactsHandler({ artifactsDir: deps.artifactsDir, store: deps.store }));
  // Same token and realm as the artifacts: the browser asks once, and sends it for the trace the viewer fetches.
  app.use(TRACE_VIEWER_PATH, requireReadToken(readTokens), traceViewerHandler());
  app.use(
    uiRoutes({
      store: deps.store,
      control: deps.control,
      pauses: deps.pauses,
      token: deps.token,
      artifactsNeedToken: artifactsNeedToken(readTokens),
      artifactsDir: deps.artifactsDir,
      bodyLimit,
    }),
  );
  app.use(notFound);
  app.use(errorHandler({ log: deps.log, bodyLimit }));

  const { host, port } = parseListen(deps.listen);
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(listenError(deps.listen, err)) : resolve(s)));
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`,
    // Waiting clients (POST {wait: true}) are answered before this is called; idle keep-alives are cut.
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Why serve cannot start its API, said without a stack: the port is the operator's to change. */
function listenError(listen: string, err: Error & { code?: string }): VigilError {
  const why: Record<string, string> = {
    EADDRINUSE: 'the address is already in use (another process, or another Vigil, listens there)',
    EACCES: 'permission denied (ports below 1024 need privileges)',
    EADDRNOTAVAIL: 'no interface of this machine has that address',
  };
  return new VigilError(`cannot listen on ${listen}: ${(err.code && why[err.code]) ?? err.message}; choose another with --listen or api.listen`);
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(listen);
  if (!m) throw new Error(`--listen ${listen}: expected host:port, e.g. 0.0.0.0:9464`);
  return { host: m[1].replace(/^\[|\]$/g, '') || '0.0.0.0', port: Number(m[2]) };
}
