// Forced re-checks: waiting for the next scheduled active check makes a scenario's "within 2m" useless,
// so Vigil can ask Nagios to check now through its external command file:
//   [now] SCHEDULE_FORCED_SVC_CHECK;<host>;<service>;<now>   /   SCHEDULE_FORCED_HOST_CHECK;<host>;<now>
// "Forced" runs the check even when active checks are off (a disabled check still reads `disabled`:
// the reason is judged from the flags, not from the result's age).
// Written with the command-file transport's writer (non-blocking open, atomic writes).
import { isNagiosObjectName } from '../../core/index.ts';
import { writeCommandLines } from '../../shared/nagios-command-file.ts';
import { VigilError } from '../../shared/errors.ts';

export interface RecheckTarget {
  host: string;
  service?: string;
}

export function recheckLine(target: RecheckTarget, nowSeconds: number): string {
  for (const name of [target.host, target.service]) {
    if (name !== undefined && !isNagiosObjectName(name)) {
      throw new VigilError(`${JSON.stringify(name)} is not a valid Nagios object name`, { where: 'forced re-check' });
    }
  }
  return target.service === undefined
    ? `[${nowSeconds}] SCHEDULE_FORCED_HOST_CHECK;${target.host};${nowSeconds}\n`
    : `[${nowSeconds}] SCHEDULE_FORCED_SVC_CHECK;${target.host};${target.service};${nowSeconds}\n`;
}

/** Writes one forced re-check per target; throws (ExportError) naming the command file when it cannot. */
export async function forceNagiosRechecks(commandFile: string, targets: RecheckTarget[], nowMs = Date.now()): Promise<void> {
  const now = Math.floor(nowMs / 1000);
  await writeCommandLines(
    commandFile,
    targets.map((t) => recheckLine(t, now)),
    `sources.nagios.commandFile ${commandFile} (forced re-check)`,
  );
}
