// A provisioner's command through the one child runner (src/shared/child-process.ts): argv (no shell),
// its own process group, stdout kept whole up to the answer limit (a command printing without end is
// stopped there), stdin written and closed. Nothing it starts may outlive the call: a request has no
// business leaving a daemon in the monitoring container, so leftovers of its group are killed.
import { runChild } from '../shared/child-process.ts';
import { MAX_ANSWER_BYTES, decodeAnswer, describeBinary } from './answer-limits.ts';

export interface CommandOutcome {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  killedBy: NodeJS.Signals | null;
  /** stdout as text; empty when it overflowed or was not UTF-8. */
  stdout: string;
  /** stdout passed MAX_ANSWER_BYTES: the group was stopped there. */
  stdoutOverflow: boolean;
  /** stdout was not UTF-8 text: what it was instead (size, first bytes). */
  stdoutBinary?: string;
  stderr: string;
  /** Set when the call's signal fired and the process group was killed. */
  aborted: boolean;
  /** The command could not start (ENOENT, EACCES). */
  spawnError?: Error;
}

// Time between SIGTERM and SIGKILL for a group that does not stop when asked.
const KILL_GRACE_MS = 1_000;

export async function runCommand(options: {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  stdin?: string;
  signal: AbortSignal;
}): Promise<CommandOutcome> {
  const end = await runChild({
    command: options.argv,
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin ?? '',
    signal: options.signal,
    graceMs: KILL_GRACE_MS,
    leftovers: 'kill',
    stdoutLimit: MAX_ANSWER_BYTES,
  });
  const overflow = end.stopped === 'overflow';
  const text = overflow ? '' : decodeAnswer(end.stdout);
  return {
    code: end.code,
    killedBy: end.signal,
    stdout: text ?? '',
    stdoutOverflow: overflow,
    ...(text === undefined ? { stdoutBinary: describeBinary(end.stdout) } : {}),
    stderr: end.stderr,
    aborted: end.stopped === 'aborted',
    ...(end.spawnError ? { spawnError: end.spawnError } : {}),
  };
}
