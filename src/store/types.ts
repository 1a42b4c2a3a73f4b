import type { RunResult, RunStatus, TenantState } from '../runs/run-result.ts';

export type { TenantState };

/** The states a tenant can end in; `creating` and `active` are entered through begin/activate. */
export type FinalTenantState = 'destroyed' | 'teardown_failed' | 'create_failed';

export interface RunQuery {
  suite?: string;
  environment?: string;
  status?: RunStatus;
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
  /** Insert or replace by runId. */
  save(result: RunResult): void;
  get(runId: string): RunResult | undefined;
  /** Newest first (by startedAt). */
  list(query?: RunQuery): RunResult[];
  /** One entry per suite × environment that has run at least once. */
  lastBySuite(): SuiteSummary[];
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

export interface LedgerRow {
  name: string;
  provisioner: string;
  suite: string;
  environment: string;
  baseURL: string;
  runId: string;
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
  /** Rows whose createdAt is strictly before this instant. */
  olderThan?: Date;
  provisioner?: string;
  environment?: string;
}

export interface TenantLedger {
  /** Written before the provisioner's create call ("ledger first"): state `creating`. */
  begin(tenant: TenantBegin): void;
  /** State `active`; pass non-secret fields only (see publicFields). */
  activate(name: string, fields: Record<string, string>): void;
  finish(name: string, state: FinalTenantState, error?: string): void;
  get(name: string): LedgerRow | undefined;
  /** Oldest first. */
  list(query?: LedgerQuery): LedgerRow[];
  /** Counts a reap attempt; an error is kept on the row, success clears it. */
  recordReapAttempt(name: string, error?: string): void;
}

export interface Store {
  readonly path: string;
  readonly runs: RunStore;
  readonly tenants: TenantLedger;
  close(): void;
}
