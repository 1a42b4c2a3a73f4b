import type { RunResult, RunStatus, TenantState, TestOutcome } from '../core/index.ts';
import type { PauseStore } from './pause-store.ts';
import type { RetentionPolicy } from './run-retention.ts';
import type { ClusterStore } from './cluster-store.ts';
import type { SqlDb } from './sql.ts';

export type { Pause, PauseStore } from './pause-store.ts';

export type { TenantState };

/** The states a tenant can end in; `creating` and `active` are entered through begin/activate. */
export type FinalTenantState = 'destroyed' | 'teardown_failed' | 'create_failed';

export interface RunQuery {
  suite?: string;
  environment?: string;
  status?: RunStatus;
  /** Runs from this location (replicas' --location); '' for runs without one. */
  location?: string;
  /** Default 50. */
  limit?: number;
}

export interface SuiteSummary {
  suite: string;
  environment: string;
  last: RunResult;
  /** finishedAt of the newest run with status `passed` or `flaky`, when there is one. */
  lastSuccessAt?: string;
}

export interface RunStore {
  /**
   * Insert or replace by runId. `handedOver: false` (the orchestrator's record step) marks the run as not
   * yet taken by the exporters, in the same transaction: a process killed before `handedOver(runId)`
   * leaves it for `notHandedOver` (the spool pass publishes it then). Default true.
   */
  save(result: RunResult, opts?: { handedOver?: boolean }): Promise<void>;
  /** The exporters took the run (delivered, or spooled for retry). */
  handedOver(runId: string): Promise<void>;
  /** Runs saved but never handed to the exporters, finished before `before` (older first), not claimed by a replica now. */
  notHandedOver(before: Date, limit?: number): Promise<RunResult[]>;
  /** Takes such a run for handing over until `until`: false when another replica (or process) took it. */
  claimHandOver(runId: string, until: Date): Promise<boolean>;
  get(runId: string): Promise<RunResult | undefined>;
  /** Newest first (by startedAt). */
  list(query?: RunQuery): Promise<RunResult[]>;
  /** One entry per suite × environment that has run at least once. */
  lastBySuite(): Promise<SuiteSummary[]>;
  /** The newest run of every location of every pair (runs with a location only), pair by pair. */
  lastByLocation(pair?: { suite: string; environment: string }): Promise<RunResult[]>;
  /** Removes runs past the retention policy (run-retention.ts); returns how many. */
  retain(policy: RetentionPolicy): Promise<number>;
  /** Per-test durations of a pair's newest runs that recorded tests, oldest first. */
  testHistory(query: TestHistoryQuery): Promise<TestHistoryPoint[]>;
  /** Runs of a pair per status that finished at or after `since` (pass rate, availability). */
  statusCounts(query: { suite: string; environment: string; since: Date }): Promise<Record<RunStatus, number>>;
}

export interface TestHistoryQuery {
  suite: string;
  environment: string;
  /** How many of the newest runs; default 30. */
  runs?: number;
}

export interface TestHistoryPoint {
  runId: string;
  startedAt: string;
  title: string;
  project?: string;
  outcome: TestOutcome;
  durationMs: number;
}

export interface TenantBegin {
  name: string;
  provisioner: string;
  suite: string;
  environment: string;
  baseURL: string;
  runId: string;
  /** ISO 8601 or a Date. */
  createdAt: string | Date;
}

/** A tenant as the ledger keeps it: what began it, and where it stands. */
export interface LedgerRow extends Omit<TenantBegin, 'createdAt'> {
  state: TenantState;
  /** Non-secret fields only: whatever the caller passed to `activate`. */
  fields: Record<string, string>;
  /** Last create/teardown/reap error, redacted by the caller. */
  error?: string;
  createdAt: string;
  updatedAt: string;
  /** Reap attempts so far. */
  attempts: number;
}

export interface LedgerQuery {
  states?: TenantState[];
  /** The tenants of one run. */
  runId?: string;
  /** Rows whose createdAt is strictly before this instant. */
  olderThan?: Date;
  provisioner?: string;
  environment?: string;
}

