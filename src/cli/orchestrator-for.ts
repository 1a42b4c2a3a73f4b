// The one way a command builds the run orchestrator from its context: the same store, provisioners,
// redactor, withheld variables, publishing and store-failure counting for run, gate, serve and scenario.
import { createRunOrchestrator, type RunOrchestrator } from '../runs/orchestrator.ts';
import type { Context } from './context.ts';
import { NAME_PATTERN } from '../config/schema.ts';

export function orchestratorFor(ctx: Context, stamp: { replica?: string; location?: string } | undefined = locationFromEnv()): RunOrchestrator {
  const orchestrator = createRunOrchestrator({
    config: ctx.config,
    store: ctx.store,
    provisioners: ctx.provisioners,
    redact: ctx.redact,
    withheldVariables: ctx.withheldVariables,
    log: ctx.log,
    publish: (r) => ctx.exporters.fanOut.publish(r),
    onStoreFailure: (operation) => ctx.exporters.prometheus.observeStoreFailure(operation),
    ...(stamp ? { stamp } : {}),
  });
  // Shared browsers stop with the command (they would with the process anyway: they watch their stdin).
  ctx.onClose(() => orchestrator.close());
  return orchestrator;
}

/** One-shot commands (run, gate, scenario) run from $VIGIL_LOCATION when it names one, as serve does. */
export function locationFromEnv(): { location: string } | undefined {
  const location = process.env.VIGIL_LOCATION?.trim();
  return location && NAME_PATTERN.test(location) ? { location } : undefined;
}
