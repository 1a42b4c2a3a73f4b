// Members found in the monitoring rather than listed, because machines are rebuilt all the time:
//   nagios / icinga2 — the hosts of a host group and/or matching a pattern, each with its host check and
//                      the named services;
//   prometheus       — one member per value of a label in the answer to a query, its check being its
//                      own series of that answer against the discovery's condition.
// Pure over the snapshot, like the rest of the evaluation.
import type { DiscoverSpec, HostDiscoverSpec, NodeSpec, SeriesDiscoverSpec } from '../config/model-schema.ts';
import type { Snapshot } from './snapshot-types.ts';
import { selectHosts, type HostIndex } from './sources/host-discovery.ts';
import { icingaHostIndex } from './sources/icinga2-read.ts';
import type { NagiosRead } from './sources/nagios-status.ts';

export type Discovery = { ok: true; members: NodeSpec[] } | { ok: false; error: string };

function nagiosHostIndex(read: NagiosRead | undefined): HostIndex | { error: string } {
  if (!read) return { error: 'no Nagios source is configured (model.sources.nagios)' };
  if (!read.ok) return { error: read.error };
  const { hosts, hostgroups } = read.snapshot;
  return {
    hosts: () => [...hosts.keys()],
    group: (name) => {
      // objects.cache could not be read: say so rather than "not defined".
      if (hostgroups && !(hostgroups instanceof Map)) throw new DiscoveryError(hostgroups.error);
      if (!hostgroups) throw new DiscoveryError('host groups were not read');
      return hostgroups.get(name);
    },
    source: 'Nagios',
  };
}

class DiscoveryError extends Error {}

function discoverHosts(spec: HostDiscoverSpec, snapshot: Snapshot): Discovery {
  let index: HostIndex | { error: string };
  if (spec.source === 'nagios') index = nagiosHostIndex(snapshot.nagios);
  else if (!snapshot.icinga2) index = { error: 'no Icinga 2 source is configured (model.sources.icinga2)' };
  else index = snapshot.icinga2.ok ? icingaHostIndex(snapshot.icinga2.snapshot) : { error: snapshot.icinga2.error };
  if ('error' in index) return { ok: false, error: index.error };
  let selection;
  try {
    selection = selectHosts(spec, index);
  } catch (err) {
    if (err instanceof DiscoveryError) return { ok: false, error: err.message };
    throw err;
  }
  if (!selection.ok) return selection;
  const source = spec.source;
  const members = selection.hosts.map(
    (host): NodeSpec => ({
      name: host,
      checks: [...(spec.hostCheck ? [{ source, host }] : []), ...spec.checks.map((service) => ({ source, host, service }))],
      members: { nodes: [] },
      aggregate: 'and',
    }),
  );
  return { ok: true, members };
}

// A label value can hold "/" (a URL), which separates names in a node path.
const memberName = (value: string) => value.replaceAll('/', '%2F');

function discoverSeries(spec: SeriesDiscoverSpec, snapshot: Snapshot): Discovery {
  const read = snapshot.prometheus;
  if (!read) return { ok: false, error: 'no Prometheus source is configured (model.sources.prometheus)' };
  const answer = read.queries.get(spec.query);
  if (!answer) return { ok: false, error: `the query was not run (${spec.query})` };
  if (!answer.ok) return { ok: false, error: answer.error };
  const values = new Set<string>();
  for (const s of answer.result.samples) if (s.labels[spec.label] !== undefined && s.labels[spec.label] !== '') values.add(s.labels[spec.label]);
  const members = [...values].sort().map(
    (value): NodeSpec => ({
      name: memberName(value),
      checks: [
        {
          source: 'prometheus',
          query: spec.query,
          condition: spec.condition,
          ...(spec.warning ? { warning: spec.warning } : {}),
          series: { label: spec.label, value },
        },
      ],
      members: { nodes: [] },
      aggregate: 'and',
    }),
  );
  return { ok: true, members };
}

export function discoverMembers(spec: DiscoverSpec, snapshot: Snapshot): Discovery {
  return spec.source === 'prometheus' ? discoverSeries(spec, snapshot) : discoverHosts(spec, snapshot);
}

export function describeDiscovery(d: DiscoverSpec): string {
  if (d.source === 'prometheus') return `values of label ${d.label} in ${d.query}`;
  const where = d.source === 'nagios' ? 'Nagios' : 'Icinga 2';
  const parts = [d.hostgroup !== undefined ? `host group ${d.hostgroup}` : '', d.hostPattern !== undefined ? `hosts matching /${d.hostPattern}/` : ''];
  return `${where} ${parts.filter(Boolean).join(' and ')}`;
}
