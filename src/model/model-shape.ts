// The shape of an evaluated model, for `vigil model diff` (docs/model.md, "Twin environments"): which
// nodes there are once members were discovered, and what each checks — not the states. Pure over the
// model and a snapshot, like the evaluation it walks next to.
import type { SuiteFilters } from '../config/schema.ts';
import type { CheckSpec, Model, NodeSpec } from '../config/model-schema.ts';
import { evaluateModel, memberSpecsOf } from './evaluate.ts';
import type { Snapshot } from './snapshot-types.ts';
import type { CheckStatus, EvaluatedNode } from './types.ts';

export type CheckKind = 'nagios host' | 'nagios service' | 'icinga2 host' | 'icinga2 service' | 'prometheus query' | 'prometheus alert' | 'vigil suite';

export interface CheckShape {
  /** `nagios:app-0!HTTP`, `prometheus:up{job="app"}`, `prometheus:alert:InstanceDown`, `vigil:checkout` (after --strip). */
  key: string;
  /** What is checked, whatever the source: `app-0!HTTP`, the query, `alert:…`, the suite. Two keys with one target differ in type. */
  target: string;
  kind: CheckKind;
  /** The check's id as `model show` prints it (before --strip). */
  id: string;
  /** False when the monitoring has no such object (reason `missing`); absent for `vigil` checks: a recorded run is state, not shape. */
  inMonitoring?: boolean;
  /** Compared when both sides have the check: a query's condition and warning; a suite's filters on the check's environment. */
  settings: Record<string, string>;
}

export interface NodeShape {
  /** The name compared (after --strip). */
  name: string;
  /** The name in the model. */
  shown: string;
  discovered: boolean;
  aggregate: string;
  min?: number;
  checks: CheckShape[];
  members: NodeShape[];
}

export interface ModelShape {
  nodes: NodeShape[];
  /** Why the shape cannot be trusted: a discovery that failed, a source that could not be read. Empty when it can. */
  unreadable: string[];
}

export interface ShapeOptions {
  /** Removed from every name compared: node names, hosts, services, queries, alert names and label values. */
  strip?: RegExp;
  /** The config's `suites:` (filters only); null when the file has none. */
  suites: SuiteFilters | null;
}

const NONE = 'none';

const filterText = (value: unknown, environment: string): string => {
  const picked = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[environment] : value;
  if (picked === undefined) return NONE;
  return Array.isArray(picked) ? picked.join(', ') : JSON.stringify(picked);
};

/** A suite's filters on one environment, as compared: whether it runs there at all, then grep, grepInvert, projects, files. */
function suiteSettings(suite: string, environment: string, suites: SuiteFilters | null): Record<string, string> {
  if (suites === null) return {};
  const found = Object.hasOwn(suites, suite) ? suites[suite] : undefined;
  if (!found) return { suite: 'not in suites:' };
  if (found.environments && !found.environments.includes(environment)) return { suite: `not run on ${environment}` };
  return {
    suite: 'defined',
    grep: filterText(found.grep, environment),
    grepInvert: filterText(found.grepInvert, environment),
    projects: found.projects ? found.projects.join(', ') : NONE,
    files: filterText(found.files, environment),
  };
}

