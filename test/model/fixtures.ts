// Snapshots built by hand, for the pure evaluation: a Nagios as status.dat would show it, without a server.
import type { NagiosRead } from '../../src/model/index.ts';
import type { PrometheusRead } from '../../src/model/sources/prometheus-read.ts';
import type { NagiosHost, NagiosObjectStatus } from '../../src/model/sources/nagios-status.ts';

export const NOW = Date.parse('2030-01-01T12:00:00Z');

export interface ObjectFixture {
  /** Service 0–3 / host 0–2. */
  state?: number;
  /** Seconds since the last result; null = never checked (pending). */
  age?: number | null;
  active?: boolean;
  passive?: boolean;
  /** MODATTR bits, e.g. 2 after DISABLE_SVC_CHECK. */
  modified?: number;
  downtime?: boolean;
  ack?: boolean;
  output?: string;
  interval?: number;
}

export const ok: ObjectFixture = { state: 0, output: 'OK - fine' };
export const critical: ObjectFixture = { state: 2, output: 'CRITICAL - connection refused' };
export const down: ObjectFixture = { state: 1, output: 'CRITICAL - host unreachable by ping' };

export function status(f: ObjectFixture = {}): NagiosObjectStatus {
  const checked = f.age !== null;
  return {
    currentState: checked ? (f.state ?? 0) : 0,
    hasBeenChecked: checked,
    lastCheck: checked ? Math.floor(NOW / 1000) - (f.age ?? 30) : 0,
    checkInterval: f.interval ?? 5,
    checkType: 1,
    activeChecksEnabled: f.active ?? false,
    passiveChecksEnabled: f.passive ?? true,
    modifiedAttributes: f.modified ?? 0,
    downtimeDepth: f.downtime ? 1 : 0,
    acknowledged: f.ack ?? false,
    output: f.output ?? '',
  };
}

export interface HostFixture {
  host?: ObjectFixture;
  services?: Record<string, ObjectFixture>;
}

export function nagiosRead(hosts: Record<string, HostFixture>, hostgroups: Record<string, string[]> = {}): NagiosRead {
  const map = new Map<string, NagiosHost>();
  for (const [name, h] of Object.entries(hosts)) {
    map.set(name, {
      name,
      status: status(h.host ?? ok),
      services: new Map(Object.entries(h.services ?? {}).map(([s, f]) => [s, status(f)])),
    });
  }
  return {
    ok: true,
    snapshot: {
      statusFile: '/var/lib/nagios4/status.dat',
      writtenAtMs: NOW,
      hosts: map,
      services: 0,
      hostgroups: new Map(Object.entries(hostgroups)),
      intervalLengthMs: 60_000,
    },
  };
}

/** The seed's service: a load balancer check on the service, and members app-0… in host group shop-app. */
export const shopModel = (members = 3, extra: Record<string, unknown> = {}) => ({
  sources: { nagios: { statusFile: '/var/lib/nagios4/status.dat' } },
  nodes: [
    {
      name: 'shop',
      checks: [{ nagios: { host: 'shop-lb', service: 'HTTP' } }],
      members: { discover: { source: 'nagios', hostgroup: 'shop-app', checks: ['HTTP'] }, min: members - 1 },
      ...extra,
    },
  ],
});

export function shopHosts(overrides: Record<string, HostFixture> = {}, members = 3): Record<string, HostFixture> {
  const hosts: Record<string, HostFixture> = { 'shop-lb': { services: { HTTP: ok } } };
  for (let i = 0; i < members; i++) hosts[`app-${i}`] = { host: ok, services: { HTTP: ok } };
  return { ...hosts, ...overrides };
}

export const shopGroups = (members = 3) => ({ 'shop-app': Array.from({ length: members }, (_, i) => `app-${i}`) });

/** A Prometheus as the snapshot holds it: query → samples (value, seconds old), evaluated at NOW. */
export function prometheusRead(queries: Record<string, Array<{ labels?: Record<string, string>; value: string; age?: number }>>): PrometheusRead {
  return {
    url: 'http://prometheus:9090',
    queries: new Map(
      Object.entries(queries).map(([q, samples]) => [
        q,
        {
          ok: true,
          result: { resultType: 'vector', samples: samples.map((s) => ({ labels: s.labels ?? {}, value: s.value, atMs: NOW - (s.age ?? 0) * 1000 })) },
        },
      ]),
    ),
  };
}
