// A passed RunResult for specs and benches that drive the scheduler with a run function of their own
// (not Vigil's orchestrator): they only need the run to end, at once, with the request's fields.
import { emptyCounts, type RunResult, type Trigger } from '../../src/core/index.ts';

export function passedRun(request: { suite: string; environment: string; trigger: Trigger; runId?: string }): RunResult {
  const now = new Date().toISOString();
  return {
    runId: request.runId!,
    suite: request.suite,
    environment: request.environment,
    trigger: request.trigger,
    startedAt: now,
    finishedAt: now,
    status: 'passed',
    phases: { tenant_setup: 0, test: 0, teardown: 0 },
    tests: emptyCounts(),
    failures: [],
  };
}