export interface TenantLedger {
  /** Written before the provisioner's create call ("ledger first"): state `creating`. */
  begin(tenant: TenantBegin): Promise<void>;
  /** State `active`; pass non-secret fields only (see publicFields). */
  activate(name: string, fields: Record<string, string>): Promise<void>;
  finish(name: string, state: FinalTenantState, error?: string): Promise<void>;
  get(name: string): Promise<LedgerRow | undefined>;
  /** Oldest first. */
  list(query?: LedgerQuery): Promise<LedgerRow[]>;
  /** Counts a reap attempt; an error is kept on the row, success clears it. */
  recordReapAttempt(name: string, error?: string): Promise<void>;
}

export interface Store {
  /** The file, or the database URL without its password. */
  readonly path: string;
  readonly engine: 'sqlite' | 'postgres';
  /** The SQL underneath, for the modules that keep tables of their own in the same store (cluster claims). */
  readonly db: SqlDb;
  readonly runs: RunStore;
  readonly tenants: TenantLedger;
  readonly spool: ExportSpool;
  readonly pauses: PauseStore;
  readonly scenarioRuns: ScenarioRunStore;
  /** The undos scenarios owe, until each has run (undo-ledger.ts). */
  readonly undos: UndoLedger;
  /** Fires, running pairs and replicas shared by every replica on this store (cluster-store.ts). */
  readonly cluster: ClusterStore;
  close(): Promise<void>;
}

/** One scenario's run as `vigil scenario run` records it; `result` is the scenarios layer's ScenarioResult. */
export interface ScenarioRunRecord {
  id: string;
  scenario: string;
  file: string;
  /** passed | failed | error | interrupted */
  status: string;
  startedAt: string;
  finishedAt: string;
  result: unknown;
}

export interface ScenarioRunStore {
  save(record: ScenarioRunRecord): Promise<void>;
  /** Newest first. */
  list(query?: { scenario?: string; limit?: number }): Promise<ScenarioRunRecord[]>;
  /** Runs per scenario × status, over the store's whole history (for counters that survive one-shot runs). */
  totals(): Promise<Array<{ scenario: string; status: string; count: number }>>;
  /** Per scenario: its newest run, and when its newest passed run finished. */
  latest(): Promise<Array<{ last: ScenarioRunRecord; lastSuccessAt?: string }>>;
}

/** An undo a scenario owes: written before its action starts, removed once the undo has run. */
export interface OwedUndo {
  id: string;
  /** The undo's name in scenarios.actions: its definition (and ${VAR} secrets) comes from the config. */
  undo: string;
  /** The action it undoes. */
  action: string;
  /** The step's {{placeholders}} (from the feature file's text, never from the environment). */
  params: Record<string, string>;
  /** The scenario run that owes it. */
  runId: string;
  scenario: string;
  /** The scenarios.schedule entry, for a scheduled run. */
  schedule?: string;
  /** The replica (or `vigil scenario run` process) whose it is while its lease holds. */
  owner: string;
  leaseUntil: string;
  /** Failed attempts so far (the scenario's own cleanup included) and the last one's error, redacted. */
  attempts: number;
  lastError?: string;
  createdAt: string;
  updatedAt: string;
}

