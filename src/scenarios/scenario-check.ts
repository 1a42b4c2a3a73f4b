// A scheduled scenario as a passive Nagios/Icinga service (scenarios.schedule.<name>.nagios): the
// question "does the monitoring still notice?" paged like any other check. Per scenario of the file:
// passed is OK; failed is CRITICAL naming the step and what stood in the way (a loss nobody noticed);
// error, interrupted or a Given that did not hold is UNKNOWN (nothing was learnt). A scenario tagged @expected-to-fail (a negative
// control: it proves the harness can fail) is OK while it fails as designed, naming why, and CRITICAL
// when it passes — then the harness itself proves nothing. The service takes the worst of its scenarios.
import { sanitizeLine, STATE_LABEL, type CheckResult, type NagiosState } from '../core/index.ts';
import { assertObjectName } from '../shared/nagios-object-name.ts';
import type { ParsedScenario, ParsedStep, ScenarioResult } from './types.ts';

export const EXPECTED_TO_FAIL = '@expected-to-fail';

export interface JudgedScenario {
  state: NagiosState;
  /** One line: the scenario and why it has this state. */
  line: string;
}

/** Where a scenario stopped: the first step that did not pass, with the first line of its message. */
function firstProblem(result: ScenarioResult): string {
  const step = result.steps.find((s) => s.status !== 'passed' && s.status !== 'skipped');
  if (!step) return result.status;
  // "… by the deadline; in the way:" is followed by the blockers: the first of them says what (a disabled check).
  const [headline, first] = (step.message ?? step.status).split('\n');
  const why = headline.endsWith(':') && first ? `${headline} ${first.trim()}` : headline;
  return `${step.keyword.trim()} ${step.text} (line ${step.line}): ${why}`;
}

const detect = (result: ScenarioResult) => {
  const times = result.steps.filter((s) => s.timeToDetectMs !== undefined).map((s) => `${((s.timeToDetectMs ?? 0) / 1000).toFixed(1)}s`);
  return times.length ? `, detected in ${times.join(', ')}` : '';
};

/** True when the scenario stopped at a Given: what it needed before breaking anything was not there. */
function preconditionFailed(result: ScenarioResult, steps: readonly Pick<ParsedStep, 'line' | 'type'>[]): boolean {
  const failed = result.steps.find((s) => s.status === 'failed');
  return failed !== undefined && steps.find((p) => p.line === failed.line)?.type === 'context';
}

export function judgeScenario(
  result: ScenarioResult,
  parsed: Pick<ParsedScenario, 'tags'> & { steps: readonly Pick<ParsedStep, 'line' | 'type'>[] },
): JudgedScenario {
  const name = result.scenario;
  const { tags } = parsed;
  if (result.status === 'error' || result.status === 'interrupted') {
    return { state: 3, line: `${name}: could not be carried out (${result.status}): ${firstProblem(result)}` };
  }
  // A Given that does not hold (the service not green before the destroy: the last fire's restore
  // still settling) tests nothing, whichever way the scenario was meant to end.
  if (result.status === 'failed' && preconditionFailed(result, parsed.steps)) {
    return { state: 3, line: `${name}: not carried out, its precondition did not hold: ${firstProblem(result)}` };
  }
  if (tags.includes(EXPECTED_TO_FAIL)) {
    return result.status === 'failed'
      ? { state: 0, line: `${name}: failed as designed (${EXPECTED_TO_FAIL}): ${firstProblem(result)}` }
      : { state: 2, line: `${name}: passed, but it is ${EXPECTED_TO_FAIL}: the harness failed to fail, so it proves nothing` };
  }
  return result.status === 'passed'
    ? { state: 0, line: `${name}: passed${detect(result)}` }
    : { state: 2, line: `${name}: the monitoring did not notice: ${firstProblem(result)}` };
}

// CRITICAL (the monitoring missed it) outranks UNKNOWN (this fire taught nothing).
const RANK: Record<NagiosState, number> = { 0: 0, 1: 1, 3: 2, 2: 3 };

/** The scenario that decides the service's state. */
export function worstJudged<T extends JudgedScenario>(judged: readonly T[]): T | undefined {
  return judged.reduce<T | undefined>((w, j) => (!w || RANK[j.state] > RANK[w.state] ? j : w), undefined);
}

export function scenarioCheck(
  schedule: string,
  judged: JudgedScenario[],
  target: { host: string; service: string },
  at: { nowMs: number; runURL?: string },
): CheckResult {
  const where = `scenarios.schedule.${schedule}.nagios`;
  assertObjectName('host', target.host, where);
  assertObjectName('service', target.service, where);
  const worst = worstJudged(judged);
  const state: NagiosState = worst?.state ?? 3;
  const first = worst ? worst.line : 'no scenario ran';
  const bad = judged.filter((j) => j.state !== 0).length;
  return {
    state,
    output: `${STATE_LABEL[state]} - ${sanitizeLine(schedule)}: ${sanitizeLine(first)}`,
    longOutput: [...(at.runURL ? [at.runURL] : []), ...judged.map((j) => `${STATE_LABEL[j.state]}: ${sanitizeLine(j.line)}`)],
    perfdata: `scenarios=${judged.length};;;0 not_ok=${bad};;;0`,
    host: target.host,
    service: target.service,
    timestamp: Math.floor(at.nowMs / 1000),
  };
}
