// One test of a run as the run page lists it: every test, not only failures (issue 13). Kept apart
// from RunResult's counts and failures, which are what the exporters read; the store keeps these rows
// in a table of their own (per-test history for the suite page's charts).

export const TEST_OUTCOMES = ['passed', 'failed', 'flaky', 'skipped'] as const;
export type TestOutcome = (typeof TEST_OUTCOMES)[number];

export interface TestResult {
  title: string;
  file: string;
  line: number;
  /** The Playwright project it ran in (a title can run in several). */
  project?: string;
  outcome: TestOutcome;
  /** The last attempt's duration: comparable run to run whatever the retries. */
  durationMs: number;
  /** Attempts after the first (0: it ran once). */
  retries: number;
  /** Redacted, like TestFailure.error. */
  error?: string;
  /** Playwright's code frame around the failing line, redacted. */
  snippet?: string;
}
