// Which hosts a host discovery selects: the members of a host group and/or the host names matching a
// pattern (both: the group's hosts that match). Nagios and Icinga 2 differ only in where group
// membership comes from, so each gives an index and this decides.

export interface HostIndex {
  hosts(): string[];
  /** Members of the group; undefined when the group is not defined. */
  group(name: string): string[] | undefined;
  /** For messages: `Nagios`, `Icinga 2`. */
  source: string;
}

export type HostSelection = { ok: true; hosts: string[] } | { ok: false; error: string };

export function selectHosts(spec: { hostgroup?: string; hostPattern?: string }, index: HostIndex): HostSelection {
  let names: string[];
  if (spec.hostgroup !== undefined) {
    const members = index.group(spec.hostgroup);
    if (!members) return { ok: false, error: `host group ${JSON.stringify(spec.hostgroup)} is not defined in ${index.source}` };
    names = members;
  } else {
    names = index.hosts();
  }
  if (spec.hostPattern !== undefined) {
    const pattern = new RegExp(spec.hostPattern);
    names = names.filter((name) => pattern.test(name));
  }
  return { ok: true, hosts: [...new Set(names)].sort() };
}
