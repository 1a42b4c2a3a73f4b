// The monitoring states, said once: what a run's status is in Nagios terms, the plugin exit code of a
// state, and which state is worse when several are combined (a service model's node, a Prometheus
// check over several series).

import type { RunStatus } from './run-result.ts';

export const STATES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export type State = (typeof STATES)[number];

/** The Nagios plugin code of a state (also vigil_model_node_state's value). */
export const STATE_CODE: Record<State, 0 | 1 | 2 | 3> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/** A run's status as a state (DESIGN.md): an app failure CRITICAL, a runner fault UNKNOWN, a flaky pass WARNING. */
export const STATE_OF_STATUS: Record<RunStatus, State> = { passed: 'OK', flaky: 'WARNING', failed: 'CRITICAL', error: 'UNKNOWN' };

/** Worse is higher: UNKNOWN outranks WARNING (nothing known), CRITICAL outranks all (proven broken). */
export const STATE_RANK: Record<State, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };
