// What a finished Playwright process means, decided in one pure function from what was observed:
// why Vigil stopped it (if it did), how it exited, and what its reporter said.
import type { TestCounts } from '../core/index.ts';
import type { RunEnd } from './reporter-events.ts';
import type { SuiteOutcome } from './types.ts';

export interface ObservedExit {
  stopReason?: 'timeout' | 'interrupted';
  timeoutMs: number;
  exit: { code: number | null; signal: NodeJS.Signals | null; spawnError?: Error };
  runErrors: readonly string[];
  ended: RunEnd | undefined;
  tests: TestCounts;
  /** The last meaningful lines of Playwright's output, for crash messages ('' when none). */
  tail: string;
}

export const NO_TESTS_MESSAGE = 'no tests matched: Playwright found no test to run (check grep, grepInvert, projects and testDir)';

export function classifyExit(o: ObservedExit): { kind: SuiteOutcome['kind']; message?: string } {
  if (o.stopReason === 'timeout') return { kind: 'timeout', message: `suite did not finish within ${o.timeoutMs} ms; its processes were killed` };
  if (o.stopReason === 'interrupted') return { kind: 'interrupted', message: "run aborted; the suite's processes were killed" };
  if (o.exit.spawnError) return { kind: 'crashed', message: `could not start Playwright: ${o.exit.spawnError.message}` };

  const exitText = o.exit.signal ? `signal ${o.exit.signal}` : `exit code ${o.exit.code}`;
  const crash = (message: string) => ({ kind: 'crashed' as const, message });
  if (o.runErrors.length > 0 && o.runErrors.every((e) => /no tests found/i.test(e))) return crash(NO_TESTS_MESSAGE);
  if (o.runErrors.length > 0) return crash(`Playwright reported errors outside tests:\n${o.runErrors.join('\n')}`);
  if (o.ended && o.tests.total === 0) return crash(NO_TESTS_MESSAGE);
  if (!o.ended) return crash(`Playwright exited (${exitText}) before finishing the run${o.tail}`);
  if (o.exit.code !== 0 && o.exit.code !== 1) return crash(`Playwright exited with ${exitText}${o.tail}`);
  if (o.ended.status === 'timedout') return crash("the suite's own globalTimeout was reached before all tests ran");
  if (o.ended.status === 'interrupted') return crash(`Playwright was interrupted (${exitText})${o.tail}`);
  return { kind: 'completed' };
}
