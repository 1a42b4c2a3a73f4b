// One Nagios host or service from a snapshot → a CheckStatus. Pure. The order of the questions is
// the point: is the source there, is the object there, are its checks switched off, has it ever been
// checked (Nagios shows current_state=0 before any result: that is pending, not OK), is the result
// fresh — and only then what the state is.
import type { CheckStatus, State } from '../types.ts';
import type { NagiosHost, NagiosObjectStatus, NagiosRead } from './nagios-status.ts';
import { unknownStatus } from './unknown-status.ts';

const SERVICE_STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
const HOST_STATES = ['UP', 'DOWN', 'UNREACHABLE'] as const;
const HOST_TO_STATE: Record<(typeof HOST_STATES)[number], State> = { UP: 'OK', DOWN: 'CRITICAL', UNREACHABLE: 'UNKNOWN' };

// MODATTR_ACTIVE_CHECKS_ENABLED: set when active checks were switched at run time (DISABLE_SVC_CHECK,
// the web UI), so an active check switched off is told apart from a passive-only one configured so.
const MODATTR_ACTIVE_CHECKS = 2;

/** Built-in freshness when neither the check, its nodes nor the model set one, and the check is not active. */
export const DEFAULT_FRESHNESS_MS = 10 * 60_000;

export interface NagiosCheckContext {
  nowMs: number;
  /** From the check, its nodes or the model; absent: 2 × the active check interval, else DEFAULT_FRESHNESS_MS. */
  freshnessMs?: number;
}

export const nagiosCheckId = (host: string, service?: string): string => (service === undefined ? `nagios:${host}` : `nagios:${host}!${service}`);

export const formatAge = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
};

type Spec = { host: string; service?: string };
type Unusable = { reason: 'unreachable' | 'missing'; detail: string };

export function resolveNagiosCheck(spec: Spec, read: NagiosRead | undefined, ctx: NagiosCheckContext): CheckStatus {
  const isHost = spec.service === undefined;
  const found = findStatus(spec, isHost, read);
  if ('reason' in found) return unusableCheck(spec, isHost, found, ctx.freshnessMs ?? DEFAULT_FRESHNESS_MS);
  const { host, status } = found;
  const freshnessMs =
    ctx.freshnessMs ?? (status.activeChecksEnabled && status.checkInterval > 0 ? 2 * status.checkInterval * found.intervalLengthMs : DEFAULT_FRESHNESS_MS);
  const checked = status.hasBeenChecked && status.lastCheck > 0;
  const raw = !checked ? 'PENDING' : isHost ? (HOST_STATES[status.currentState] ?? 'UNREACHABLE') : (SERVICE_STATES[status.currentState] ?? 'UNKNOWN');
  const state: State = !checked ? 'UNKNOWN' : isHost ? HOST_TO_STATE[raw as (typeof HOST_STATES)[number]] : (raw as State);
  // A service of a host in downtime is in downtime too, as Nagios' own UI shows it.
  const downtime = status.downtimeDepth > 0 || (!isHost && (host.status?.downtimeDepth ?? 0) > 0);
  const { reason, detail } = judgeReason(status, isHost, checked, ctx.nowMs - status.lastCheck * 1000, freshnessMs, downtime);
  // Built once: a model over a large Nagios resolves tens of thousands of these per poll.
  const result: CheckStatus = {
    id: nagiosCheckId(spec.host, spec.service),
    source: 'nagios',
    state,
    raw,
    reason,
    downtime,
    acknowledged: status.acknowledged,
    output: status.output,
    lastCheck: checked ? new Date(status.lastCheck * 1000).toISOString() : null,
    freshnessMs,
    green: reason === 'fresh' && state === 'OK' && !downtime,
    red: reason === 'fresh' && state === 'CRITICAL',
    nagios: nagiosObject(spec, isHost),
  };
  if (detail !== undefined) result.detail = detail;
  return result;
}

const nagiosObject = (spec: Spec, isHost: boolean) => (isHost ? { host: spec.host } : { host: spec.host, service: spec.service });

/** The object's status in the snapshot, or why there is none: no source, a source that cannot be read, an object not in Nagios. */
function findStatus(
  spec: Spec,
  isHost: boolean,
  read: NagiosRead | undefined,
): Unusable | { host: NagiosHost; status: NagiosObjectStatus; intervalLengthMs: number } {
  if (!read) return { reason: 'unreachable', detail: 'no Nagios source is configured (model.sources.nagios)' };
  if (!read.ok) return { reason: 'unreachable', detail: read.error };
  const { snapshot } = read;
  const host = snapshot.hosts.get(spec.host);
  if (!host) return { reason: 'missing', detail: `host ${spec.host} is not in Nagios (${snapshot.statusFile})` };
  const status = isHost ? host.status : host.services.get(spec.service!);
  if (!status) {
    const detail = isHost
      ? `host ${spec.host} has no host status in ${snapshot.statusFile}`
      : `host ${spec.host} has no service ${JSON.stringify(spec.service)} in Nagios`;
    return { reason: 'missing', detail };
  }
  return { host, status, intervalLengthMs: snapshot.intervalLengthMs };
}

/** UNKNOWN with nothing from Nagios behind it. */
function unusableCheck(spec: Spec, isHost: boolean, why: Unusable, freshnessMs: number): CheckStatus {
  return unknownStatus({
    id: nagiosCheckId(spec.host, spec.service),
    source: 'nagios',
    nagios: nagiosObject(spec, isHost),
    reason: why.reason,
    freshnessMs,
    detail: why.detail,
  });
}

/** The questions after "is it there", in the order of the file's head: switched off, never checked, stale; else fresh. */
function judgeReason(
  status: NagiosObjectStatus,
  isHost: boolean,
  checked: boolean,
  ageMs: number,
  freshnessMs: number,
  downtime: boolean,
): { reason: CheckStatus['reason']; detail?: string } {
  const kind = isHost ? 'host' : 'service';
  if (!status.activeChecksEnabled && !status.passiveChecksEnabled) {
    return { reason: 'disabled', detail: `both active and passive checks of this ${kind} are disabled: Nagios takes no result for it` };
  }
  if (!status.activeChecksEnabled && (status.modifiedAttributes & MODATTR_ACTIVE_CHECKS) !== 0) {
    return { reason: 'disabled', detail: `active checks of this ${kind} were disabled at run time (DISABLE_${isHost ? 'HOST' : 'SVC'}_CHECK or the web UI)` };
  }
  if (!checked) return { reason: 'pending', detail: `Nagios has no result for this ${kind} yet` };
  if (ageMs > freshnessMs) return { reason: 'stale', detail: `last result ${formatAge(ageMs)} ago, older than its freshness ${formatAge(freshnessMs)}` };
  if (downtime || status.acknowledged) {
    return { reason: 'fresh', detail: [downtime ? 'in scheduled downtime' : '', status.acknowledged ? 'problem acknowledged' : ''].filter(Boolean).join(', ') };
  }
  return { reason: 'fresh' };
}