export interface UndoLedger {
  owe(undo: Omit<OwedUndo, 'leaseUntil' | 'attempts' | 'lastError' | 'createdAt' | 'updatedAt'> & { leaseUntil: Date; createdAt: Date }): Promise<void>;
  /** The undo ran: the row goes. */
  paid(id: string): Promise<void>;
  /** Counts a failed attempt; the row is anyone's to try again from `retryAt`. */
  failed(id: string, error: string, retryAt: Date): Promise<void>;
  /** Extends the lease of these rows of `owner` (the undos its running scenarios owe). */
  renew(owner: string, ids: readonly string[], until: Date): Promise<void>;
  /** Rows to run: lease (or retry time) passed before `now`, and any of `formerSelf`. Oldest first. */
  due(now: Date, formerSelf?: string): Promise<OwedUndo[]>;
  /** True for the one process that takes the row (as `due` picks them) until `by.until`. */
  claim(id: string, now: Date, formerSelf: string | undefined, by: { owner: string; until: Date }): Promise<boolean>;
  /** Every owed undo (not the runs' own rows), oldest first. */
  list(): Promise<OwedUndo[]>;
  /** A scenario run starts: its own row, leased like its undos, so a kill -9 still leaves it known. */
  begin(run: Omit<RunMarker, 'leaseUntil' | 'createdAt'> & { leaseUntil: Date; createdAt: Date }): Promise<void>;
  /** What the run is doing now (the step it started), for the record of a run killed there. */
  progress(id: string, at: RunMarker['at']): Promise<void>;
  /** The run was recorded: its row goes. */
  ended(id: string): Promise<void>;
  /** Runs' rows whose owner stopped renewing (lease passed before `now`), and any of `formerSelf`. Oldest first. */
  runsDue(now: Date, formerSelf?: string): Promise<RunMarker[]>;
  /** Every run's row (the runs going now, and those of a process that stopped). */
  runs(): Promise<RunMarker[]>;
}

/**
 * A scenario run known to the store from its start (a row of scenario_undos with no undo to run):
 * removed once the run is recorded; a process killed outright leaves it, and a replay pass records the
 * run `interrupted` from it. Claimed, renewed and removed by its id, like an undo's row.
 */
export interface RunMarker {
  id: string;
  runId: string;
  scenario: string;
  schedule?: string;
  /** The scheduled fire that started it (trigger and fire id), for a scheduled run. */
  fire?: { trigger: 'schedule' | 'manual'; id: string };
  file: string;
  feature: string;
  line: number;
  /** The step it started last (a cleanup's, once the cleanups run); absent before the first. */
  at?: { keyword: string; text: string; line: number; cleanup: boolean };
  owner: string;
  leaseUntil: string;
  createdAt: string;
}

/** One undelivered result for one exporter (a Nagios transport), as the fan-out rendered it. */
export interface SpoolEntry {
  id: number;
  exporter: string;
  runId: string;
  host: string;
  service: string;
  /** Epoch seconds the result describes: orders results for the same host × service. */
  timestamp: number;
  /** The rendered, already redacted check, as JSON-able data. */
  payload: unknown;
  /** Delivery attempts so far (the first, immediate one included). */
  attempts: number;
  nextAttemptAt: string;
  lastError?: string;
  createdAt: string;
}

/** A new spool entry: the stored one before it has an id, its times as Dates. */
export interface SpoolAdd extends Omit<SpoolEntry, 'id' | 'nextAttemptAt' | 'createdAt'> {
  nextAttemptAt: Date;
  createdAt: Date;
}

export interface DeliveredMark {
  exporter: string;
  host: string;
  service: string;
  timestamp: number;
  runId: string;
}

export interface ExportSpool {
  /** Returns false when this exporter already holds that run's result for that service. */
  add(entry: SpoolAdd): Promise<boolean>;
  /** Entries whose next attempt is at or before `now`, oldest result first. */
  due(now: Date, limit?: number): Promise<SpoolEntry[]>;
  /**
   * Takes an entry for one attempt by moving its next attempt to `until`; false when another process
   * (a `vigil run` next to `vigil serve`) took or removed it first.
   */
  claim(id: number, seenNextAttemptAt: string, until: Date): Promise<boolean>;
  /** Counts a failed attempt and sets when to try again. */
  failed(id: number, error: string, nextAttemptAt: Date): Promise<void>;
  remove(id: number): Promise<void>;
  /** Entries waiting, per exporter. */
  counts(): Promise<Record<string, number>>;
  /** Oldest result first. */
  list(query?: { exporter?: string }): Promise<SpoolEntry[]>;
  /** Remembers the newest result delivered for exporter × host × service (never moves back in time). */
  markDelivered(mark: DeliveredMark, at: Date): Promise<void>;
  lastDelivered(exporter: string, host: string, service: string): Promise<DeliveredMark | undefined>;
}
