import { createRunOrchestrator } from '../../runs/orchestrator.ts';
import { createScheduler } from '../../scheduler/scheduler.ts';
import { createApiServer } from '../../api/server.ts';
import { createReaper } from '../../tenants/reaper.ts';
import { messageOf } from '../../shared/errors.ts';
import { loadContext } from '../context.ts';

export interface ServeOptions {
  config?: string;
  listen?: string;
  runNow?: boolean;
}

const GRACE_MS = 30_000;
// How often the export spool is looked at; each entry still waits out its own backoff.
const SPOOL_RETRY_EVERY_MS = 5_000;

/** `vigil serve`: scheduler + HTTP API until SIGTERM/SIGINT; in-flight runs are interrupted and their tenants torn down. */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const ctx = await loadContext({ config: opts.config, logLevel: process.env.VIGIL_LOG_LEVEL ?? 'info' });
  const { log } = ctx;
  try {
    const { prometheus, fanOut } = ctx.exporters;
    const orchestrator = createRunOrchestrator({
      config: ctx.config,
      store: ctx.store,
      provisioners: ctx.provisioners,
      redact: ctx.redact,
      log,
      publish: (r) => fanOut.publish(r),
    });
    const reaper = createReaper({ store: ctx.store, provisioners: ctx.provisioners, config: ctx.config, log, clock: () => new Date() });
    try {
      const report = await reaper.reap();
      prometheus.observeReap({
        reaped: report.reaped,
        failed: report.failed.flatMap((f) => (f.environment && f.source ? [{ environment: f.environment, source: f.source }] : [])),
      });
      log.info(report, 'start-up reaper pass');
    } catch (err) {
      log.error({ err: messageOf(err) }, 'start-up reaper pass failed');
    }
    const scheduler = createScheduler({ config: ctx.config, orchestrator, log, onSkip: (suite, environment) => prometheus.observeSkip(suite, environment) });
    const api = await createApiServer({ store: ctx.store, listen: opts.listen ?? '127.0.0.1:9464', log, metrics: prometheus });
    log.info({ url: api.url }, 'vigil serving');
    const retrySpool = () =>
      void fanOut.retryDue().catch((err) => log.error({ err: ctx.redact(messageOf(err)) }, 'export spool retry failed'));
    retrySpool();
    const spoolTimer = setInterval(retrySpool, SPOOL_RETRY_EVERY_MS);
    scheduler.start();
    if (opts.runNow ?? ctx.demo !== undefined) scheduler.runAllNow();

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    log.info({ signal }, 'shutting down: no new runs; interrupting in-flight runs after the grace period');
    clearInterval(spoolTimer);
    await scheduler.stop({ graceMs: GRACE_MS });
    await api.close();
    return 0;
  } finally {
    await ctx.close();
  }
}
