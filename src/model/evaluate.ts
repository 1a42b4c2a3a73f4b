// Model + snapshot → evaluated tree. Pure: the sources were read into the snapshot beforehand, so the
// same snapshot always gives the same tree (tests build snapshots by hand; no server needed).
import { combine, effectiveState, worse } from './aggregate.ts';
import type { CheckSpec, Model, NodeSpec } from '../config/model-schema.ts';
import { describeDiscovery, discoverMembers } from './discover.ts';
import { judgeSince } from './since.ts';
import type { Snapshot } from './snapshot-types.ts';
import { resolveIcinga2Check } from './sources/icinga2-check.ts';
import { resolveNagiosCheck } from './sources/nagios-check.ts';
import { resolvePrometheusAlert, resolvePrometheusQuery } from './sources/prometheus-check.ts';
import { resolveVigilCheck } from './sources/vigil-runs.ts';
import type { CheckStatus, EvaluatedNode, Finding } from './types.ts';

export type { Snapshot } from './snapshot-types.ts';

export function evaluateModel(model: Model, snapshot: Snapshot): EvaluatedNode[] {
  return model.nodes.map((node) => evaluateNode(node, snapshot, { path: '', freshnessMs: model.freshnessMs, discovered: false }));
}

interface Context {
  path: string;
  freshnessMs?: number;
  discovered: boolean;
}

function resolveCheck(spec: CheckSpec, snapshot: Snapshot, freshnessMs: number | undefined): CheckStatus {
  const ctx = { nowMs: snapshot.nowMs, freshnessMs: spec.freshnessMs ?? freshnessMs };
  let status: CheckStatus;
  if (spec.source === 'nagios') status = resolveNagiosCheck(spec, snapshot.nagios, ctx);
  else if (spec.source === 'icinga2') status = resolveIcinga2Check(spec, snapshot.icinga2, ctx);
  else if (spec.source === 'prometheus')
    status = 'alert' in spec ? resolvePrometheusAlert(spec, snapshot.prometheus, ctx) : resolvePrometheusQuery(spec, snapshot.prometheus, ctx);
  else status = resolveVigilCheck(spec, snapshot.vigil, ctx);
  const judged = judgeSince(status, snapshot.since);
  const forcedAt = snapshot.rechecks?.get(status.id);
  return forcedAt === undefined ? judged : { ...judged, recheckForcedAt: new Date(forcedAt).toISOString() };
}

/**
 * A node's members as the evaluation lists them: the listed ones, then the discovered ones not listed
 * (a listed member wins over a discovered one of the same name: it says more about that host).
 * `vigil model diff` walks the same list next to the evaluated tree.
 */
export function memberSpecsOf(spec: NodeSpec, snapshot: Snapshot): { members: Array<{ node: NodeSpec; discovered: boolean }>; discoveryFailed?: string } {
  const members = spec.members.nodes.map((node) => ({ node, discovered: false }));
  const discover = spec.members.discover;
  if (!discover) return { members };
  const found = discoverMembers(discover, snapshot);
  if (!found.ok) return { members, discoveryFailed: `cannot discover members (${describeDiscovery(discover)}): ${found.error}` };
  const listed = new Set(spec.members.nodes.map((n) => n.name));
  for (const node of found.members) if (!listed.has(node.name)) members.push({ node, discovered: true });
  return { members };
}

/** A member counts towards `members.min` when the monitoring knows it: some check of it is not missing. */
const isPresent = (node: EvaluatedNode): boolean => node.checks.some((c) => c.reason !== 'missing') || node.members.some(isPresent);

function evaluateNode(spec: NodeSpec, snapshot: Snapshot, ctx: Context): EvaluatedNode {
  const path = ctx.path ? `${ctx.path}/${spec.name}` : spec.name;
  const freshnessMs = spec.freshnessMs ?? ctx.freshnessMs;
  const checks = spec.checks.map((c) => resolveCheck(c, snapshot, freshnessMs));
  const findings: Finding[] = [];

  const { members: memberSpecs, discoveryFailed } = memberSpecsOf(spec, snapshot);
  if (discoveryFailed) findings.push({ kind: 'discovery-failed', message: discoveryFailed });
  const members = memberSpecs.map(({ node, discovered }) => evaluateNode(node, snapshot, { path, freshnessMs, discovered }));

  const min = spec.members.min;
  if (min !== undefined) {
    const present = members.filter(isPresent);
    if (present.length < min) {
      const absent = members.filter((m) => !isPresent(m)).map((m) => m.name);
      findings.push({
        kind: 'members-below-min',
        message: `${present.length} member${present.length === 1 ? '' : 's'} present, at least ${min} required${absent.length ? ` (not in the monitoring: ${absent.join(', ')})` : ''}`,
      });
    }
  }
  if (checks.length === 0 && members.length === 0 && !findings.some((f) => f.kind === 'discovery-failed')) {
    findings.push({ kind: 'nothing-monitored', message: 'nothing monitored: no checks and no members' });
  }

  let state = combine(spec.aggregate, [...checks.map(effectiveState), ...members.map((m) => m.state)]);
  for (const f of findings) {
    if (f.kind === 'members-below-min') state = worse(state, 'CRITICAL');
    if (f.kind === 'discovery-failed') state = worse(state, 'UNKNOWN');
  }
  return { name: spec.name, path, aggregate: spec.aggregate, state, checks, members, findings, discovered: ctx.discovered };
}
