// A step's command through the one child runner (src/shared/child-process.ts): its own process group (so
// a timeout or an interrupt ends the shell *and* what it started: SIGTERM, then SIGKILL after a grace),
// output kept for the message, and a non-zero exit turned into a StepFailure that shows the tail of that
// output. A command that exits 0 is done even if something it started in the background still runs: a
// restore that starts a server (`server >/var/log/server.log 2>&1 &`) leaves it running; its output is
// no longer read once the command exited, so a daemon should write to a file (docs/scenarios.md).
import { describeEnd, runChild } from '../shared/child-process.ts';
import { StepFailure } from './errors.ts';

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL on a timeout or an interrupt. Default 5 s. */
  graceMs?: number;
}

const KEEP = 4_000;
const shown = (argv: readonly string[]) => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');

/** A string runs under `sh -c` (a step's text is one string); an array is an argv. */
export async function runCommand(command: string | readonly string[], opts: CommandOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const name = typeof command === 'string' ? command : shown(command);
  const end = await runChild({
    command,
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    timeoutMs: opts.timeoutMs,
    signal: opts.signal,
    graceMs: opts.graceMs,
    leftovers: 'leave',
    tailBytes: KEEP,
  });
  if (end.stopped === 'aborted' && opts.signal?.aborted) throw opts.signal.reason;
  const stdout = end.stdout.toString('utf8');
  if (end.code === 0 && !end.stopped) return { stdout, stderr: end.stderr };
  const output = (end.stderr.trim() || stdout.trim()).split('\n');
  throw new StepFailure(`command ${name} ${describeEnd(end, { timeoutMs: opts.timeoutMs })}`, output[0] ? output : []);
}
