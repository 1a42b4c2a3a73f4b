// Where a scheduled scenario may act, and when it must not (docs/scenarios.md, "Where it may run" and
// "Pauses, maintenance windows and api.concurrency"): its `environments:` allow-list is checked at
// start — each declared, a production one only with the entry's own `production: true`, every suite
// step on one of them — and at every fire a pause or maintenance window on one of them holds it.
// `vigil config check` and `vigil gate --scenario` run without --server apply the same
// (scheduled-entries.ts, gate-scenarios.ts).
import type { ScheduledScenario } from '../../config/scenario-schema.ts';
import type { VigilConfig } from '../../config/schema.ts';
import { isProduction, SCENARIO_TARGET_PREFIX } from '../../core/index.ts';
import type { PauseState, Pauses } from '../../scheduler/pauses.ts';
import type { ScenarioEnvironment, ScenarioPlan } from '../../scenarios/index.ts';
import { allowListProblem, StepRefused, suiteSteps } from '../../scenarios/index.ts';

/** What is wrong with an entry's allow-list (each naming the entry), before its steps are checked. */
export function allowListProblems(config: Pick<VigilConfig, 'environments'>, name: string, entry: ScheduledScenario): string[] {
  const where = `scenarios.schedule.${name}.environments`;
  const declared = Object.keys(config.environments);
  const problems: string[] = [];
  for (const environment of entry.environments) {
    if (!(environment in config.environments)) {
      problems.push(`${where}: no environment "${environment}" (defined: ${declared.join(', ') || 'none'})`);
    } else if (isProduction(environment, config.environments[environment]) && entry.production !== true) {
      problems.push(
        `${where}: "${environment}" is production (${config.environments[environment].production === true ? 'its production: true' : 'by its name'}): a destructive scenario runs there only with production: true on the entry`,
      );
    }
  }
  return problems;
}

/** The scenario environment an entry's steps get: suite steps checked against, and held to, its allow-list. */
export function entryEnvironment(env: ScenarioEnvironment, name: string, entry: ScheduledScenario): ScenarioEnvironment {
  const allowed = { names: new Set(entry.environments), where: `scenarios.schedule.${name}.environments` };
  const runSuite = env.runSuite;
  return {
    ...env,
    allowedEnvironments: allowed,
    // A team's own step calling runSuite is held to the list too, at run time.
    ...(runSuite
      ? {
          runSuite: (suite: string, environment: string, signal: AbortSignal) => {
            const refused = allowListProblem(allowed, environment);
            if (refused) throw new StepRefused(refused);
            return runSuite(suite, environment, signal);
          },
        }
      : {}),
  };
}

/** The suite × environment pairs an entry's built-in suite steps run. */
export function suitePairs(plans: readonly ScenarioPlan[]): Array<{ suite: string; environment: string }> {
  const pairs = new Map<string, { suite: string; environment: string }>();
  for (const plan of plans) {
    for (const planned of [...plan.steps, ...plan.cleanups]) {
      if (!suiteSteps.includes(planned.definition)) continue;
      const [suite, environment] = planned.args;
      pairs.set(`${suite}@${environment}`, { suite, environment });
    }
  }
  return [...pairs.values()];
}

/**
 * The pause holding a fire now, if any: a maintenance window (or pause) for `scenario:<name>` or every
 * suite (`*`) on one of its environments, or a pause on a pair its suite steps run.
 */
export function holdingPause(
  pauses: Pick<Pauses, 'pausedNow'>,
  name: string,
  environments: readonly string[],
  pairs: ReadonlyArray<{ suite: string; environment: string }>,
): PauseState | undefined {
  for (const environment of environments) {
    const pause = pauses.pausedNow(`${SCENARIO_TARGET_PREFIX}${name}`, environment);
    if (pause) return pause;
  }
  for (const { suite, environment } of pairs) {
    const pause = pauses.pausedNow(suite, environment);
    if (pause) return pause;
  }
  return undefined;
}

/** Why a fire asked for by hand (the API, the UI, `vigil gate --scenario`) is refused while `pause` holds the entry. */
export function pausedRefusal(name: string, pause: Pick<PauseState, 'suite' | 'environment' | 'until' | 'reason'>): string {
  return `${name} is held on ${pause.environment} until ${pause.until} (${pause.suite}: ${pause.reason}): no fire starts during a pause or maintenance window, not even by hand — resume it first`;
}
