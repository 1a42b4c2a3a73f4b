// One Icinga 2 host or service from a snapshot → a CheckStatus. Pure. The questions in the same order
// as for Nagios: is the source there, is the object there, are its checks switched off, has it ever been
// checked (before its first result Icinga shows a service UNKNOWN and a host DOWN: pending, not a
// state), is the result fresh — and only then what the state is.
import type { CheckStatus, State } from '../types.ts';
import type { Icinga2ObjectStatus, Icinga2Read } from './icinga2-read.ts';
import { DEFAULT_FRESHNESS_MS, formatAge } from './nagios-check.ts';
import { unknownStatus } from './unknown-status.ts';

const SERVICE_STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
// Icinga 2 hosts are UP or DOWN; reachability is a separate flag, not a state.
const HOST_STATES = ['UP', 'DOWN'] as const;

export const icinga2CheckId = (host: string, service?: string): string => (service === undefined ? `icinga2:${host}` : `icinga2:${host}!${service}`);

export function resolveIcinga2Check(
  spec: { host: string; service?: string },
  read: Icinga2Read | undefined,
  ctx: { nowMs: number; freshnessMs?: number },
): CheckStatus {
  const isHost = spec.service === undefined;
  const object = isHost ? { host: spec.host } : { host: spec.host, service: spec.service };
  const id = icinga2CheckId(spec.host, spec.service);
  const unusable = (reason: 'unreachable' | 'missing', detail: string): CheckStatus =>
    unknownStatus({ id, source: 'icinga2', reason, detail, freshnessMs: ctx.freshnessMs ?? DEFAULT_FRESHNESS_MS, icinga2: object });
  if (!read) return unusable('unreachable', 'no Icinga 2 source is configured (model.sources.icinga2)');
  if (!read.ok) return unusable('unreachable', read.error);

  const host = read.snapshot.hosts.get(spec.host);
  if (!host) return unusable('missing', `host ${spec.host} is not in Icinga 2 (${read.snapshot.origin})`);
  const status: Icinga2ObjectStatus | undefined = isHost ? host.status : host.services.get(spec.service!);
  if (!status) return unusable('missing', `host ${spec.host} has no service ${JSON.stringify(spec.service)} in Icinga 2`);

  const freshnessMs = ctx.freshnessMs ?? (status.activeChecksEnabled && status.checkIntervalS > 0 ? 2 * status.checkIntervalS * 1000 : DEFAULT_FRESHNESS_MS);
  const raw = !status.checked ? 'PENDING' : isHost ? (HOST_STATES[status.state] ?? 'DOWN') : (SERVICE_STATES[status.state] ?? 'UNKNOWN');
  const state: State = !status.checked ? 'UNKNOWN' : isHost ? (raw === 'UP' ? 'OK' : 'CRITICAL') : (raw as State);
  // A service of a host in downtime is in downtime too, as Icinga Web shows it.
  const downtime = status.downtimeDepth > 0 || (!isHost && host.status.downtimeDepth > 0);
  const ageMs = ctx.nowMs - status.resultAtMs;
  const kind = isHost ? 'host' : 'service';
  let reason: CheckStatus['reason'] = 'fresh';
  let detail: string | undefined;
  if (!status.activeChecksEnabled && !status.passiveChecksEnabled) {
    reason = 'disabled';
    detail = `both active and passive checks of this ${kind} are disabled: Icinga 2 takes no result for it`;
  } else if (!status.activeChecksEnabled && status.activeSwitchedAtRuntime) {
    reason = 'disabled';
    detail = `active checks of this ${kind} were disabled at run time (API or Icinga Web; original_attributes.enable_active_checks)`;
  } else if (!status.checked) {
    reason = 'pending';
    detail = `Icinga 2 has no result for this ${kind} yet`;
  } else if (ageMs > freshnessMs) {
    reason = 'stale';
    detail = `last result ${formatAge(ageMs)} ago, older than its freshness ${formatAge(freshnessMs)}`;
  } else {
    const notes = [
      downtime ? 'in scheduled downtime' : '',
      status.acknowledged ? 'problem acknowledged' : '',
      !status.hard && state !== 'OK' ? `soft state: Icinga 2 is re-checking before it notifies (attempt ${status.attempt} of ${status.maxAttempts})` : '',
    ].filter(Boolean);
    if (notes.length) detail = notes.join(', ');
  }
  const result: CheckStatus = {
    id,
    source: 'icinga2',
    state,
    raw,
    reason,
    downtime,
    acknowledged: status.acknowledged,
    output: status.output,
    lastCheck: status.checked ? new Date(status.resultAtMs).toISOString() : null,
    freshnessMs,
    green: reason === 'fresh' && state === 'OK' && !downtime,
    red: reason === 'fresh' && state === 'CRITICAL',
    icinga2: object,
  };
  if (status.checked) result.stateType = status.hard ? 'HARD' : 'SOFT';
  if (detail !== undefined) result.detail = detail;
  return result;
}