const labelText = (labels: Record<string, string>, s: (t: string) => string) =>
  `{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s(labels[k]))}`)
    .join(',')}}`;

function checkShape(spec: CheckSpec, status: CheckStatus, o: ShapeOptions): CheckShape {
  const s = (text: string) => (o.strip ? text.replace(o.strip, '') : text);
  const inMonitoring = status.reason !== 'missing';
  const base = { id: status.id, inMonitoring };
  if (spec.source === 'nagios' || spec.source === 'icinga2') {
    const target = spec.service === undefined ? s(spec.host) : `${s(spec.host)}!${s(spec.service)}`;
    return { ...base, key: `${spec.source}:${target}`, target, kind: `${spec.source} ${spec.service === undefined ? 'host' : 'service'}`, settings: {} };
  }
  if (spec.source === 'prometheus' && 'alert' in spec) {
    const target = `alert:${s(spec.alert)}${spec.labels && Object.keys(spec.labels).length ? labelText(spec.labels, s) : ''}`;
    return { ...base, key: `prometheus:${target}`, target, kind: 'prometheus alert', settings: {} };
  }
  if (spec.source === 'prometheus') {
    const target = `${s(spec.query)}${spec.series ? ` [${spec.series.label}=${JSON.stringify(s(spec.series.value))}]` : ''}`;
    const settings = { condition: spec.condition.text, warning: spec.warning?.text ?? NONE };
    return { ...base, key: `prometheus:${target}`, target, kind: 'prometheus query', settings };
  }
  // A twin's suite runs on its own environment by design: the environment is not part of the shape.
  return {
    id: status.id,
    key: `vigil:${spec.suite}`,
    target: spec.suite,
    kind: 'vigil suite',
    settings: suiteSettings(spec.suite, spec.environment, o.suites),
  };
}

/** The same check twice on one node keeps both: the second is `key#2`. */
function numbered(checks: CheckShape[]): CheckShape[] {
  const seen = new Map<string, number>();
  return checks.map((c) => {
    const n = (seen.get(c.key) ?? 0) + 1;
    seen.set(c.key, n);
    return n === 1 ? c : { ...c, key: `${c.key}#${n}`, target: `${c.target}#${n}` };
  });
}

function nodeShape(spec: NodeSpec, evaluated: EvaluatedNode, snapshot: Snapshot, o: ShapeOptions): NodeShape {
  const { members } = memberSpecsOf(spec, snapshot);
  return {
    name: o.strip ? spec.name.replace(o.strip, '') : spec.name,
    shown: spec.name,
    discovered: evaluated.discovered,
    aggregate: typeof spec.aggregate === 'string' ? spec.aggregate : `min ${spec.aggregate.min}`,
    ...(spec.members.min === undefined ? {} : { min: spec.members.min }),
    checks: numbered(spec.checks.map((c, i) => checkShape(c, evaluated.checks[i], o))),
    // The evaluation lists members in this order (memberSpecsOf), so the two walks stay side by side.
    members: members.map(({ node }, i) => nodeShape(node, evaluated.members[i], snapshot, o)),
  };
}

/** Why a shape read now cannot be trusted: discoveries that failed and checks whose source was unreachable (Vigil's store is not asked). */
function unreadableParts(nodes: EvaluatedNode[]): string[] {
  const found: string[] = [];
  const visit = (n: EvaluatedNode) => {
    for (const f of n.findings) if (f.kind === 'discovery-failed') found.push(`${n.path}: ${f.message}`);
    for (const c of n.checks) {
      const cause = c.detail ?? c.output;
      // One unreadable source stops every check of it: said once, where it was first met.
      if (c.reason === 'unreachable' && c.source !== 'vigil' && !found.some((f) => f.endsWith(`: ${cause}`))) found.push(`${n.path}: ${c.id}: ${cause}`);
    }
    n.members.forEach(visit);
  };
  nodes.forEach(visit);
  return found;
}

export function modelShape(model: Model, snapshot: Snapshot, o: ShapeOptions): ModelShape {
  const roots = evaluateModel(model, snapshot);
  return { nodes: model.nodes.map((spec, i) => nodeShape(spec, roots[i], snapshot, o)), unreadable: unreadableParts(roots) };
}

/** Nodes and checks in a shape, for the summary line. */
export function countShape(nodes: NodeShape[]): { nodes: number; checks: number } {
  let n = 0;
  let checks = 0;
  const visit = (node: NodeShape) => {
    n++;
    checks += node.checks.length;
    node.members.forEach(visit);
  };
  nodes.forEach(visit);
  return { nodes: n, checks };
}
