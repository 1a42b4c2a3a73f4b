// Named actions (scenarios.actions in the config) in plain words: "I destroy member "app-0"" runs the
// action `destroy-member` with {{member}}; any verb works the same way (reboot-member, stop-member).
// "I switch "shop" to "green"" runs `switch` with {{service}} and {{to}}; "I run the action "x"" any other.
import { actionProblem, runAction } from '../run-action.ts';
import type { StepDefinition } from '../types.ts';

const memberAction: StepDefinition = {
  pattern: /^I ([a-z][a-z-]*) member "([^"]+)"$/,
  example: 'I destroy member "app-0"',
  validate: (env, _step, verb, member) => actionProblem(env, `${verb}-member`, { member }),
  run: async (ctx, verb, member) => void (await runAction(ctx, `${verb}-member`, { member })),
};

const switchAction: StepDefinition = {
  pattern: /^I switch "([^"]+)" to "([^"]+)"$/,
  example: 'I switch "shop" to "green"',
  validate: (env, _step, service, to) => actionProblem(env, 'switch', { service, to }),
  run: async (ctx, service, to) => void (await runAction(ctx, 'switch', { service, to })),
};

const namedAction: StepDefinition = {
  pattern: /^I run the action "([^"]+)"$/,
  example: 'I run the action "drain-lb"',
  validate: (env, _step, name) => actionProblem(env, name, {}),
  run: async (ctx, name) => void (await runAction(ctx, name, {})),
};

export const actionSteps = [memberAction, switchAction, namedAction];
