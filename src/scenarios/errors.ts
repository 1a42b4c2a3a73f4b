// Typed errors of scenarios: a file that cannot be run (named by file, line and step), and a step that
// ran and did not hold (a finding, not a fault of Vigil's).
import { messageOf, VigilError } from '../shared/errors.ts';

/** One or more scenario files cannot be run as written; each problem is `file:line: …`. */
export class ScenarioFileError extends VigilError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

/**
 * Vigil refused what a step asked of it (a team's own step calling the suite runner on an environment
 * outside its scheduled entry's allow-list): a fault of the config, not a finding about the monitoring,
 * so the scenario is an error (UNKNOWN, exit 3) whenever it happens, after an action too.
 */
export class StepRefused extends VigilError {}

/** A step ran and its expectation did not hold: the scenario failed (exit 2), Vigil did not. */
export class StepFailure extends VigilError {
  /** Lines under the headline: what stood in the way, the tree at the deadline, a command's output. */
  readonly details: string[];
  constructor(headline: string, details: string[] = []) {
    super(headline);
    this.details = details;
  }
}

/** One error as a stored line or two keep it: the headline, then the last few lines of its details (a command's output). */
export function failureText(err: unknown, detailLines = 5): string {
  const details = err instanceof StepFailure ? err.details.slice(-detailLines) : [];
  return [messageOf(err), ...details.map((d) => `  ${d}`)].join('\n');
}
