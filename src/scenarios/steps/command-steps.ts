// Steps that reach outside Vigil directly: a shell command, an HTTP request, a pause.
import { setTimeout as sleep } from 'node:timers/promises';
import { parseDuration } from '../../shared/duration.ts';
import { messageOf } from '../../shared/errors.ts';
import { StepFailure } from '../errors.ts';
import type { StepDefinition } from '../types.ts';

const COMMAND_TIMEOUT_MS = 5 * 60_000;
const HTTP_TIMEOUT_MS = 30_000;

const runShell: StepDefinition = {
  // A feature file is code the team writes, like a Makefile: its command is a shell line.
  pattern: /^I run the command "(.+)"$/,
  example: 'I run the command "systemctl stop haproxy"',
  async run(ctx, command) {
    const { stdout } = await ctx.run(command, { timeoutMs: COMMAND_TIMEOUT_MS });
    const last = stdout.trim().split('\n').at(-1);
    return last ? { note: last } : undefined;
  },
};

const sendRequest: StepDefinition = {
  pattern: /^I send (GET|HEAD|POST|PUT|PATCH|DELETE) "([^"]+)"(?: and get(?: status)? (\d{3}))?$/,
  example: 'I send GET "http://shop.example/health" and get status 200',
  validate(_env, _step, _method, url) {
    try {
      if (!/^https?:$/.test(new URL(url).protocol)) return `${JSON.stringify(url)} is not an http(s) URL`;
    } catch {
      return `${JSON.stringify(url)} is not a URL`;
    }
    return undefined;
  },
  async run(ctx, method, url, status) {
    let response: Response;
    try {
      // The step's doc string, when it has one, is the request body.
      response = await fetch(url, { method, body: ctx.step.docString, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(HTTP_TIMEOUT_MS)]) });
    } catch (err) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      throw new StepFailure(`${method} ${url} failed: ${messageOf(err)}`);
    }
    const text = await response.text().catch(() => '');
    const ok = status ? response.status === Number(status) : response.ok;
    if (!ok)
      throw new StepFailure(`${method} ${url} answered ${response.status}, expected ${status ?? '2xx'}`, text.slice(0, 2000).split('\n').filter(Boolean));
    return { note: `${response.status}` };
  },
};

const wait: StepDefinition = {
  pattern: /^I wait (\S+)$/,
  example: 'I wait 10s',
  passive: true,
  validate: (_env, _step, text) => (parseDuration(text) === undefined ? `"${text}" is not a duration (e.g. 10s, 1m)` : undefined),
  run: async (ctx, text) => void (await sleep(parseDuration(text)!, undefined, { signal: ctx.signal })),
};

export const commandSteps = [runShell, sendRequest, wait];
