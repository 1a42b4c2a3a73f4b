// Scheduled scenarios on demand (POST /api/scenarios/schedule/:name/run, the Scenarios page's "Run
// now", `vigil gate --scenario`): a fire started now goes through the schedule's one runner, exactly
// as a cron fire does, so the rules are the same — one scenario at a time in the process, the stored
// runs and the passive service as on the cron. A manual fire only skips the jitter and the cluster
// claim: it was asked of this replica, now. Each fire has an id, stored on its runs (`fire.id`), so a
// caller polls for its result; this process remembers the fires it ran since it started.
import { nanoid } from 'nanoid';
import type { ScenarioControl, ScenarioTriggerOutcome, ScheduledScenarioView } from '../../api/scenario-control.ts';
import type { ScenarioTrigger } from '../../scenarios/index.ts';
import { pausedRefusal } from './scenario-guards.ts';

/** What the control reads of a scheduled entry (scenario-schedule.ts's Entry). */
interface Entry {
  name: string;
  schedule: string;
  file: string;
  plans: ReadonlyArray<{ scenario: { name: string } }>;
  nagios?: { host: string; service: string };
  environments: string[];
}

export interface FireHow {
  trigger: ScenarioTrigger;
  id: string;
}

export type FireOutcome =
  | { started: true; done: Promise<void> }
  | { started: false; reason: 'stopping' }
  | { started: false; reason: 'paused'; pause: { suite: string; environment: string; until: string; reason: string } }
  | { started: false; reason: 'overlap' | 'busy'; running: string; how: FireHow };

interface Runner<E extends Entry> {
  fire(entry: E, fireAt: Date, how?: FireHow): FireOutcome;
  current(): { name: string; how: FireHow } | undefined;
}

/** Fires remembered as finished, newest last: enough for any caller still polling. */
const REMEMBERED = 200;

export function createScenarioControl<E extends Entry>(deps: {
  entries: E[];
  runner: Runner<E>;
  nextFire: (name: string) => Date | undefined;
  /** Whether an environment is production (the config's rule, core's isProduction). */
  isProduction: (environment: string) => boolean;
  /** The pause holding an entry now, if any. */
  pausedNow: (entry: E) => { environment: string; until: string; reason: string } | undefined;
  /** Replicas on PostgreSQL: the scenario holding the entry or one of its environments on another replica. */
  heldElsewhere?: (entry: E) => Promise<{ entry: string; replica: string; fireId: string } | undefined>;
}): ScenarioControl {
  const byName = new Map(deps.entries.map((e) => [e.name, e]));
  const started = new Map<string, string>();
  const finished = new Set<string>();

  return {
    list: () =>
      deps.entries.map((entry) => ({
        ...view(entry, deps.runner.current(), deps.nextFire(entry.name), started),
        environments: entry.environments.map((name) => ({ name, production: deps.isProduction(name) })),
        ...pausedView(deps.pausedNow(entry)),
      })),

    async trigger(name): Promise<ScenarioTriggerOutcome> {
      const entry = byName.get(name);
      if (!entry) {
        const known = deps.entries.map((e) => e.name).join(', ');
        return { kind: 'unknown', message: `no scheduled scenario "${name}" (scenarios.schedule has: ${known || 'none'})` };
      }
      // Running on another replica: the same one-at-a-time answer as here (a caller such as vigil gate
      // waits and asks again), not a fire accepted and then skipped as an overlap.
      const elsewhere = await deps.heldElsewhere?.(entry);
      if (elsewhere) {
        const what = elsewhere.entry === name ? `${name} is already running` : `another scheduled scenario, ${elsewhere.entry}, is running`;
        return {
          kind: 'busy',
          message: `${what} on replica ${elsewhere.replica} (fire ${elsewhere.fireId}): one scenario at a time; try again when it has finished`,
          running: elsewhere.entry,
          fireId: elsewhere.fireId,
        };
      }
      const how: FireHow = { trigger: 'manual', id: nanoid() };
      const outcome = deps.runner.fire(entry, new Date(), how);
      if (!outcome.started && outcome.reason === 'stopping') return { kind: 'stopping', message: 'Vigil is shutting down: no new scenario starts' };
      if (!outcome.started && outcome.reason === 'paused') return { kind: 'paused', message: pausedRefusal(name, outcome.pause) };
      if (!outcome.started) {
        const what = outcome.running === name ? `${name} is already running` : `another scheduled scenario, ${outcome.running}, is running`;
        return {
          kind: 'busy',
          message: `${what} (fire ${outcome.how.id}): one scenario at a time; try again when it has finished`,
          running: outcome.running,
          fireId: outcome.how.id,
        };
      }
      started.set(how.id, new Date().toISOString());
      void outcome.done.finally(() => {
        started.delete(how.id);
        finished.add(how.id);
        if (finished.size > REMEMBERED) finished.delete(finished.values().next().value!);
      });
      return { kind: 'started', fireId: how.id };
    },

    fireState(fireId) {
      if (deps.runner.current()?.how.id === fireId) return 'running';
      return finished.has(fireId) ? 'finished' : undefined;
    },
  };
}

const pausedView = (pause: { environment: string; until: string; reason: string } | undefined) =>
  pause ? { paused: { environment: pause.environment, until: pause.until, reason: pause.reason } } : {};

function view(
  entry: Entry,
  current: ReturnType<Runner<Entry>['current']>,
  next: Date | undefined,
  started: Map<string, string>,
): Omit<ScheduledScenarioView, 'environments'> {
  const running = current?.name === entry.name ? current.how : undefined;
  return {
    name: entry.name,
    cron: entry.schedule,
    file: entry.file,
    scenarios: entry.plans.map((p) => p.scenario.name),
    ...(next ? { nextFire: next.toISOString() } : {}),
    ...(entry.nagios ? { nagios: entry.nagios } : {}),
    ...(running
      ? { running: { fireId: running.id, trigger: running.trigger, ...(started.has(running.id) ? { startedAt: started.get(running.id)! } : {}) } }
      : {}),
  };
}
