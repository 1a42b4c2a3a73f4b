// What every Nagios transport sends: one passive service result, already named and formatted.
import type { RunResult } from '../../runs/run-result.ts';
import { ExportError } from '../../shared/errors.ts';
import { formatCheckResult, type FormatOptions, type FormattedCheck } from './plugin-output.ts';

export interface CheckResult extends FormattedCheck {
  host: string;
  service: string;
  /** Epoch seconds the result describes (the run's end); the command file's `[epoch]`. */
  timestamp: number;
}

export interface Transport {
  readonly name: string;
  /** Resolves once delivered as far as the protocol can tell; throws ExportError otherwise. */
  send(check: CheckResult, signal?: AbortSignal): Promise<void>;
}

export interface NamingOptions extends FormatOptions {
  /** Nagios host; default the environment's `nagiosHost`, else the environment name. */
  host?: string;
  /** Service description; default `${servicePrefix}${suite}`. */
  service?: string;
  /** Default `synthetic-`. */
  servicePrefix?: string;
}

export const defaultServiceName = (suite: string, prefix = 'synthetic-') => `${prefix}${suite}`;

// `;` separates command fields and a newline ends a command: a name holding either would address
// another object or inject a command. Nagios also forbids these in object names.
const FORBIDDEN_IN_NAME = /[;\n\r\t\u0000`~!$%^&*|'"<>?,()=]/;

export function assertObjectName(kind: 'host' | 'service', name: string, where: string): void {
  if (!name.trim() || FORBIDDEN_IN_NAME.test(name)) {
    throw new ExportError(
      `${kind} name ${JSON.stringify(name)} is not a valid Nagios object name (empty, or holds one of ; newline tab \` ~ ! $ % ^ & * | ' " < > ? , ( ) =)`,
      { where },
    );
  }
}

export function buildCheckResult(result: RunResult, opts: NamingOptions = {}): CheckResult {
  const host = opts.host ?? result.environment;
  const service = opts.service ?? defaultServiceName(result.suite, opts.servicePrefix);
  assertObjectName('host', host, `nagios.${result.environment}`);
  assertObjectName('service', service, `nagios.${result.suite}`);
  const finished = Date.parse(result.finishedAt);
  return {
    ...formatCheckResult(result, opts),
    host,
    service,
    timestamp: Math.floor((Number.isFinite(finished) ? finished : Date.now()) / 1000),
  };
}
