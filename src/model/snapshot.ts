// Reads every source the model uses, once, into a Snapshot for the pure evaluation. A source that
// cannot be read does not throw: its checks say `unreachable`.
import type { Model, NodeSpec } from '../config/model-schema.ts';
import type { Snapshot } from './evaluate.ts';
import type { TextReader } from './sources/file-text.ts';
import { readNagiosStatus } from './sources/nagios-status.ts';
import { readVigilRuns, type RunLookup } from './sources/vigil-runs.ts';

export interface SnapshotDeps {
  /** Opens Vigil's run store; called only when a `vigil` check is in the model. */
  runs?: () => RunLookup;
  now?: () => number;
  rechecks?: ReadonlyMap<string, number>;
  /** Keeps status.dat's read buffer from one snapshot to the next (createTextReader); polling loops pass one. */
  reader?: TextReader;
}

interface Uses {
  nagios: boolean;
  hostgroups: boolean;
  vigil: Array<{ suite: string; environment: string }>;
}

export function sourcesUsed(model: Model): Uses {
  const uses: Uses = { nagios: false, hostgroups: false, vigil: [] };
  const visit = (node: NodeSpec) => {
    for (const check of node.checks) {
      if (check.source === 'nagios') uses.nagios = true;
      else uses.vigil.push({ suite: check.suite, environment: check.environment });
    }
    const discover = node.members.discover;
    if (discover) {
      uses.nagios = true;
      if (discover.hostgroup !== undefined) uses.hostgroups = true;
    }
    node.members.nodes.forEach(visit);
  };
  model.nodes.forEach(visit);
  return uses;
}

export async function takeSnapshot(model: Model, deps: SnapshotDeps = {}): Promise<Snapshot> {
  const now = deps.now ?? Date.now;
  const uses = sourcesUsed(model);
  const snapshot: Snapshot = { nowMs: now(), ...(deps.rechecks ? { rechecks: deps.rechecks } : {}) };
  if (uses.nagios && model.sources.nagios) {
    snapshot.nagios = await readNagiosStatus(model.sources.nagios, { hostgroups: uses.hostgroups, nowMs: snapshot.nowMs, reader: deps.reader });
  }
  if (uses.vigil.length) {
    snapshot.vigil = deps.runs ? readVigilRuns(deps.runs, uses.vigil) : { ok: false, error: "Vigil's store is not available here" };
  }
  return snapshot;
}
