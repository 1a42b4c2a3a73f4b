// Pauses inside `vigil serve`: the pause store and maintenance windows (createPauses), the watcher
// that says when a pair becomes paused or resumes (gauges, log, passive "paused" results), and the
// control the API uses to set and lift pauses. `watch` is one at a time: the API's change and the
// beat may ask together.
import { createPauseControl } from '../../scheduler/pause-control.ts';
import { createPauseWatcher } from '../../scheduler/pause-watcher.ts';
import { createPauses, type PauseState } from '../../scheduler/pauses.ts';
import { scenarioOfTarget, scenarioPairs } from '../../core/index.ts';
import { buildPausedCheck, type PausedCheckKind } from '../../exporters/nagios/paused-check.ts';
import { messageOf } from '../../shared/errors.ts';
import { oneAtATime } from '../../shared/one-at-a-time.ts';
import type { Context } from '../context.ts';

export function createPauseWiring(ctx: Context, suitePairs: () => ReadonlyArray<{ suite: string; environment: string }>) {
  const { config, store, log, redact } = ctx;
  const { prometheus, fanOut } = ctx.exporters;
  // Scheduled scenarios are paused as `scenario:<name>` on each environment they act on.
  const scheduled = scenarioPairs(config);
  const pairs = () => [...suitePairs(), ...scheduled];
  const publish = (pause: PauseState, kind: PausedCheckKind) =>
    scenarioOfTarget(pause.suite) === undefined ? fanOut.publishPause(pause, kind) : publishScenarioPause(ctx, pause, kind);
  const pauses = createPauses({ store, windows: config.maintenance, timezone: config.api.timezone });
  const watcher = createPauseWatcher({
    pauses,
    pairs,
    onPause: (pause) => {
      log.info({ suite: pause.suite, environment: pause.environment, until: pause.until, source: pause.source, reason: pause.reason }, 'paused');
      prometheus.setPaused(pause.suite, pause.environment, true);
      void publish(pause, 'pause');
    },
    onResume: (pause, early) => {
      log.info({ suite: pause.suite, environment: pause.environment, early }, 'resumed');
      prometheus.setPaused(pause.suite, pause.environment, false);
      if (early) void publish(pause, 'resume');
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

/** A scheduled scenario's pause goes to its own passive service (scenarios.schedule.<name>.nagios), when it has one. */
async function publishScenarioPause(ctx: Context, pause: PauseState, kind: PausedCheckKind): Promise<void> {
  const name = scenarioOfTarget(pause.suite)!;
  const nagios = ctx.config.scenarios?.schedule[name]?.nagios;
  if (!nagios || !ctx.config.exporters?.nagios) return;
  const check = buildPausedCheck(pause, { ...nagios, label: name, mode: 'ok', kind });
  try {
    await ctx.exporters.fanOut.publishCheck(check, `${kind}-${name}-${check.timestamp}`);
  } catch (err) {
    ctx.log.error({ schedule: name, err: ctx.redact(messageOf(err)) }, 'scheduled scenario: sending its pause failed');
  }
}
