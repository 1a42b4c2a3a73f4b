// The undo ledger as a running process keeps it (docs/scenarios.md, "SIGTERM and kill -9"): an action
// with an undo writes its row before it starts ("ledger first", as for tenants), the undo's success
// removes it, a failure leaves it owed with its error. While a scenario runs, this process renews the
// lease of the rows it holds (every quarter lease); a process killed outright stops renewing, and once
// the lease ran out the next `vigil serve` or `vigil scenario run` on the store runs the undo
// (replay-undos.ts). Nothing secret goes in a row: the undo's name and the step's parameters only.
// Each scenario run also has a row of its own from its start until it is recorded (`begin`, `ended`),
// with the step it started last, so that a run killed before (or after) owing any undo is still
// recorded `interrupted` by the next pass: the feature file's own texts, no step output.
import { nanoid } from 'nanoid';
import type { OwedUndo, RunMarker, UndoLedger } from '../store/types.ts';

/** How long a row stays its owner's without a renewal when the caller gives none (serve gives api.lease). */
export const UNDO_LEASE_MS = 60_000;

/** After a failed attempt, the row waits this long, doubling per attempt up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 30_000;
const RETRY_MAX_MS = 15 * 60_000;

export const retryAt = (attempts: number, now: Date): Date => new Date(now.getTime() + Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.max(0, attempts - 1)));

/** What an action owes before it starts: the ledger row's own fields (owner, lease, attempts are the ledger's). */
export type OweUndo = Pick<OwedUndo, 'undo' | 'action' | 'params' | 'runId' | 'scenario' | 'schedule'>;

/** A run as it starts: its row's own fields. */
export type BeginRun = Pick<RunMarker, 'runId' | 'scenario' | 'schedule' | 'fire' | 'file' | 'feature' | 'line'>;

/** A run's own row in the ledger (undo rows have nanoid ids). */
const runRowId = (runId: string) => `run:${runId}`;

export interface OwedUndos {
  /** This process's name in the ledger (a replica's name; `scenario-run@host:pid` for the CLI). */
  readonly owner: string;
  /** Before the action starts; throws when the store cannot keep the row (the action must not run then). */
  owe(undo: OweUndo): Promise<string>;
  /** The undo ran: forgotten. */
  paid(id: string): Promise<void>;
  /** The undo failed: still owed, tried again by the next pass after its retry time. */
  failed(id: string, error: string): Promise<void>;
  /** Before the run's first step; throws when the store cannot keep the row (the run must not start then). */
  begin(run: BeginRun): Promise<void>;
  /** The step the run starts now; written in order, in the background (a failure is only said). */
  at(runId: string, step: NonNullable<RunMarker['at']>): void;
  /** The run was recorded: its row goes (after the writes `at` queued). */
  ended(runId: string): Promise<void>;
  /** No more renewals (the process is stopping). */
  close(): void;
}

export interface OwedUndosDeps {
  store: { undos: UndoLedger };
  owner: string;
  leaseMs?: number;
  /** Applied to an undo's error before the store keeps it (an action's output may echo a secret). */
  redact?: (text: string) => string;
  /** A renewal that fails (the store down): said, and tried again on the next beat. */
  onRenewFailure?: (err: unknown) => void;
  /** A run's step that could not be written (only a run killed there would be recorded without it). */
  onProgressFailure?: (err: unknown) => void;
  clock?: () => Date;
}

export function createOwedUndos(deps: OwedUndosDeps): OwedUndos {
  const { store, owner } = deps;
  const leaseMs = deps.leaseMs ?? UNDO_LEASE_MS;
  const clock = deps.clock ?? (() => new Date());
  const held = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  // One chain: a run's steps are written in the order they started, and its end after them.
  let progress: Promise<void> = Promise.resolve();
  const renew = () => {
    store.undos.renew(owner, [...held], new Date(clock().getTime() + leaseMs)).catch((err) => deps.onRenewFailure?.(err));
  };
  const release = (id: string) => {
    held.delete(id);
    if (!held.size && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const hold = (id: string) => {
    held.add(id);
    if (!timer) {
      timer = setInterval(renew, Math.max(1_000, Math.floor(leaseMs / 4)));
      timer.unref();
    }
  };
  return {
    owner,
    async owe(undo) {
      const id = nanoid();
      const now = clock();
      await store.undos.owe({ id, ...undo, owner, leaseUntil: new Date(now.getTime() + leaseMs), createdAt: now });
      hold(id);
      return id;
    },
    async begin(run) {
      const id = runRowId(run.runId);
      const now = clock();
      await store.undos.begin({ id, ...run, owner, leaseUntil: new Date(now.getTime() + leaseMs), createdAt: now });
      hold(id);
    },
    at(runId, step) {
      const id = runRowId(runId);
      if (!held.has(id)) return;
      progress = progress.then(() => store.undos.progress(id, step)).catch((err) => deps.onProgressFailure?.(err));
    },
    async ended(runId) {
      const id = runRowId(runId);
      release(id);
      await progress;
      await store.undos.ended(id);
    },
    async paid(id) {
      release(id);
      await store.undos.paid(id);
    },
    async failed(id, error) {
      release(id);
      // The scenario's own cleanup is a row's first attempt.
      await store.undos.failed(id, deps.redact ? deps.redact(error) : error, retryAt(1, clock()));
    },
    close() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
