import type { TestCounts, TestFailure } from '../core/index.ts';
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
}

// Each test counts once, with the outcome of its last attempt (Playwright's own test.outcome():
// passed after a failed attempt is flaky). The failure message is the last failing attempt's.
export function createTally() {
  const last = new Map<string, AttemptEvent>();
  const lastError = new Map<string, string>();
  let notRun = 0;
  return {
    /** Tests that never started count as skipped: they were not tested, and say so. */
    addNotRun(n: number): void {
      notRun += n;
    },
    add(attempt: AttemptEvent): void {
      last.set(attempt.id, attempt);
      if (attempt.error) lastError.set(attempt.id, attempt.error);
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
        .map((a) => ({ title: a.title, file: a.file, line: a.line, error: lastError.get(a.id) ?? `test ${a.status}` }));
    },
  };
}
