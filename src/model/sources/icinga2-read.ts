// The Icinga 2 source: the objects the model asks about, read through the REST API in at most three
// requests per snapshot, however many checks the model has:
//   GET /v1/objects/hosts        every host (its groups decide discovery; its state is the host check)
//   GET /v1/objects/hostgroups   names only, and only when a discovery names a host group
//   GET /v1/objects/services     only the services of the hosts the model needs (filter + filter_vars,
//                                sent in the body with X-HTTP-Method-Override: GET, so names are never
//                                quoted into a filter expression)
// Reading never throws: a connection, TLS or credential failure makes the source `unreachable`.
import type { HostDiscoverSpec, Icinga2SourceConfig } from '../../config/model-schema.ts';
import { messageOf } from '../../shared/errors.ts';
import { createIcinga2Api, icinga2StatusText, type Icinga2Api } from '../../shared/icinga2-api.ts';
import { selectHosts } from './host-discovery.ts';

export interface Icinga2ObjectStatus {
  /** Hosts 0 UP, 1 DOWN; services 0–3. */
  state: number;
  hard: boolean;
  /** False before the first result (Icinga shows last_check=-1, last_check_result=null). */
  checked: boolean;
  /** When the result was produced (its execution_end, else last_check), epoch ms; 0 when none. */
  resultAtMs: number;
  checkIntervalS: number;
  activeChecksEnabled: boolean;
  passiveChecksEnabled: boolean;
  /** original_attributes holds enable_active_checks: someone switched it at run time (API, web UI). */
  activeSwitchedAtRuntime: boolean;
  downtimeDepth: number;
  acknowledged: boolean;
  output: string;
  attempt: number;
  maxAttempts: number;
}

export interface Icinga2Host {
  name: string;
  groups: string[];
  status: Icinga2ObjectStatus;
  services: Map<string, Icinga2ObjectStatus>;
}

export interface Icinga2Snapshot {
  origin: string;
  hosts: Map<string, Icinga2Host>;
  /** Names of the host groups, when a discovery asked for one. */
  hostgroups?: Set<string>;
}

export type Icinga2Read = { ok: true; snapshot: Icinga2Snapshot } | { ok: false; error: string };

/** What the model needs from Icinga: the hosts with service checks, and the discoveries (their hosts' services). */
export interface Icinga2Uses {
  serviceHosts: Set<string>;
  discoveries: HostDiscoverSpec[];
}

const COMMON_ATTRS = [
  'state',
  'state_type',
  'last_check',
  'last_check_result',
  'check_interval',
  'enable_active_checks',
  'enable_passive_checks',
  'original_attributes',
  'downtime_depth',
  'acknowledgement',
  'check_attempt',
  'max_check_attempts',
];
const HOST_ATTRS = ['name', 'groups', ...COMMON_ATTRS];
const SERVICE_ATTRS = ['host_name', 'name', ...COMMON_ATTRS];
// An Icinga with tens of thousands of services answers in tens of MB (last_check_result carries the command line).
const MAX_ANSWER_BYTES = 512 * 1024 * 1024;

type Attrs = Record<string, unknown>;

function toStatus(a: Attrs): Icinga2ObjectStatus {
  const result = a.last_check_result as { execution_end?: number; output?: string; vars_after?: { attempt?: number } } | null | undefined;
  const lastCheck = typeof a.last_check === 'number' ? a.last_check : -1;
  const checked = Boolean(result) && lastCheck > 0;
  const end = result?.execution_end;
  return {
    state: Number(a.state ?? 3),
    hard: a.state_type === 1,
    checked,
    resultAtMs: checked ? Math.round((typeof end === 'number' && end > 0 ? end : lastCheck) * 1000) : 0,
    checkIntervalS: Number(a.check_interval ?? 0),
    activeChecksEnabled: a.enable_active_checks === true,
    passiveChecksEnabled: a.enable_passive_checks === true,
    activeSwitchedAtRuntime: Boolean(a.original_attributes && typeof a.original_attributes === 'object' && 'enable_active_checks' in a.original_attributes),
    downtimeDepth: Number(a.downtime_depth ?? 0),
    acknowledged: Number(a.acknowledgement ?? 0) > 0,
    output: typeof result?.output === 'string' ? result.output.split('\n')[0] : '',
    // check_attempt already counts the next attempt after a soft problem; the result knows its own.
    attempt: Number(result?.vars_after?.attempt ?? a.check_attempt ?? 1),
    maxAttempts: Number(a.max_check_attempts ?? 1),
  };
}

