// The seed's two questions, over an evaluated node:
//   all green(node, transitive) — every check in scope is green;
//   all red(node, transitive)   — every check in scope has a fresh failing result (CRITICAL, DOWN).
// Non-transitive scope is the node's own checks (and its own findings: members.min, discovery);
// transitive adds its members, recursively. An empty scope never holds either way (nothing monitored
// is neither green nor red), and a false answer lists everything that stood in the way.
import type { Blocker, CheckStatus, EvaluatedNode, FindingKind, QueryAnswer } from './types.ts';

type Query = QueryAnswer['query'];

// Fewer members than promised is not green, but it does not make the present ones any less red.
const BLOCKS: Record<Query, ReadonlySet<FindingKind>> = {
  'all-green': new Set(['members-below-min', 'discovery-failed', 'nothing-monitored']),
  'all-red': new Set(['discovery-failed', 'nothing-monitored']),
};

export function describeCheck(check: CheckStatus): string {
  const flags = [check.reason, check.downtime ? 'in downtime' : '', check.acknowledged ? 'acknowledged' : ''].filter(Boolean).join(', ');
  const word = check.raw && check.raw !== check.state && check.raw !== 'PENDING' ? `${check.raw} (${check.state})` : check.state;
  const detail = check.detail && check.reason !== 'fresh' ? `: ${check.detail}` : '';
  return `${check.id} is ${word}, ${flags}${detail}${check.output ? ` — ${check.output}` : ''}`;
}

function ask(query: Query, node: EvaluatedNode, transitive: boolean): QueryAnswer {
  const blockers: Blocker[] = [];
  let checks = 0;
  const visit = (n: EvaluatedNode) => {
    for (const check of n.checks) {
      checks++;
      if (query === 'all-green' ? !check.green : !check.red) {
        blockers.push({ node: n.path, what: check.id, message: `${n.path}: ${describeCheck(check)}` });
      }
    }
    for (const finding of n.findings) {
      if (BLOCKS[query].has(finding.kind)) blockers.push({ node: n.path, what: finding.kind, message: `${n.path}: ${finding.message}` });
    }
    if (transitive) n.members.forEach(visit);
  };
  visit(node);
  if (checks === 0) {
    const why = transitive ? 'nothing monitored: no checks on it or on any member' : 'no checks of its own (ask transitively to include its members)';
    // The scope-wide statement replaces the per-node ones it covers.
    const rest = blockers.filter((b) => b.what !== 'nothing-monitored');
    rest.unshift({ node: node.path, what: 'nothing-monitored', message: `${node.path}: ${why}` });
    return { query, node: node.path, transitive, holds: false, checks, blockers: rest };
  }
  return { query, node: node.path, transitive, holds: blockers.length === 0, checks, blockers };
}

export const allGreen = (node: EvaluatedNode, transitive: boolean): QueryAnswer => ask('all-green', node, transitive);
export const allRed = (node: EvaluatedNode, transitive: boolean): QueryAnswer => ask('all-red', node, transitive);

/** Every check in the scope, for forced re-checks and display. */
export function checksInScope(node: EvaluatedNode, transitive: boolean): CheckStatus[] {
  return transitive ? [...node.checks, ...node.members.flatMap((m) => checksInScope(m, true))] : [...node.checks];
}
