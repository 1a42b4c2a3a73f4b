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

/** `vigil serve`: scheduler + HTTP API until SIGTERM/SIGINT; in-flight runs are interrupted and their tenants torn down. */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const ctx = await loadContext({ config: opts.config, logLevel: process.env.VIGIL_LOG_LEVEL ?? 'info' });
  const { log } = ctx;
  try {
    const orchestrator = createRunOrchestrator({ config: ctx.config, store: ctx.store, provisioners: ctx.provisioners, redact: ctx.redact, log });
    const reaper = createReaper({ store: ctx.store, provisioners: ctx.provisioners, config: ctx.config, log, clock: () => new Date() });
    try {
      const report = await reaper.reap();
      log.info(report, 'start-up reaper pass');
    } catch (err) {
      log.error({ err: messageOf(err) }, 'start-up reaper pass failed');
    }
    const scheduler = createScheduler({ config: ctx.config, orchestrator, log });
    const api = await createApiServer({ store: ctx.store, listen: opts.listen ?? '127.0.0.1:9464', log });
    log.info({ url: api.url }, 'vigil serving');
    scheduler.start();
    if (opts.runNow ?? ctx.demo !== undefined) scheduler.runAllNow();

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    log.info({ signal }, 'shutting down: no new runs; interrupting in-flight runs after the grace period');
    await scheduler.stop({ graceMs: GRACE_MS });
    await api.close();
    return 0;
  } finally {
    await ctx.close();
  }
}
