import type { TestCounts, TestFailure, TestResult } from '../core/index.ts';
import { emptyCounts } from '../core/index.ts';
import type { TestOutcome } from './types.ts';

/** What the reporter sends for each attempt (see wrapper/vigil-reporter.cjs). */
export interface AttemptEvent {
  id: string;
  title: string;
  file: string;
  line: number;
  status: string;
  outcome: TestOutcome;
  retry: number;
  durationMs: number;
  error?: string;
  snippet?: string;
  project?: string;
}

// Each test counts once, with the outcome of its last attempt (Playwright's own test.outcome():
// passed after a failed attempt is flaky). The failure message is the last failing attempt's.
export function createTally() {
  const last = new Map<string, AttemptEvent>();
  const lastError = new Map<string, Pick<AttemptEvent, 'error' | 'snippet'>>();
  let notRun = 0;
  return {
    /** Tests that never started count as skipped: they were not tested, and say so. */
    addNotRun(n: number): void {
      notRun += n;
    },
    add(attempt: AttemptEvent): void {
      last.set(attempt.id, attempt);
      if (attempt.error) lastError.set(attempt.id, { error: attempt.error, snippet: attempt.snippet });
    },
    get size(): number {
      return last.size;
    },
    counts(): TestCounts {
      const counts = emptyCounts();
      counts.total = notRun;
      counts.skipped = notRun;
      for (const a of last.values()) {
        counts.total++;
        counts[a.outcome]++;
      }
      return counts;
    },
    failures(): TestFailure[] {
      return [...last.values()]
        .filter((a) => a.outcome === 'failed')
        .map((a) => ({ title: a.title, file: a.file, line: a.line, error: lastError.get(a.id)?.error ?? `test ${a.status}` }));
    },
    /** Every test that ran, in the order they finished; a flaky test keeps its failing attempt's error. */
    results(): TestResult[] {
      return [...last.values()].map((a) => {
        const failedAttempt = lastError.get(a.id);
        return {
          title: a.title,
          file: a.file,
          line: a.line,
          ...(a.project ? { project: a.project } : {}),
          outcome: a.outcome,
          durationMs: Math.max(0, Math.round(a.durationMs)),
          retries: a.retry,
          ...(a.outcome !== 'passed' && a.outcome !== 'skipped' && failedAttempt?.error ? { error: failedAttempt.error } : {}),
          ...(a.outcome !== 'passed' && a.outcome !== 'skipped' && failedAttempt?.snippet ? { snippet: failedAttempt.snippet } : {}),
        };
      });
    },
  };
}
