// A node's state over its children (own checks and members), with the operators of Icinga Business
// Process / Nagios BP: `and` is the worst child, `or` the best, `min N` the N-th best (so "at least N
// of M are OK" is OK). States rank OK < WARNING < UNKNOWN < CRITICAL, as Icinga BP sorts them.
import { STATE_RANK as RANK } from '../core/index.ts';
import type { Aggregate, CheckStatus, State } from './types.ts';

const BY_RANK: State[] = ['OK', 'WARNING', 'UNKNOWN', 'CRITICAL'];

export const worse = (a: State, b: State): State => (RANK[b] > RANK[a] ? b : a);

/**
 * What a check contributes: its state when the result is fresh; UNKNOWN otherwise, because a stale,
 * disabled, missing, unreachable or pending check says nothing reliable about now.
 */
export const effectiveState = (check: CheckStatus): State => (check.reason === 'fresh' ? check.state : 'UNKNOWN');

/** No children at all is UNKNOWN: nothing monitored is never OK. */
export function combine(operator: Aggregate, states: State[]): State {
  if (states.length === 0) return 'UNKNOWN';
  const ranks = states.map((s) => RANK[s]).sort((a, b) => a - b);
  if (operator === 'and') return BY_RANK[ranks[ranks.length - 1]];
  if (operator === 'or') return BY_RANK[ranks[0]];
  // Fewer children than N can never have N OK: CRITICAL, as Icinga BP does.
  return operator.min > ranks.length ? 'CRITICAL' : BY_RANK[ranks[operator.min - 1]];
}

export const describeAggregate = (operator: Aggregate): string => (typeof operator === 'string' ? operator : `min ${operator.min}`);
