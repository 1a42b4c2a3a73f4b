// A target is one suite on one environment: the unit that is scheduled, run, stored and exported.
// One key format and one "does this suite run there" rule for every caller (orchestrator, scheduler,
// `vigil run`, `vigil gate`), so they refuse the same things with the same words.

export interface TargetConfig {
  suites: Record<string, { environments: readonly string[] }>;
  environments: Record<string, unknown>;
}

/** `suite@environment`, as logs, the UI and error messages write a target. */
export const targetKey = (suite: string, environment: string): string => `${suite}@${environment}`;

const known = (names: string[]) => names.join(', ') || 'none';

/** Why `suite` cannot run on `environment` under `config`, or undefined when it can. */
export function targetProblem(config: TargetConfig, suite: string, environment: string): string | undefined {
  const s = config.suites[suite];
  if (!s) return `no suite "${suite}" (defined: ${known(Object.keys(config.suites))})`;
  if (!(environment in config.environments)) return `no environment "${environment}" (defined: ${known(Object.keys(config.environments))})`;
  if (!s.environments.includes(environment)) return `suite "${suite}" does not run on environment "${environment}" (it runs on: ${known([...s.environments])})`;
  return undefined;
}

/** The suites configured to run on `environment`, in config order. */
export function suitesOn(config: TargetConfig, environment: string): string[] {
  return Object.entries(config.suites)
    .filter(([, s]) => s.environments.includes(environment))
    .map(([name]) => name);
}

const PRODUCTION_NAME = /^prod(uction)?([-_.].*)?$/i;

/**
 * Whether an environment is production: its own `production:` when set, else its name (prod,
 * production, prod-…, production-…). A scheduled scenario needs its own opt-in to act on one.
 */
export function isProduction(name: string, environment: { production?: boolean } | undefined): boolean {
  return environment?.production ?? PRODUCTION_NAME.test(name);
}

/**
 * A scheduled scenario as a pause's or maintenance window's `suite`: `scenario:<name>`
 * (docs/scenarios.md, "Pauses, maintenance windows and api.concurrency").
 */
export const SCENARIO_TARGET_PREFIX = 'scenario:';

/** The scheduled scenario's name when `suite` is `scenario:<name>`, else undefined. */
export function scenarioOfTarget(suite: string): string | undefined {
  return suite.startsWith(SCENARIO_TARGET_PREFIX) ? suite.slice(SCENARIO_TARGET_PREFIX.length) : undefined;
}

export interface ScheduledTargets {
  scenarios?: { schedule: Record<string, { environments: readonly string[] }> };
}

/** Every scheduled scenario × each environment it acts on, as pause pairs (`scenario:<name>`). */
export function scenarioPairs(config: ScheduledTargets): Array<{ suite: string; environment: string }> {
  return Object.entries(config.scenarios?.schedule ?? {}).flatMap(([name, entry]) =>
    entry.environments.map((environment) => ({ suite: `${SCENARIO_TARGET_PREFIX}${name}`, environment })),
  );
}

/** Why a pause cannot name `suite` (a suite, or `scenario:<name>`) on `environment`, or undefined. */
export function pauseTargetProblem(config: TargetConfig & ScheduledTargets, suite: string, environment: string): string | undefined {
  const scenario = scenarioOfTarget(suite);
  if (scenario === undefined) return targetProblem(config, suite, environment);
  const schedule = config.scenarios?.schedule ?? {};
  const entry = schedule[scenario];
  if (!entry) return `no scheduled scenario "${scenario}" (scenarios.schedule: ${known(Object.keys(schedule))})`;
  if (!entry.environments.includes(environment))
    return `scheduled scenario "${scenario}" does not act on environment "${environment}" (its environments: ${known([...entry.environments])})`;
  return undefined;
}
