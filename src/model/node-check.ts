// A model node as a passive Nagios/Icinga service: the service-level check the seed asks for. Its
// state is the node's aggregated state (and / or / min N over its checks and members); its output says
// whether the node is all green transitively and, when not, which checks stand in the way.
import { sanitizeLine, STATE_CODE, STATE_LABEL, type CheckResult } from '../core/index.ts';
import { assertObjectName } from '../shared/nagios-object-name.ts';
import { allGreen } from './queries.ts';
import type { EvaluatedNode } from './types.ts';

const LISTED_BLOCKERS = 20;

export function nodeCheck(node: EvaluatedNode, target: { host: string; service: string }, nowMs: number): CheckResult {
  const where = `model ${node.path}.nagios`;
  assertObjectName('host', target.host, where);
  assertObjectName('service', target.service, where);
  const answer = allGreen(node, true);
  const state = STATE_CODE[node.state];
  const summary = answer.holds
    ? `all green transitively (${answer.checks} checks)`
    : `${answer.blockers.length} of ${answer.checks} checks not green: ${answer.blockers
        .slice(0, 3)
        .map((b) => b.what)
        .join(', ')}${answer.blockers.length > 3 ? ', …' : ''}`;
  return {
    state,
    output: `${STATE_LABEL[state]} - ${sanitizeLine(node.path)}: ${sanitizeLine(summary)}`,
    longOutput: answer.blockers.slice(0, LISTED_BLOCKERS).map((b) => sanitizeLine(b.message)),
    perfdata: `checks=${answer.checks};;;0 in_the_way=${answer.blockers.length};;;0`,
    host: target.host,
    service: target.service,
    timestamp: Math.floor(nowMs / 1000),
  };
}
