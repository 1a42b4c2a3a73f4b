// The status rules of DESIGN.md in one place. "Never report OK when nothing was tested": a completed
// Playwright run in which no test ran is a runner fault, not a pass.
import type { SuiteOutcome } from '../suites/types.ts';
import type { RunResult } from '../core/index.ts';

const BROWSER_LAUNCH = /browserType\.launch|Executable doesn't exist|Failed to launch/;

type Decided = Pick<RunResult, 'status' | 'errorPhase' | 'errorMessage' | 'tests' | 'failures' | 'testResults' | 'playwrightVersion'>;

export function decideStatus(outcome: SuiteOutcome): Decided {
  const { tests, failures } = outcome;
  const base = {
    tests,
    failures,
    ...(outcome.testResults ? { testResults: outcome.testResults } : {}),
    ...(outcome.playwrightVersion ? { playwrightVersion: outcome.playwrightVersion } : {}),
  };
  switch (outcome.kind) {
    case 'timeout':
      return { ...base, status: 'error', errorPhase: 'timeout', errorMessage: outcome.message ?? 'the suite did not finish within its timeout and was killed' };
    case 'interrupted':
      return { ...base, status: 'error', errorPhase: 'interrupted', errorMessage: outcome.message ?? 'the run was interrupted' };
    case 'crashed':
      return { ...base, status: 'error', errorPhase: 'suite', errorMessage: outcome.message ?? 'Playwright exited without a result' };
    case 'completed': {
      const ran = tests.passed + tests.failed + tests.flaky;
      // A browser that cannot start tested nothing: that is the runner's fault, not the app's.
      if (tests.failed > 0 && tests.passed + tests.flaky === 0 && failures.every((f) => BROWSER_LAUNCH.test(f.error))) {
        return { ...base, status: 'error', errorPhase: 'suite', errorMessage: `the browser could not start: ${failures[0]?.error.split('\n')[0] ?? ''}` };
      }
      if (tests.failed > 0) return { ...base, status: 'failed' };
      if (ran === 0)
        return { ...base, status: 'error', errorPhase: 'suite', errorMessage: `no test ran (${tests.skipped} skipped): check grep/grepInvert and projects` };
      if (tests.flaky > 0) return { ...base, status: 'flaky' };
      return { ...base, status: 'passed' };
    }
  }
}
