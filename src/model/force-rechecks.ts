// "Check now" for every source that can be asked: the one dispatch point for forced re-checks, used by
// `vigil model check --recheck` and by scenario Thens (through waitUntil). A source that cannot be asked
// is simply not forced; its checks are judged by their next scheduled result.
import type { Model } from '../config/model-schema.ts';
import { forceIcinga2Rechecks } from './sources/icinga2-recheck.ts';
import { forceNagiosRechecks } from './sources/nagios-recheck.ts';
import type { CheckStatus } from './types.ts';

/** Why re-checks cannot be forced with this model, or undefined when at least one source can. */
export function recheckProblem(model: Model): string | undefined {
  if (model.sources.nagios?.commandFile || model.sources.icinga2) return undefined;
  return 'needs model.sources.nagios.commandFile (nagios.cfg command_file) or model.sources.icinga2 to ask the monitoring to re-check';
}

/** Forces a re-check of every check in `checks` its source can re-check now; returns those it forced. */
export async function forceRechecks(model: Model, checks: readonly CheckStatus[], nowMs = Date.now()): Promise<CheckStatus[]> {
  const commandFile = model.sources.nagios?.commandFile;
  const icinga2 = model.sources.icinga2;
  // A missing object cannot be scheduled (Nagios would only log an error, Icinga answers 500); an
  // unreachable source cannot be asked either.
  const askable = checks.filter((c) => c.reason !== 'missing' && c.reason !== 'unreachable');
  const nagios = commandFile ? askable.filter((c) => c.nagios) : [];
  const icinga = icinga2 ? askable.filter((c) => c.icinga2) : [];
  await Promise.all([
    commandFile && nagios.length
      ? forceNagiosRechecks(
          commandFile,
          nagios.map((c) => c.nagios!),
          nowMs,
        )
      : undefined,
    icinga2 && icinga.length
      ? forceIcinga2Rechecks(
          icinga2,
          icinga.map((c) => c.icinga2!),
        )
      : undefined,
  ]);
  return [...nagios, ...icinga];
}
