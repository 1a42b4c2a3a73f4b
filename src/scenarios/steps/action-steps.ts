// Named actions (scenarios.actions in the config) in plain words: "I destroy member "app-0"" runs the
// action `destroy-member` with {{member}}; any verb works the same way (reboot-member, stop-member).
// "I switch "shop" to "green"" runs `switch` with {{service}} and {{to}}; "I run the action "x"" any other,
// with placeholders named in the text: "I run the action "disable-check" with member "app-0" and check
// "HTTP"" gives {{member}} and {{check}}.
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

const PARAMS = /^[a-z][a-z0-9_-]* "[^"]*"(?: and [a-z][a-z0-9_-]* "[^"]*")*$/;

/** `member "app-0" and check "HTTP"` → { member: 'app-0', check: 'HTTP' }; a problem in words otherwise. */
function actionParams(text: string): Record<string, string> | string {
  if (!text) return {};
  if (!PARAMS.test(text)) return `"with ${text}": write the action's values as name "value", joined by "and" (e.g. with member "app-0" and check "HTTP")`;
  const params: Record<string, string> = {};
  for (const [, name, value] of text.matchAll(/([a-z][a-z0-9_-]*) "([^"]*)"/g)) {
    if (name in params) return `"with ${text}": ${name} is given twice`;
    params[name] = value;
  }
  return params;
}

const namedAction: StepDefinition = {
  pattern: /^I run the action "([^"]+)"(?: with (.+))?$/,
  example: 'I run the action "drain-lb"',
  validate(env, _step, name, withText) {
    const params = actionParams(withText);
    return typeof params === 'string' ? params : actionProblem(env, name, params);
  },
  run: async (ctx, name, withText) => void (await runAction(ctx, name, actionParams(withText) as Record<string, string>)),
};

export const actionSteps = [memberAction, switchAction, namedAction];
