// The one exit of a run: stamp it, prune old artifacts, save it (as not yet handed to the exporters),
// publish it, then mark it handed over. A store or an exporter that fails is logged: the run is still
// published, and its result still returned to the caller.
import type { RunResult } from '../core/index.ts';
import { messageOf } from '../shared/errors.ts';
import { pruneArtifacts } from '../suites/artifacts.ts';
import type { RunContext } from './run-context.ts';

/** The one exit: stamp, prune old artifacts, save, publish. Runs once per run, after every teardown. */
export async function record(ctx: RunContext, result: RunResult): Promise<RunResult> {
  const { config, deps, store, storeWrite, redact, log, clock } = ctx;
  result.finishedAt = clock().toISOString();
  try {
    const { dir, keep, maxAge } = config.artifacts;
    const removed = pruneArtifacts({ dir, keep, maxAgeMs: maxAge, now: clock() });
    if (removed.length) log.debug({ removed: removed.length }, 'artifact retention: removed old run folders');
  } catch (err) {
    log.warn({ err: redact(messageOf(err)) }, 'artifact retention failed; old artifacts stay until the next run');
  }
  const clean = redact.value(result);
  // Still published when it cannot be stored: Nagios and Prometheus hear of it, the log has it.
  // Saved as not yet handed to the exporters, in the run's own transaction: a process killed before
  // the fan-out took it leaves a mark the next spool pass publishes from (store.runs.notHandedOver).
  const saved = await storeWrite('run', clean.runId, `run ${clean.runId} (${clean.suite}@${clean.environment} ${clean.status}); it is still published`, () =>
    store.runs.save(clean, { handedOver: !deps.publish }),
  );
  log.info({ runId: clean.runId, suite: clean.suite, environment: clean.environment, status: clean.status, errorPhase: clean.errorPhase }, 'run finished');
  if (deps.publish) {
    try {
      await deps.publish(clean);
    } catch (err) {
      log.error({ runId: clean.runId, err: redact(messageOf(err)) }, 'publishing the result failed');
    }
    // Delivered or spooled: from here the spool carries it.
    if (saved) await storeWrite('run', clean.runId, `run ${clean.runId} as handed to the exporters`, () => store.runs.handedOver(clean.runId));
  }
  return clean;
}
