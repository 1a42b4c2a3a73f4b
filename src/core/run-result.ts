import type { TestResult } from './test-result.ts';

// The one record every exporter reads (DESIGN.md "RunResult"). Exporters and the store depend on
// this shape; change it only together with them. Each union is derived from one `as const` list, so
// code that needs the values (validation, metrics label sets, the UI's filters) reads the same list.

export const RUN_STATUSES = ['passed', 'flaky', 'failed', 'error'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The statuses that mean the application worked (a flaky pass is a warning, not an outage). */
export const SUCCESS_STATUSES = ['passed', 'flaky'] as const satisfies readonly RunStatus[];
export const isSuccess = (status: RunStatus): boolean => (SUCCESS_STATUSES as readonly RunStatus[]).includes(status);
/** SUCCESS_STATUSES as an SQL list, `('passed', 'flaky')`, for the store's queries. */
export const SUCCESS_SQL = `(${SUCCESS_STATUSES.map((s) => `'${s}'`).join(', ')})`;

export const ERROR_PHASES = ['config', 'tenant_setup', 'suite', 'timeout', 'interrupted'] as const;
export type ErrorPhase = (typeof ERROR_PHASES)[number];

/** How an error phase is said to a person, before the message that gives the cause. */
export const ERROR_PHASE_WORDING: Record<ErrorPhase, string> = {
  config: 'configuration is invalid',
  tenant_setup: 'tenant setup failed',
  suite: 'the suite could not run',
  timeout: 'the run timed out',
  interrupted: 'the run was interrupted',
};

/** `<phase wording>: <cause>`, the one way an error result is said in a line (summary, Nagios output). */
export function errorHeadline(result: Pick<RunResult, 'errorPhase' | 'errorMessage'>): string {
  const wording = result.errorPhase ? ERROR_PHASE_WORDING[result.errorPhase] : 'the run failed';
  const firstLine = (result.errorMessage ?? '')
    .split(/\r?\n|\r/)
    .find((l) => l.trim() !== '')
    ?.trim();
  return firstLine ? `${wording}: ${firstLine}` : wording;
}

export const TRIGGERS = ['schedule', 'api', 'cli'] as const;
export type Trigger = (typeof TRIGGERS)[number];

export const TENANT_STATES = ['creating', 'active', 'destroyed', 'teardown_failed', 'create_failed'] as const;
export type TenantState = (typeof TENANT_STATES)[number];

export const RUN_PHASES = ['tenant_setup', 'test', 'teardown'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface TestCounts {
  total: number;
  passed: number;
  failed: number;
  flaky: number;
  skipped: number;
}

export interface TestFailure {
  title: string;
  file: string;
  line: number;
  /** Already redacted: no secret value may reach this field. */
  error: string;
}

export const ERROR_CHECK_SEVERITIES = ['warning', 'critical'] as const;
export type ErrorCheckSeverity = (typeof ERROR_CHECK_SEVERITIES)[number];

/**
 * One of the suite's or environment's `errorQueries`, asked of Prometheus over the run's own window
 * after the suite passed (docs/configuration.md, "errorQueries"): errors the suite cannot see (a 5xx
 * on a path no test asserts). Exceeded (`value > above`) makes a passed run WARNING or CRITICAL; the
 * status stays what the tests said.
 */
export interface ErrorCheck {
  name: string;
  /** As asked: `{{window}}` already replaced. */
  query: string;
  /** The answer's largest value; 0 when the query answered no series; absent when it could not be asked. */
  value?: number;
  above: number;
  severity: ErrorCheckSeverity;
  exceeded: boolean;
  /** `{{window}}` as filled in, e.g. "93s". */
  window: string;
  /** When it was evaluated (ISO 8601): the time= of the query. */
  at: string;
  /** Prometheus' graph page for the query at that time. */
  link: string;
  /** Why it could not be asked (unreachable, a bad query, no answer in time); the run keeps its status. */
  error?: string;
}

export interface RunResult {
  runId: string;
  suite: string;
  environment: string;
  trigger: Trigger;
  startedAt: string; // ISO 8601
  finishedAt: string; // ISO 8601
  status: RunStatus;
  errorPhase?: ErrorPhase;
  /** Why the runner could not test the app (status 'error'), redacted. */
  errorMessage?: string;
  phases: Record<RunPhase, number>; // seconds
  tests: TestCounts;
  failures: TestFailure[];
  tenant?: { id: string; name: string; state: TenantState; error?: string };
  artifactsDir?: string;
  /** The suite's own @playwright/test that ran it (absent when none started). */
  playwrightVersion?: string;
  /** Where it ran from (the replica's location), when replicas have locations. */
  location?: string;
  /** Which replica ran it (and, for a run recorded by another, which one did). */
  replica?: string;
  /**
   * Every test with its outcome, duration and retries (the run page). Not read by exporters; the
   * store keeps them in their own table: `runs.get` returns them, `runs.list` does not.
   */
  testResults?: TestResult[];
  /** The error queries asked after a passed or flaky run (absent when none are configured or none were asked). */
  errorChecks?: ErrorCheck[];
}

/** Nagios plugin convention, also `vigil run`'s exit code. */
export const exitCodeOf: Record<RunStatus, 0 | 1 | 2 | 3> = {
  passed: 0,
  flaky: 1,
  failed: 2,
  error: 3,
};

/**
 * `vigil run`'s exit code and the run's plugin state: the status's, raised by an exceeded error query
 * of a run that passed or was flaky (warning → at least 1, critical → 2). Failed and error runs are
 * never asked, so their code is their status's.
 */
export function runExitCode(result: Pick<RunResult, 'status' | 'errorChecks'>): 0 | 1 | 2 | 3 {
  return raisedByErrorChecks(exitCodeOf[result.status], result);
}

/** A state code (the status's, or a stateMap's) raised by the run's exceeded error queries. */
export function raisedByErrorChecks<S extends 0 | 1 | 2 | 3>(code: S, result: Pick<RunResult, 'status' | 'errorChecks'>): S | 1 | 2 {
  if (!isSuccess(result.status)) return code;
  const exceeded = (result.errorChecks ?? []).filter((c) => c.exceeded);
  if (exceeded.some((c) => c.severity === 'critical')) return 2;
  return exceeded.length && code === 0 ? 1 : code;
}

export const emptyCounts = (): TestCounts => ({ total: 0, passed: 0, failed: 0, flaky: 0, skipped: 0 });
