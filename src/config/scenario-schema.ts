// `scenarios:` in vigil.yaml (docs/scenarios.md): defaults for Then deadlines and polling, a team's own
// step definitions, and the named actions that scenario steps call ("When I destroy member "app-0"" runs
// the action `destroy-member` with {{member}} = app-0). An action is a command (argv, never a shell
// string) or an HTTP request; it may name its `undo`, which then always runs when the scenario ends.
import { validate as isValidCron } from 'node-cron';
import { z } from 'zod';
import { isNagiosObjectName, NAGIOS_FORBIDDEN_LIST } from '../core/index.ts';
import { duration, nonEmpty, strict } from './schema-parts.ts';

export const ACTION_NAME = /^[a-z0-9][a-z0-9-]*$/;
const actionName = z.string().regex(ACTION_NAME, { error: (i) => `action name ${JSON.stringify(i.input)} must use lowercase letters, digits and "-"` });

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const httpCall = strict({
  method: z
    .string()
    .transform((m) => m.toUpperCase())
    .pipe(z.enum(HTTP_METHODS, { error: `must be one of ${HTTP_METHODS.join(', ')}` }))
    .default('POST'),
  /** {{placeholders}} are filled from the step (member, service, to, …). */
  url: nonEmpty,
  headers: z.record(z.string(), z.string()).default({}),
  /** A string is sent as is; anything else as JSON. */
  body: z.unknown().optional(),
});

const actionSchema = strict({
  /** argv; write ["sh", "-c", "…"] when a shell is really wanted. */
  command: z.array(z.string()).min(1, { error: 'must name a program, e.g. ["virsh", "destroy", "{{member}}"]' }).optional(),
  /** Relative to the config file. */
  cwd: nonEmpty.optional(),
  env: z.record(z.string(), z.string()).optional(),
  http: httpCall.optional(),
  /** The action that reverses this one, with the same step arguments; registered before this one starts. */
  undo: actionName.optional(),
  timeout: duration({ positive: true }).default(60_000),
}).superRefine((action, ctx) => {
  if (Boolean(action.command) === Boolean(action.http)) {
    ctx.addIssue({ code: 'custom', message: `an action is exactly one of command or http, got ${action.command ? 'both' : 'neither'}` });
  }
});

const nagiosObjectName = (what: string) =>
  z.string().refine(isNagiosObjectName, {
    error: (i) => `${JSON.stringify(i.input)} is not a valid Nagios ${what} name (empty, or holds one of ${NAGIOS_FORBIDDEN_LIST})`,
  });

// `scenarios.schedule.<name>`: a feature file `vigil serve` runs on a cron (docs/scenarios.md, "On a
// schedule in vigil serve"). A scenario breaks something on purpose, so every entry says so itself:
// `destructive: true` is required — a schedule copied from another config without it is refused at start.
const scheduledSchema = strict({
  /** The .feature file, relative to the config file; every scenario in it runs, in order. */
  file: nonEmpty,
  /** node-cron (5 fields, or 6 with seconds), in api.timezone. */
  schedule: z.string().refine((text) => isValidCron(text), {
    error: (i) => `${JSON.stringify(i.input)} is not a valid cron expression (e.g. "0 */6 * * *")`,
  }),
  /** The operator's acknowledgement that this scenario changes the system it runs against on every fire. */
  destructive: z.custom<true>((value) => value === true, {
    error: 'must be true: a scheduled scenario breaks something on purpose on every fire (its actions run for real) — say so with destructive: true',
  }),
  /**
   * The allow-list: the environments (of `environments:`) this scenario acts on. Its suite steps may run
   * only there, a pause or maintenance window on one of them holds its fires, and a production one needs
   * `production: true` below.
   */
  environments: z.array(nonEmpty).min(1, { error: 'must name at least one environment this scenario acts on (e.g. [staging])' }),
  /** The explicit opt-in to run on an environment that is production (docs/scenarios.md, "Where it may run"). */
  production: z.custom<true>((value) => value === true, { error: 'is the opt-in to run on a production environment: true, or leave it out' }).optional(),
  /** A passive Nagios/Icinga service the outcome is sent to after every fire (through exporters.nagios). */
  nagios: strict({ host: nagiosObjectName('host'), service: nagiosObjectName('service') }).optional(),
});

export const scenariosSchema = strict({
  /** Deadline of a Then that names none ("Then the member … is all red"). */
  within: duration({ positive: true }).default(120_000),
  /** Time between polls of the model while a Then waits. */
  interval: duration({ positive: true }).default(5_000),
  /** Force re-checks while a Then waits: absent = wherever the source can be asked; true = required; false = never. */
  recheck: z.boolean().optional(),
  /** A TS/JS module exporting `steps`: the team's own step definitions (relative to the config file). */
  steps: nonEmpty.optional(),
  actions: z.record(actionName, actionSchema).default({}),
  /** Feature files `vigil serve` runs on a schedule, by a name of the operator's choosing. */
  schedule: z
    .record(
      z.string().regex(ACTION_NAME, { error: (i) => `scheduled scenario name ${JSON.stringify(i.input)} must use lowercase letters, digits and "-"` }),
      scheduledSchema,
    )
    .default({}),
}).superRefine((scenarios, ctx) => {
  for (const [name, action] of Object.entries(scenarios.actions)) {
    if (action.undo !== undefined && !(action.undo in scenarios.actions)) {
      ctx.addIssue({
        code: 'custom',
        path: ['actions', name, 'undo'],
        message: `names action "${action.undo}", which is not defined (actions: ${Object.keys(scenarios.actions).join(', ')})`,
      });
    }
  }
});

export type ScenariosConfig = z.output<typeof scenariosSchema>;
export type ScenarioAction = ScenariosConfig['actions'][string];
export type ScheduledScenario = ScenariosConfig['schedule'][string];
