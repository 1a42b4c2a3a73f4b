// The seed's sentences: "the service "shop" is all green transitively", "within 2m the member "app-0"
// is all red". Under Given it is a precondition, checked once, now (add "within 1m" to wait for it);
// under Then it polls until it holds or the deadline passes. A Then without "within" shares the deadline
// of the Then before it (the Ands of one Then block all answer to the same "within 2m" after the
// action), or gets scenarios.within when it is the first.
import { renderAnswer, renderTree, type Expectation } from '../../model/index.ts';
import { parseDuration } from '../../shared/duration.ts';
import { StepFailure } from '../errors.ts';
import type { StepContext, StepDefinition } from '../types.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export const modelExpectation: StepDefinition = {
  pattern: /^(?:within (\S+) )?the (?:service|member|node) "([^"]+)" is all (green|red)(?: (transitively|non-transitively))?$/,
  example: 'within 2m the service "shop" is all green non-transitively',
  validate(_env, _step, within) {
    if (within && !parseDuration(within)) return `"within ${within}": not a duration longer than 0 (e.g. 90s, 2m, 1m30s)`;
    return undefined;
  },
  async run(ctx: StepContext, within, node, color, scope) {
    const expect: Expectation = color === 'green' ? 'all-green' : 'all-red';
    const transitive = scope === 'transitively';
    const state = ctx.scenario;
    const started = Date.now();
    const given = ctx.step.type === 'context';
    let withinMs: number;
    if (given) {
      withinMs = within ? parseDuration(within)! : 0;
    } else {
      if (within) state.thenDeadline = started + parseDuration(within)!;
      state.thenDeadline ??= started + ctx.env.config.within;
      withinMs = Math.max(0, state.thenDeadline - started);
    }
    const result = await ctx.waitUntil({
      node,
      expect,
      transitive,
      withinMs,
      recheck: ctx.env.recheck && withinMs > 0,
      failFastOnUnreachable: given,
      // A Then after an action answers for what the action did: results from before it do not count.
      ...(!given && state.actionsRun > 0 ? { since: { atMs: state.lastActionEndedAt, what: 'the action before it ended' } } : {}),
    });
    const forced = result.recheckForced ? `, re-check forced for ${result.recheckForced}` : '';
    if (!result.holds) {
      const [headline, ...blockers] = renderAnswer(result.answer);
      const when = withinMs ? `by the deadline (${seconds(withinMs)}, ${result.polls} polls${forced})` : 'now';
      throw new StepFailure(`${headline.replace(/; in the way:$/, '')} ${when}; in the way:`, [
        ...blockers.map((b) => b.trim()),
        'the tree at the deadline:',
        ...renderTree(result.lastTree, { transitive: true, nowMs: Date.now() }),
      ]);
    }
    if (given) return { note: `holds (${result.answer.checks} checks in scope${withinMs ? `, after ${seconds(result.timeToDetectMs!)}` : ''})` };
    const timeToDetectMs = started - state.lastActionEndedAt + result.timeToDetectMs!;
    return { timeToDetectMs, note: `held ${seconds(timeToDetectMs)} after the action (${result.polls} poll${result.polls === 1 ? '' : 's'}${forced})` };
  },
};
