// Vigil's own suites as steps: "When I run the suite "checkout" on "staging"" runs it through the
// orchestrator (tenant, suite, teardown; recorded and exported like any run), and "Then the suite
// "checkout" on "staging" passes / fails" judges that run — "fails" is the negative control.
import { isSuccess } from '../../core/index.ts';
import { StepFailure } from '../errors.ts';
import type { ScenarioEnvironment, StepDefinition } from '../types.ts';

const key = (suite: string, environment: string) => `${suite}@${environment}`;

/** Why a scheduled scenario's allow-list refuses `environment`, or undefined (also when there is none). */
export function allowListProblem(allowed: ScenarioEnvironment['allowedEnvironments'], environment: string): string | undefined {
  if (!allowed || allowed.names.has(environment)) return undefined;
  return `"${environment}" is not among the environments this scheduled scenario may touch (${allowed.where}: ${[...allowed.names].join(', ')})`;
}

/** Why a step may not run `suite` on `environment` here (the config's pairs, a scheduled scenario's allow-list). */
function targetProblem(env: ScenarioEnvironment, suite: string, environment: string): string | undefined {
  const refused = allowListProblem(env.allowedEnvironments, environment);
  if (refused) return refused;
  if (!env.suiteTargets) return "needs Vigil's suites, but the config could not be loaded for them";
  if (env.suiteTargets.has(key(suite, environment))) return undefined;
  return `suite "${suite}" does not run on "${environment}" in the config (pairs: ${[...env.suiteTargets].join(', ') || 'none'})`;
}

const runSuite: StepDefinition = {
  pattern: /^I run the suite "([^"]+)" on "([^"]+)"$/,
  example: 'I run the suite "checkout" on "staging"',
  usesSuites: true,
  // A run is evidence, not a change to the infrastructure: the Thens after it answer for the action
  // before it (their time to detect counts from there, and the run's result is newer than it).
  passive: true,
  validate: (env, _step, suite, environment) => targetProblem(env, suite, environment),
  async run(ctx, suite, environment) {
    const result = await ctx.env.runSuite!(suite, environment, ctx.signal);
    ctx.scenario.suiteRuns.set(key(suite, environment), result);
    const t = result.tests;
    return { note: `${result.status} (run ${result.runId}: ${t.passed} passed, ${t.failed} failed${t.flaky ? `, ${t.flaky} flaky` : ''})` };
  },
};

const suiteOutcome: StepDefinition = {
  pattern: /^the suite "([^"]+)" on "([^"]+)" (passes|fails)$/,
  example: 'the suite "checkout" on "staging" passes',
  usesSuites: true,
  validate: (env, _step, suite, environment) => targetProblem(env, suite, environment),
  run(ctx, suite, environment, verdict) {
    const result = ctx.scenario.suiteRuns.get(key(suite, environment));
    if (!result)
      throw new StepFailure(
        `no run of suite "${suite}" on "${environment}" in this scenario (run it first: When I run the suite "${suite}" on "${environment}")`,
      );
    // "fails" means the app failed its tests: an error (no tenant, Playwright missing) proves nothing.
    const holds = verdict === 'passes' ? isSuccess(result.status) : result.status === 'failed';
    if (!holds) {
      throw new StepFailure(
        `suite "${suite}" on "${environment}" ${result.status}${result.errorMessage ? `: ${result.errorMessage}` : ''}, expected it to ${verdict === 'passes' ? 'pass' : 'fail'} (run ${result.runId})`,
        result.failures.map((f) => `${f.title}: ${f.error.split('\n')[0]}`),
      );
    }
    return { note: `run ${result.runId} ${result.status}` };
  },
};

export const suiteSteps = [runSuite, suiteOutcome];
