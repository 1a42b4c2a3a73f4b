// What the exporter reads from other modules. Declared here, not imported, so the exporter depends on
// a shape rather than on the store's concrete types: `store.runs` and `store.tenants` satisfy these.
import type { LocationRule, ReapReport, RunResult, TenantState } from '../../core/index.ts';

export interface LastResult {
  suite: string;
  environment: string;
  last: RunResult;
  /** finishedAt of the newest passed/flaky run. */
  lastSuccessAt?: string;
}

export interface LastResults {
  /** One entry per suite × environment that has run at least once. */
  lastBySuite(): Promise<LastResult[]>;
  /** Newest first; used to restore the consecutive-failure streak. */
  list?(query: { suite?: string; environment?: string; location?: string; limit?: number }): Promise<RunResult[]>;
  /** The newest run of each location of each pair (suites with locations). */
  lastByLocation?(): Promise<RunResult[]>;
}

export interface OrphanLedger {
  list(query: { states?: TenantState[]; olderThan?: Date }): Promise<Array<{ environment: string }>>;
}

/** A configured suite × environment pair: the only label values the exporter accepts when given. */
export interface Target {
  suite: string;
  environment: string;
  /** The suite runs from several locations: the pair's gauges follow this rule (core/locations.ts). */
  locations?: LocationRule;
}

/** The parts of a reaper pass the metrics count. */
export type ReapCounts = Pick<ReapReport, 'reaped' | 'failed'>;
