// The naming rule of core (isNagiosObjectName) as a refusal: a host or service name that would address
// another object or inject a command is an ExportError naming where it came from, before a byte is sent.
import { isNagiosObjectName, NAGIOS_FORBIDDEN_LIST } from '../core/index.ts';
import { ExportError } from './errors.ts';

/** Refuses a name that would address another object or inject a command (core's naming rule). */
export function assertObjectName(kind: 'host' | 'service', name: string, where: string): void {
  if (!isNagiosObjectName(name)) {
    throw new ExportError(`${kind} name ${JSON.stringify(name)} is not a valid Nagios object name (empty, or holds one of ${NAGIOS_FORBIDDEN_LIST})`, {
      where,
    });
  }
}
