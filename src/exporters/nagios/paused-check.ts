// What Nagios hears about a paused suite × environment instead of a run's result: OK, saying until
// when and why, so nobody is paged for a planned deploy and the service's freshness check stays
// satisfied (the result is sent again at every skipped fire). With `exporters.nagios.paused: downtime`
// the command file also gets a scheduled downtime, and its removal when the pause is lifted early.
import { defaultServiceName } from '../../core/index.ts';
import { assertObjectName, type CheckResult, type NamingOptions } from './check-result.ts';
import { sanitizeLine, STATE_LABEL } from './plugin-output.ts';

export interface PausedPair {
  suite: string;
  environment: string;
  /** ISO 8601. */
  until: string;
  reason: string;
  source: 'manual' | 'window';
}

// The one comment Vigil's downtimes carry: DEL_DOWNTIME_BY_HOST_NAME matches downtimes by comment.
export const DOWNTIME_COMMENT = 'paused by Vigil';

export type PausedCheckKind = 'pause' | 'refresh' | 'resume';

/**
 * `pause`: the pause just began (a downtime is scheduled in downtime mode); `refresh`: a skipped fire
 * while paused (the OK result only); `resume`: lifted before its end (the downtime is removed).
 */
export function buildPausedCheck(pause: PausedPair, opts: NamingOptions & { mode?: 'ok' | 'downtime'; kind?: PausedCheckKind; now?: Date } = {}): CheckResult {
  const host = opts.host ?? pause.environment;
  const service = opts.service ?? defaultServiceName(pause.suite, opts.servicePrefix);
  assertObjectName('host', host, `nagios.${pause.environment}`);
  assertObjectName('service', service, `nagios.${pause.suite}`);
  const now = opts.now ?? new Date();
  const timestamp = Math.floor(now.getTime() / 1000);
  const kind = opts.kind ?? 'pause';
  const label = sanitizeLine(opts.label ?? pause.suite);
  const output =
    kind === 'resume'
      ? `${STATE_LABEL[0]} - ${label}: resumed; waiting for the next run`
      : `${STATE_LABEL[0]} - ${label}: paused until ${pause.until} (${sanitizeLine(pause.reason)})`;
  const longOutput = [
    ...(opts.publicURL ? [`suite page: ${opts.publicURL}/suites/${encodeURIComponent(pause.suite)}/${encodeURIComponent(pause.environment)}`] : []),
    kind === 'resume'
      ? 'the pause was lifted; scheduled runs go on'
      : `scheduled runs are skipped while paused (${pause.source === 'window' ? 'maintenance window in the config' : 'paused through the API or vigil pause'})`,
  ];
  const downtime =
    opts.mode === 'downtime' && kind === 'pause'
      ? { start: timestamp, end: Math.ceil(Date.parse(pause.until) / 1000), comment: DOWNTIME_COMMENT }
      : opts.mode === 'downtime' && kind === 'resume'
        ? { cancel: true as const, comment: DOWNTIME_COMMENT }
        : undefined;
  return { state: 0, output, longOutput, perfdata: '', host, service, timestamp, ...(downtime ? { downtime } : {}) };
}
