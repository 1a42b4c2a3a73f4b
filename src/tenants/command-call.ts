// One call of a command provisioner: its argv and environment rendered from the templates, the command
// run through runCommand, and every way it can end short of an answer (not started, cut off, too much
// on stdout, a non-zero exit) said as a ProvisionError naming the command. Then the one JSON value the
// command must print on stdout, read as the object or array the call expects.
import { resolve } from 'node:path';
import { MAX_ANSWER_WORDS } from './answer-limits.ts';
import { excerpt, tail } from './excerpt.ts';
import type { Call, ProvisionerBase } from './provisioner-base.ts';
import { renderTemplate, type TemplateContext } from './render-template.ts';
import { runCommand } from './run-command.ts';
import type { CommandSpec } from './types.ts';

/** What the command printed on stdout: text, or what it was instead when it was not UTF-8. */
export type CommandStdout = string | { binary: string };

export async function runCommandCall(
  base: ProvisionerBase,
  call: Call,
  command: CommandSpec,
  context: TemplateContext,
  extraEnv: Record<string, string>,
  signal: AbortSignal | undefined,
  stdin?: string,
): Promise<CommandStdout> {
  const where = `tenants.${base.name}.${call}`;
  const argv = renderTemplate(command.command, context, { where });
  const env = {
    ...base.env,
    ...renderTemplate(command.env ?? {}, context, { where }),
    VIGIL_ENVIRONMENT_NAME: context.environment.name,
    VIGIL_ENVIRONMENT_BASEURL: context.environment.baseURL,
    ...extraEnv,
  };
  const described = `command ${JSON.stringify(argv.join(' '))}`;
  const outcome = await runCommand({
    argv,
    cwd: resolve(base.cwd, command.cwd ?? '.'),
    env,
    stdin,
    signal: base.callSignal(signal),
  });
  if (outcome.spawnError) throw base.fail(call, `${described} could not start: ${outcome.spawnError.message}`);
  if (outcome.aborted) throw base.fail(call, `${described} ${base.abortReason(signal)}; its process group was killed`);
  if (outcome.stdoutOverflow) {
    throw base.fail(call, `${described} printed an answer larger than ${MAX_ANSWER_WORDS} on stdout; Vigil read no more and stopped its process group`);
  }
  if (outcome.code !== 0) {
    const how = outcome.code === null ? `was killed by ${outcome.killedBy}` : `exited with code ${outcome.code}`;
    const stderr = tail(outcome.stderr, base.redact);
    throw base.fail(call, `${described} ${how}${stderr ? `: ${stderr}` : ' (nothing on stderr)'}`);
  }
  return outcome.stdoutBinary === undefined ? outcome.stdout : { binary: outcome.stdoutBinary };
}

export function parseCommandJson(base: ProvisionerBase, call: Call, stdout: CommandStdout, expect: 'object' | 'array'): unknown {
  if (typeof stdout !== 'string') throw base.fail(call, `command's stdout is ${stdout.binary}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw base.fail(call, `command printed something that is not JSON on stdout: ${excerpt(stdout, base.redact)}`);
  }
  const isArray = Array.isArray(parsed);
  const ok = expect === 'array' ? isArray : parsed !== null && typeof parsed === 'object' && !isArray;
  if (!ok) throw base.fail(call, `command must print one JSON ${expect} on stdout, got: ${excerpt(stdout, base.redact)}`);
  return parsed;
}
