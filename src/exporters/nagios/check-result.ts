// What every Nagios transport sends: one passive service result, already named and formatted.
import { defaultServiceName, isNagiosObjectName, NAGIOS_FORBIDDEN_LIST, type LocationRule, type LocationsVerdict, type RunResult } from '../../core/index.ts';
import { ExportError } from '../../shared/errors.ts';
import { formatCheckResult, formatLocatedCheck, type FormatOptions, type FormattedCheck } from './plugin-output.ts';

export interface CheckResult extends FormattedCheck {
  host: string;
  service: string;
  /** Epoch seconds the result describes (the run's end); the command file's `[epoch]`. */
  timestamp: number;
  /**
   * A paused pair with `exporters.nagios.paused: downtime`: schedule (or, `cancel`, end) a downtime
   * next to the result, where the transport can (the command file); the others send the result only.
   */
  downtime?: { start: number; end: number; comment: string } | { cancel: true; comment: string };
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

/** Refuses a name that would address another object or inject a command (core's naming rule). */
export function assertObjectName(kind: 'host' | 'service', name: string, where: string): void {
  if (!isNagiosObjectName(name)) {
    throw new ExportError(`${kind} name ${JSON.stringify(name)} is not a valid Nagios object name (empty, or holds one of ${NAGIOS_FORBIDDEN_LIST})`, { where });
  }
}

export function buildCheckResult(result: RunResult, opts: NamingOptions = {}): CheckResult {
  return addressed(result, formatCheckResult(result, opts), result.finishedAt, opts);
}

/**
 * The pair's check for a suite run from several locations, published after each location's run: its
 * time is the newest run the verdict holds, so the check that knows the most is never taken for an older one.
 */
export function buildLocatedCheckResult(result: RunResult, verdict: LocationsVerdict, rule: LocationRule, opts: NamingOptions = {}): CheckResult {
  return addressed(result, formatLocatedCheck(verdict, rule, { ...opts, suite: result.suite }), verdict.newestAt ?? result.finishedAt, opts);
}

function addressed(result: RunResult, formatted: FormattedCheck, at: string, opts: NamingOptions): CheckResult {
  const host = opts.host ?? result.environment;
  const service = opts.service ?? defaultServiceName(result.suite, opts.servicePrefix);
  assertObjectName('host', host, `nagios.${result.environment}`);
  assertObjectName('service', service, `nagios.${result.suite}`);
  const finished = Date.parse(at);
  return { ...formatted, host, service, timestamp: Math.floor((Number.isFinite(finished) ? finished : Date.now()) / 1000) };
}
