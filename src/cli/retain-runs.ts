import { messageOf } from '../shared/errors.ts';
import type { Context } from './context.ts';

/** Applies `runs: { keep, maxAge }` to the store; a failure (a full disk) is logged and counted, never fatal. */
export async function retainRuns(ctx: Pick<Context, 'store' | 'config' | 'log' | 'redact' | 'exporters'>, why: string): Promise<void> {
  try {
    const removed = await ctx.store.runs.retain({ keep: ctx.config.runs.keep, maxAgeMs: ctx.config.runs.maxAge, now: new Date() });
    if (removed)
      ctx.log.info({ removed, keep: ctx.config.runs.keep, maxAgeMs: ctx.config.runs.maxAge }, `${why} run retention: old runs removed from the store`);
  } catch (err) {
    ctx.exporters.prometheus.observeStoreFailure('run');
    ctx.log.error({ err: ctx.redact(messageOf(err)) }, `${why} run retention failed; old runs stay until the next pass`);
  }
}
