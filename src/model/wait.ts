// Poll the monitoring until a node is all green / all red or a deadline passes: `vigil model check`
// and every scenario Then are this loop. One read of every source per poll; a forced re-check (when
// asked, or for results older than the `since` the question is about) once after the first poll that
// does not hold, so the next status carries new results within seconds instead of at the next
// scheduled check.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Model } from '../config/model-schema.ts';
import { VigilError } from '../shared/errors.ts';
import { evaluateModel } from './evaluate.ts';
import { findNode } from './find-node.ts';
import { forceRechecks } from './force-rechecks.ts';
import { allGreen, allRed, checksInScope } from './queries.ts';
import { takeSnapshot } from './snapshot.ts';
import type { TextReader } from './sources/file-text.ts';
import type { RunLookup } from './sources/vigil-runs.ts';
import type { Since } from './snapshot-types.ts';
import type { CheckStatus, EvaluatedNode, QueryAnswer } from './types.ts';

export type Expectation = 'all-green' | 'all-red';
export const EXPECTATIONS: readonly Expectation[] = ['all-green', 'all-red'];

/** A source could not be read on the first poll: a wrong path or a stopped server is not something to wait out. */
export class MonitoringUnreachableError extends VigilError {}

export type WaitProgress =
  | { type: 'waiting'; node: string; expect: Expectation; blockers: number; intervalMs: number; deadline: number }
  | { type: 'rechecked'; checks: CheckStatus[] };

export interface WaitDeps {
  /** Opens Vigil's run store, for `vigil` checks; called only when the model has one. */
  runs?: () => RunLookup | Promise<RunLookup>;
  /** Keeps status.dat's read buffer between polls (createTextReader). */
  reader?: TextReader;
  /** Aborting stops the wait between polls (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Called when a forced re-check was sent and each time the number of blockers changes. */
  onProgress?: (p: WaitProgress) => void;
  now?: () => number;
}

export interface WaitRequest {
  model: Model;
  /** A path (`shop/app-0`) or a name unique in the tree. */
  node: string;
  expect: Expectation;
  transitive: boolean;
  /** 0: ask once. */
  withinMs: number;
  intervalMs: number;
  /**
   * true: force a re-check of every check in scope once, after the first poll that does not hold.
   * Absent: only of those whose result predates `since` (where the source can be asked). false: never.
   */
  recheck?: boolean;
  /** Only results taken after this count: the end of a scenario's action, a deploy (`--since`). */
  since?: Since;
  /**
   * Default true: a source unreadable on the first poll throws (a wrong path is not something to wait
   * out). A scenario's Then passes false: its action may have restarted the monitoring on purpose.
   */
  failFastOnUnreachable?: boolean;
  deps?: WaitDeps;
}

export interface WaitResult {
  holds: boolean;
  answer: QueryAnswer;
  /** From the start of the wait to the poll that held; null when it did not hold. */
  timeToDetectMs: number | null;
  elapsedMs: number;
  polls: number;
  /** How many checks a re-check was forced for (0: none). */
  recheckForced: number;
  /** The node as the last poll saw it: the states "in the way" at the deadline. */
  lastTree: EvaluatedNode;
  /** Checks in scope whose source could not be read at the last poll (empty when it holds). */
  unreachable: CheckStatus[];
}

const unreachableIn = (node: EvaluatedNode, transitive: boolean) => checksInScope(node, transitive).filter((c) => c.reason === 'unreachable');

export async function waitUntil(request: WaitRequest): Promise<WaitResult> {
  const { model, expect, transitive, withinMs, intervalMs } = request;
  const deps = request.deps ?? {};
  const now = deps.now ?? Date.now;
  const query = expect === 'all-green' ? allGreen : allRed;
  const started = now();
  const deadline = started + withinMs;
  const rechecks = new Map<string, number>();
  let polls = 0;
  let lastBlockers = -1;
  for (;;) {
    deps.signal?.throwIfAborted();
    const snapshot = await takeSnapshot(model, { runs: deps.runs, rechecks, reader: deps.reader, now, since: request.since });
    const node = findNode(evaluateModel(model, snapshot), request.node);
    const answer = query(node, transitive);
    polls++;
    const finish = (): WaitResult => ({
      holds: answer.holds,
      answer,
      timeToDetectMs: answer.holds ? snapshot.nowMs - started : null,
      elapsedMs: now() - started,
      polls,
      recheckForced: rechecks.size,
      lastTree: node,
      unreachable: answer.holds ? [] : unreachableIn(node, transitive),
    });
    if (answer.holds) return finish();
    const unreachable = unreachableIn(node, transitive);
    if (polls === 1 && unreachable.length && request.failFastOnUnreachable !== false) {
      throw new MonitoringUnreachableError(`cannot ask the monitoring: ${unreachable[0].id}: ${unreachable[0].detail ?? 'unreachable'}`, {
        where: 'model check',
      });
    }
    const toForce = polls === 1 && request.recheck !== false ? checksInScope(node, transitive).filter((c) => request.recheck || c.reason === 'predates') : [];
    if (toForce.length) {
      const at = now();
      // Nagios records last_check in whole seconds: a check scheduled within the second `since` fell in
      // would read as older than it. The first whole second after it is early enough.
      const notBefore = request.since ? Math.ceil(request.since.atMs / 1000) * 1000 : at;
      const forced = await forceRechecks(model, toForce, Math.max(at, notBefore));
      for (const c of forced) rechecks.set(c.id, at);
      if (request.recheck || forced.length) deps.onProgress?.({ type: 'rechecked', checks: forced });
    }
    if (answer.blockers.length !== lastBlockers) {
      deps.onProgress?.({ type: 'waiting', node: node.path, expect, blockers: answer.blockers.length, intervalMs, deadline });
      lastBlockers = answer.blockers.length;
    }
    if (now() + intervalMs > deadline) return finish();
    await sleep(intervalMs, undefined, { signal: deps.signal });
  }
}
