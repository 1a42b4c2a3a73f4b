// The service model's vocabulary (docs/model.md): what a check resolves to, what a node evaluates to,
// and what a query answers. Sources fill a Snapshot; everything after that is pure.

/** Nagios plugin states; hosts are mapped (UP → OK, DOWN → CRITICAL, UNREACHABLE → UNKNOWN), `raw` keeps theirs. */
export type { State } from '../core/index.ts';
import type { State } from '../core/index.ts';

/**
 * Why a check's state can (fresh) or cannot be trusted. Only `fresh` can be green.
 * `unreachable` is the *source* (status.dat unreadable, store unopenable), not a host state.
 * `predates`: fresh, but taken before the moment the question is about (the end of a scenario's
 * action, a deploy): it says nothing about what that change did, so it is neither green nor red.
 */
export type Reason = 'fresh' | 'stale' | 'disabled' | 'missing' | 'unreachable' | 'pending' | 'predates';

export type SourceName = 'nagios' | 'icinga2' | 'prometheus' | 'vigil';

export interface CheckStatus {
  /**
   * Stable and readable: `nagios:app-0!HTTP`, `nagios:app-0` (the host check), `icinga2:app-0!HTTP`,
   * `prometheus:up{job="app"} == 1`, `prometheus:alert:HAProxyBackendDown`, `vigil:checkout@production`.
   */
  id: string;
  source: SourceName;
  state: State;
  /** The source's own word: UP / DOWN / UNREACHABLE, OK …, PENDING, a run status, or '' when there is none. */
  raw: string;
  reason: Reason;
  downtime: boolean;
  acknowledged: boolean;
  output: string;
  /** ISO 8601 of the result, or null when there is none. */
  lastCheck: string | null;
  /**
   * When the evidence behind the result was taken, where that is older than `lastCheck`: a Prometheus
   * answer is evaluated now but rests on samples scraped earlier. Judged against a `since`; null when
   * it could not be told (Prometheus' targets unreadable), which no `since` accepts.
   */
  takenAt?: string | null;
  /** The freshness this check was judged by, in ms. */
  freshnessMs: number;
  /** Only a fresh, enabled, checked OK outside downtime. */
  green: boolean;
  /** A fresh CRITICAL (DOWN for hosts): what "all red" asks for. */
  red: boolean;
  /** Why, in words, when it is not simply a fresh result ("last result 14m ago, freshness 10m"). */
  detail?: string;
  /** Set when Vigil asked the source to re-check it now (Nagios SCHEDULE_FORCED_*_CHECK, Icinga 2 reschedule-check). */
  recheckForcedAt?: string;
  /** Nagios object, for forced re-checks and display. */
  nagios?: { host: string; service?: string };
  /** Icinga 2 object, for forced re-checks and display. */
  icinga2?: { host: string; service?: string };
  /** Icinga 2: a SOFT state is one Icinga is still re-trying before it notifies; it counts as the state it is. */
  stateType?: 'SOFT' | 'HARD';
}

export type { Aggregate } from '../config/model-schema.ts';
import type { Aggregate } from '../config/model-schema.ts';

export type FindingKind = 'members-below-min' | 'discovery-failed' | 'nothing-monitored';

/** Something about a node itself (not one check) that stands in the way of "all green". */
export interface Finding {
  kind: FindingKind;
  message: string;
}

export interface EvaluatedNode {
  name: string;
  /** `shop/app-0`: names from the root, joined with `/`. */
  path: string;
  aggregate: Aggregate;
  /** Business-process state of the node over its checks and members (see aggregate.ts). */
  state: State;
  checks: CheckStatus[];
  members: EvaluatedNode[];
  findings: Finding[];
  /** True for members found by `members.discover` rather than listed. */
  discovered: boolean;
}

export interface Blocker {
  /** Path of the node the check or finding belongs to. */
  node: string;
  /** Check id, or the finding kind. */
  what: string;
  /** One readable line: `shop/app-0: nagios:app-0!HTTP is CRITICAL (fresh): Connection refused`. */
  message: string;
}

export interface QueryAnswer {
  query: 'all-green' | 'all-red';
  node: string;
  transitive: boolean;
  holds: boolean;
  /** Checks in scope. Zero never holds: nothing monitored is not green (nor red). */
  checks: number;
  /** Empty when it holds; otherwise every check or finding that stood in the way. */
  blockers: Blocker[];
}
