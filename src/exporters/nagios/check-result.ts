// What every Nagios transport sends: one passive service result, already named and formatted.
import { defaultServiceName, type LocationRule, type LocationsVerdict, type RunResult } from '../../core/index.ts';
import type { CheckResult } from '../../core/nagios-check.ts';
import { assertObjectName } from '../../shared/nagios-object-name.ts';
import { formatCheckResult, formatLocatedCheck, type FormatOptions, type FormattedCheck } from './plugin-output.ts';

export { assertObjectName, type CheckResult };

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
