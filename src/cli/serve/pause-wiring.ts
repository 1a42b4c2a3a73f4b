// Pauses inside `vigil serve`: the pause store and maintenance windows (createPauses), the watcher
// that says when a pair becomes paused or resumes (gauges, log, passive "paused" results), and the
// control the API uses to set and lift pauses. `watch` is one at a time: the API's change and the
// beat may ask together.
import { createPauseControl } from '../../scheduler/pause-control.ts';
import { createPauseWatcher } from '../../scheduler/pause-watcher.ts';
import { createPauses } from '../../scheduler/pauses.ts';
import { messageOf } from '../../shared/errors.ts';
import { oneAtATime } from '../../shared/one-at-a-time.ts';
import type { Context } from '../context.ts';

export function createPauseWiring(ctx: Context, pairs: () => ReadonlyArray<{ suite: string; environment: string }>) {
  const { config, store, log, redact } = ctx;
  const { prometheus, fanOut } = ctx.exporters;
  const pauses = createPauses({ store, windows: config.maintenance, timezone: config.api.timezone });
  const watcher = createPauseWatcher({
    pauses,
    pairs,
    onPause: (pause) => {
      log.info({ suite: pause.suite, environment: pause.environment, until: pause.until, source: pause.source, reason: pause.reason }, 'paused');
      prometheus.setPaused(pause.suite, pause.environment, true);
      void fanOut.publishPause(pause, 'pause');
    },
    onResume: (pause, early) => {
      log.info({ suite: pause.suite, environment: pause.environment, early }, 'resumed');
      prometheus.setPaused(pause.suite, pause.environment, false);
      if (early) void fanOut.publishPause(pause, 'resume');
    },
  });
  const watch = oneAtATime(() =>
    (async () => {
      await store.pauses.expire(new Date());
      await pauses.refresh();
      watcher.tick();
    })().catch((err) => log.error({ err: redact(messageOf(err)) }, 'checking pauses failed')),
  );
  const control = createPauseControl({ config, store, pauses, pairs, changed: watch });
  return { pauses, watch, control };
}
