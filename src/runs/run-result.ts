// The one record every exporter reads (DESIGN.md "RunResult"). Exporters and the store depend on
// this shape; change it only together with them.

export type RunStatus = 'passed' | 'flaky' | 'failed' | 'error';
export type ErrorPhase = 'config' | 'tenant_setup' | 'suite' | 'timeout' | 'interrupted';
export type Trigger = 'schedule' | 'api' | 'cli';
export type TenantState = 'creating' | 'active' | 'destroyed' | 'teardown_failed' | 'create_failed';

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
  phases: { tenant_setup: number; test: number; teardown: number }; // seconds
  tests: TestCounts;
  failures: TestFailure[];
  tenant?: { id: string; name: string; state: TenantState; error?: string };
  artifactsDir?: string;
}

/** Nagios plugin convention, also `vigil run`'s exit code. */
export const exitCodeOf: Record<RunStatus, 0 | 1 | 2 | 3> = {
  passed: 0,
  flaky: 1,
  failed: 2,
  error: 3,
};

export const emptyCounts = (): TestCounts => ({ total: 0, passed: 0, failed: 0, flaky: 0, skipped: 0 });
