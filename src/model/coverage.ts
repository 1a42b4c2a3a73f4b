// Monitoring coverage (docs/model.md, "Coverage"): does the monitoring check what receives traffic?
// The pool (pool.ts: HAProxy's backend, a command's list) against the node's evaluated members, by name:
//   unmonitored — in the pool, but no member of that name, or none of its checks is in the monitoring;
//   not-in-pool — monitored, but not in the pool (rebuilt away, renamed, deleted from the backend);
//   disabled    — in the pool, and every check of it the monitoring has is switched off.
// A server in maintenance or drained is still in the pool: one command puts it back in traffic.
// Pure over the pool read and the evaluation, like the queries.
import { checksInScope } from './queries.ts';
import type { PoolMember, PoolRead } from './pool.ts';
import type { EvaluatedNode } from './types.ts';
import { byCodeUnits } from '../core/index.ts';

export const GAP_KINDS = ['unmonitored', 'not-in-pool', 'disabled'] as const;
export type GapKind = (typeof GAP_KINDS)[number];

export interface CoverageGap {
  kind: GapKind;
  member: string;
  /** Its name in the pool, when it is there. */
  server?: string;
  /** Its state in the pool (UP, MAINT …), when it is there. */
  poolState?: string;
  message: string;
}

export interface CoveredMember {
  member: string;
  server: string;
  poolState: string;
  /** Checks of it the monitoring has (not missing). */
  checks: number;
}

interface CoverageBase {
  node: string;
  /** The pool in words: `HAProxy backend app (runtime API /run/haproxy.sock)`. */
  pool: string;
  /** ISO 8601: when the pool was read (set by assessCoverage; the members are the evaluation's). */
  poolReadAt?: string;
}

export type Coverage =
  | (CoverageBase & { answer: 'covered' | 'gaps'; poolSize: number; monitored: number; gaps: CoverageGap[]; covered: CoveredMember[] })
  | (CoverageBase & { answer: 'cannot-ask'; problems: string[] });

/** Exit codes of `vigil model coverage`, as the model's other commands: 0 covered, 2 a gap, 3 cannot ask. */
export const COVERAGE_EXIT = { covered: 0, gaps: 2, 'cannot-ask': 3 } as const;

// Reading "which members does the monitoring have" needs the sources that say so.
function monitoringProblems(node: EvaluatedNode): string[] {
  const problems = new Set<string>();
  for (const f of node.findings) if (f.kind === 'discovery-failed') problems.add(`monitoring: ${f.message}`);
  for (const m of node.members) {
    for (const c of checksInScope(m, true)) if (c.reason === 'unreachable') problems.add(`monitoring: ${c.source}: ${c.detail ?? 'unreachable'}`);
  }
  return [...problems];
}

const known = (member: EvaluatedNode) => checksInScope(member, true).filter((c) => c.reason !== 'missing');
const inPool = (p: PoolMember) => `in the pool (${p.server === p.member ? '' : `as ${p.server}, `}${p.state})`;

function poolGap(node: EvaluatedNode, p: PoolMember, member: EvaluatedNode | undefined): CoverageGap | undefined {
  const at = { member: p.member, server: p.server, poolState: p.state };
  if (!member) return { kind: 'unmonitored', ...at, message: `${p.member}: ${inPool(p)}, but ${node.path} has no member ${p.member} in the monitoring` };
  const checks = known(member);
  if (checks.length === 0) {
    const missing = checksInScope(member, true).map((c) => c.id);
    return {
      kind: 'unmonitored',
      ...at,
      message: `${p.member}: ${inPool(p)}, but none of its checks is in the monitoring (${missing.join(', ') || 'no checks'})`,
    };
  }
  if (checks.every((c) => c.reason === 'disabled')) {
    return { kind: 'disabled', ...at, message: `${p.member}: ${inPool(p)}, but every check of it is disabled: ${checks.map((c) => c.id).join(', ')}` };
  }
  return undefined;
}

export function compareCoverage(node: EvaluatedNode, pool: PoolRead): Coverage {
  const base = { node: node.path, pool: pool.where };
  const problems = [...(pool.ok ? [] : [`pool: ${pool.where}: ${pool.error}`]), ...monitoringProblems(node)];
  if (!pool.ok || problems.length) return { ...base, answer: 'cannot-ask', problems };
  const members = new Map(node.members.map((m) => [m.name, m]));
  const pooled = new Map(pool.members.map((p) => [p.member, p]));
  const gaps: CoverageGap[] = [];
  const covered: CoveredMember[] = [];
  for (const p of [...pooled.values()].sort((a, b) => byCodeUnits(a.member, b.member))) {
    const member = members.get(p.member);
    const gap = poolGap(node, p, member);
    if (gap) gaps.push(gap);
    else covered.push({ member: p.member, server: p.server, poolState: p.state, checks: known(member!).length });
  }
  const monitored = node.members.filter((m) => known(m).length > 0);
  for (const m of monitored) {
    if (pooled.has(m.name)) continue;
    gaps.push({ kind: 'not-in-pool', member: m.name, message: `${m.name}: monitored (${known(m).length} checks), but not in the pool` });
  }
  const order = (g: CoverageGap) => GAP_KINDS.indexOf(g.kind);
  gaps.sort((a, b) => order(a) - order(b) || byCodeUnits(a.member, b.member));
  return { ...base, answer: gaps.length ? 'gaps' : 'covered', poolSize: pooled.size, monitored: monitored.length, gaps, covered };
}

/** Gaps of each kind (every kind present, 0 included): what the gauge shows. */
export function countGaps(coverage: Coverage): Record<GapKind, number> {
  const counts = Object.fromEntries(GAP_KINDS.map((k) => [k, 0])) as Record<GapKind, number>;
  if (coverage.answer !== 'cannot-ask') for (const g of coverage.gaps) counts[g.kind]++;
  return counts;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderCoverage(c: Coverage): string[] {
  if (c.answer === 'cannot-ask') {
    return [`${c.node}: cannot tell whether the monitoring covers the pool (${c.pool}):`, ...c.problems.map((p) => `  ${p}`)];
  }
  const lines =
    c.answer === 'covered'
      ? [`${c.node}: covered — all ${c.poolSize} in ${c.pool} are monitored, and no monitored member is outside it`]
      : [`${c.node}: not covered — ${plural(c.gaps.length, 'gap')} between ${c.pool} (${c.poolSize} in it) and the monitoring (${c.monitored} monitored):`];
  const width = Math.max(0, ...c.gaps.map((g) => g.kind.length));
  for (const g of c.gaps) lines.push(`  ${g.kind.padEnd(width)}  ${g.message}`);
  if (c.covered.length) lines.push(`covered (${c.covered.length}): ${c.covered.map((m) => `${m.member} (${m.poolState})`).join(', ')}`);
  return lines;
}