/** Thrown inside the read for an answer that is not a usable list; becomes the source's `unreachable` reason. */
class Icinga2ReadError extends Error {}

async function query(api: Icinga2Api, user: string, type: 'hosts' | 'hostgroups' | 'services', body: Attrs): Promise<Attrs[]> {
  let answer;
  try {
    answer = await api.call({ method: 'GET', path: `/v1/objects/${type}`, body, queryInBody: true, maxBytes: MAX_ANSWER_BYTES });
  } catch (err) {
    throw new Icinga2ReadError(`cannot reach Icinga 2's API at ${api.origin}: ${api.describeFailure(err)}`);
  }
  if (answer.status === 401) throw new Icinga2ReadError(`Icinga 2 at ${api.origin} rejected user or password (401)`);
  if (answer.status === 403) throw new Icinga2ReadError(`Icinga 2 at ${api.origin}: the ApiUser lacks permission "objects/query/*" (403)`);
  // Icinga answers 404 "No objects found." for an empty list, and hides objects the ApiUser may not
  // see the same way. No host at all cannot be told from no permission, and answers nothing either way.
  if (answer.status === 404) {
    if (type === 'hosts') {
      throw new Icinga2ReadError(
        `Icinga 2 at ${api.origin} shows user ${JSON.stringify(user)} no hosts (404 No objects found): does its ApiUser have permission "objects/query/Host"?`,
      );
    }
    return [];
  }
  const results = (answer.body as { results?: Array<{ attrs?: Attrs }> } | undefined)?.results;
  if (answer.status !== 200 || !Array.isArray(results)) {
    throw new Icinga2ReadError(`Icinga 2 at ${api.origin} answered ${answer.status} to GET /v1/objects/${type}: ${api.hide(icinga2StatusText(answer))}`);
  }
  return results.map((r) => r.attrs ?? {});
}

export async function readIcinga2(config: Icinga2SourceConfig, uses: Icinga2Uses): Promise<Icinga2Read> {
  try {
    const api = createIcinga2Api(config, 'model.sources.icinga2');
    const needGroups = uses.discoveries.some((d) => d.hostgroup !== undefined);
    const [hostAttrs, groupAttrs] = await Promise.all([
      query(api, config.user, 'hosts', { attrs: HOST_ATTRS }),
      needGroups ? query(api, config.user, 'hostgroups', { attrs: ['name'] }) : Promise.resolve(undefined),
    ]);
    const hosts = new Map<string, Icinga2Host>();
    for (const a of hostAttrs) {
      const name = String(a.name ?? '');
      if (name) hosts.set(name, { name, groups: Array.isArray(a.groups) ? a.groups.map(String) : [], status: toStatus(a), services: new Map() });
    }
    const snapshot: Icinga2Snapshot = { origin: api.origin, hosts };
    if (groupAttrs) snapshot.hostgroups = new Set(groupAttrs.map((g) => String(g.name)));

    // Services only of the hosts some check or discovered member will look at.
    const wanted = new Set([...uses.serviceHosts].filter((h) => hosts.has(h)));
    for (const d of uses.discoveries) {
      if (d.checks.length === 0) continue;
      const found = selectHosts(d, icingaHostIndex(snapshot));
      if (found.ok) for (const h of found.hosts) wanted.add(h);
    }
    if (wanted.size > 0) {
      const services = await query(api, config.user, 'services', {
        attrs: SERVICE_ATTRS,
        filter: 'host.name in vigil_hosts',
        filter_vars: { vigil_hosts: [...wanted] },
      });
      for (const a of services) hosts.get(String(a.host_name))?.services.set(String(a.name), toStatus(a));
    }
    return { ok: true, snapshot };
  } catch (err) {
    return { ok: false, error: messageOf(err) };
  }
}

/** Host names and group membership in the shape host discovery reads (shared with Nagios). */
export function icingaHostIndex(snapshot: Icinga2Snapshot) {
  return {
    hosts: () => [...snapshot.hosts.keys()],
    group: (name: string): string[] | undefined => {
      if (snapshot.hostgroups && !snapshot.hostgroups.has(name)) return undefined;
      return [...snapshot.hosts.values()].filter((h) => h.groups.includes(name)).map((h) => h.name);
    },
    source: 'Icinga 2',
  };
}
