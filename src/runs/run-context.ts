// What the steps of one run share (orchestrator.ts, tenant-steps.ts, suite-step.ts, record-run.ts): the
// orchestrator's dependencies and the helpers made from them once, the progress a run reports, and the
// way a step marks the run as failed. Kept apart from orchestrator.ts, which re-exports its types, so
// the steps need not import the file that imports them.
import type { ErrorPhase, RunPhase, RunResult } from '../core/index.ts';
import type { VigilConfig } from '../config/schema.ts';
import type { Log } from '../shared/log.ts';
import type { Redactor } from '../shared/redact.ts';
import type { StoreOperation, StoreWrite } from '../store/store-write.ts';
import type { Store } from '../store/types.ts';
import type { SharedBrowsers } from '../suites/shared-browser.ts';
import type { SuiteEvent } from '../suites/types.ts';
import type { Provisioner, TenantEnvironment } from '../tenants/types.ts';

export type RunProgress = { type: 'phase'; runId: string; phase: RunPhase; detail?: string } | { type: 'suite'; runId: string; event: SuiteEvent };

export interface OrchestratorDeps {
  config: VigilConfig;
  store: Store;
  provisioners: ReadonlyMap<string, Provisioner>;
  redact: Redactor;
  /** Variables of Vigil's own config (exporters, tenants, api) that the suite must not inherit. */
  withheldVariables: readonly string[];
  log: Log;
  clock?: () => Date;
  /** Fan-out to exporters; failures there are the exporters' business, never the run's. */
  publish?: (result: RunResult) => Promise<void>;
  /** A store write failed (full or read-only disk): the run went on without it; count it. */
  onStoreFailure?: (operation: StoreOperation) => void;
  /** Shared browsers for suites with browser.shared; made on first use when not given. */
  sharedBrowsers?: SharedBrowsers;
  /** Written on every run: which replica ran it, from where (replicas on one store). */
  stamp?: { replica?: string; location?: string };
}

/** One orchestrator's dependencies with what is made from them once, handed to every step. */
export interface RunContext {
  // The whole deps too: the optional ones (publish, stamp) are read when used.
  deps: OrchestratorDeps;
  config: VigilConfig;
  store: Store;
  provisioners: ReadonlyMap<string, Provisioner>;
  redact: Redactor;
  log: Log;
  clock: () => Date;
  /** A write the run can go on without (a full or read-only disk must not stop its teardown or delivery). */
  storeWrite: StoreWrite;
  /** The shared browsers, made on first use. */
  sharedBrowsers: () => SharedBrowsers;
}

/** What one attempt works with once the target is known to be runnable. */
export interface Target {
  suite: VigilConfig['suites'][string];
  environmentConfig: VigilConfig['environments'][string];
  environment: TenantEnvironment;
  provisioner: Provisioner;
}

export type Teardown = () => Promise<void>;

export type Emit = (p: RunProgress) => void;

export function fail(result: RunResult, errorPhase: ErrorPhase, message: string): void {
  result.status = 'error';
  result.errorPhase = errorPhase;
  result.errorMessage = message;
}

/** Prefixes who interrupted and why (the abort reason: a shutdown, an operator) when there is one. */
export function interruption(signal: AbortSignal, message: string): string {
  return signal.reason instanceof Error ? `${signal.reason.message}: ${message}` : message;
}

export const seconds = (ms: number) => Math.round(ms) / 1000;
