// Reads every source the model uses, once, into a Snapshot for the pure evaluation. Sources are read
// concurrently (a slow Prometheus does not delay reading status.dat). A source that cannot be read does
// not throw: its checks say `unreachable`.
import type { HostDiscoverSpec, Model, NodeSpec } from '../config/model-schema.ts';
import type { Since, Snapshot } from './snapshot-types.ts';
import type { TextReader } from './sources/file-text.ts';
import { readIcinga2 } from './sources/icinga2-read.ts';
import { readNagiosStatus } from './sources/nagios-status.ts';
import { readPrometheus } from './sources/prometheus-read.ts';
import { readVigilRuns, type RunLookup } from './sources/vigil-runs.ts';

export interface SnapshotDeps {
  /** Opens Vigil's run store; called only when a `vigil` check is in the model. */
  runs?: () => RunLookup | Promise<RunLookup>;
  now?: () => number;
  rechecks?: ReadonlyMap<string, number>;
  /** Keeps status.dat's read buffer from one snapshot to the next (createTextReader); polling loops pass one. */
  reader?: TextReader;
  /** Only results taken after this count (Prometheus is then also asked when its samples were scraped). */
  since?: Since;
}

interface Uses {
  nagios: boolean;
  hostgroups: boolean;
  icinga2: { used: boolean; serviceHosts: Set<string>; discoveries: HostDiscoverSpec[] };
  prometheus: { queries: Set<string>; alerts: boolean };
  vigil: Array<{ suite: string; environment: string }>;
}

export function sourcesUsed(model: Model): Uses {
  const uses: Uses = {
    nagios: false,
    hostgroups: false,
    icinga2: { used: false, serviceHosts: new Set(), discoveries: [] },
    prometheus: { queries: new Set(), alerts: false },
    vigil: [],
  };
  const visit = (node: NodeSpec) => {
    for (const check of node.checks) {
      if (check.source === 'nagios') uses.nagios = true;
      else if (check.source === 'icinga2') {
        uses.icinga2.used = true;
        if (check.service !== undefined) uses.icinga2.serviceHosts.add(check.host);
      } else if (check.source === 'prometheus') {
        if ('alert' in check) uses.prometheus.alerts = true;
        else uses.prometheus.queries.add(check.query);
      } else uses.vigil.push({ suite: check.suite, environment: check.environment });
    }
    const discover = node.members.discover;
    if (discover?.source === 'nagios') {
      uses.nagios = true;
      if (discover.hostgroup !== undefined) uses.hostgroups = true;
    } else if (discover?.source === 'icinga2') {
      uses.icinga2.used = true;
      uses.icinga2.discoveries.push(discover);
    } else if (discover?.source === 'prometheus') {
      uses.prometheus.queries.add(discover.query);
    }
    node.members.nodes.forEach(visit);
  };
  model.nodes.forEach(visit);
  return uses;
}

export async function takeSnapshot(model: Model, deps: SnapshotDeps = {}): Promise<Snapshot> {
  const now = deps.now ?? Date.now;
  const uses = sourcesUsed(model);
  const snapshot: Snapshot = { nowMs: now(), ...(deps.rechecks ? { rechecks: deps.rechecks } : {}), ...(deps.since ? { since: deps.since } : {}) };
  const { nagios, icinga2, prometheus } = model.sources;
  await Promise.all([
    uses.nagios && nagios
      ? readNagiosStatus(nagios, { hostgroups: uses.hostgroups, nowMs: snapshot.nowMs, reader: deps.reader }).then((r) => void (snapshot.nagios = r))
      : undefined,
    uses.icinga2.used && icinga2 ? readIcinga2(icinga2, uses.icinga2).then((r) => void (snapshot.icinga2 = r)) : undefined,
    (uses.prometheus.queries.size || uses.prometheus.alerts) && prometheus
      ? readPrometheus(prometheus, { ...uses.prometheus, sampleTimes: deps.since !== undefined }).then((r) => void (snapshot.prometheus = r))
      : undefined,
  ]);
  if (uses.vigil.length) {
    snapshot.vigil = deps.runs ? await readVigilRuns(deps.runs, uses.vigil) : { ok: false, error: "Vigil's store is not available here" };
  }
  return snapshot;
}
