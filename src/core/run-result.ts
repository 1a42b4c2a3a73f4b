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
}

/** Nagios plugin convention, also `vigil run`'s exit code. */
export const exitCodeOf: Record<RunStatus, 0 | 1 | 2 | 3> = {
  passed: 0,
  flaky: 1,
  failed: 2,
  error: 3,
};

export const emptyCounts = (): TestCounts => ({ total: 0, passed: 0, failed: 0, flaky: 0, skipped: 0 });
