// What the API needs of serve's scheduled scenarios (scenarios.schedule): list the entries, start one
// now through the same path as a cron fire, and say whether a fire is still running. serve's schedule
// satisfies it; the API never runs a scenario itself.
import type { ScenarioTrigger } from '../scenarios/types.ts';

export interface ScheduledScenarioView {
  name: string;
  /** The entry's cron expression. */
  cron: string;
  /** The feature file, resolved against the config's folder. */
  file: string;
  /** The scenarios of the file, in order. */
  scenarios: string[];
  nextFire?: string;
  nagios?: { host: string; service: string };
  /** Its allow-list: the environments it acts on; `production` the ones of them that are production (run there by its own opt-in). */
  environments: Array<{ name: string; production: boolean }>;
  /** A pause or maintenance window holding it now. */
  paused?: { environment: string; until: string; reason: string };
  /** The fire of this entry running in this process now. */
  running?: { fireId: string; trigger: ScenarioTrigger; startedAt?: string };
}

export type ScenarioTriggerOutcome =
  | { kind: 'started'; fireId: string }
  | { kind: 'unknown'; message: string }
  | { kind: 'busy'; message: string; running: string; fireId: string }
  | { kind: 'stopping'; message: string }
  | { kind: 'paused'; message: string };

export interface ScenarioControl {
  list(): ScheduledScenarioView[];
  /** Starts a fire of the entry now (trigger "manual"): one scenario at a time, as on the cron. */
  trigger(name: string): Promise<ScenarioTriggerOutcome>;
  /** A fire this process started: running, or finished; undefined when it does not know the id. */
  fireState(fireId: string): 'running' | 'finished' | undefined;
}
