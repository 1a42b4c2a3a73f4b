import { spawn } from 'node:child_process';
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

const MAX_STDERR = 16 * 1024;
// Time between SIGTERM and SIGKILL for a group that does not stop when asked.
const KILL_GRACE_MS = 1_000;

/** Runs argv (no shell) in its own process group; on abort the whole group is stopped. */
export function runCommand(options: {
  argv: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  stdin?: string;
  signal: AbortSignal;
}): Promise<CommandOutcome> {
  const [file, ...args] = options.argv;
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let overflow = false;
    let stderr = '';
    let aborted = false;
    let spawnError: Error | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own group, so a timeout also stops whatever the command started (curl, a node child).
      detached: true,
    });

    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // The group is already gone.
      }
    };
    const stopGroup = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = () => {
      aborted = true;
      stopGroup();
    };
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });

    // Bytes, not a utf8 stream: a decoder would quietly turn a binary answer into replacement characters.
    child.stdout.on('data', (chunk: Buffer) => {
      if (overflow) return;
      stdoutBytes += chunk.length;
      if (stdoutBytes <= MAX_ANSWER_BYTES) return void stdout.push(chunk);
      // A command printing without end (`yes`, a log dump) is stopped now, not at its timeout.
      overflow = true;
      stdout.length = 0;
      stopGroup();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-MAX_STDERR);
    });
    // A command that ignores stdin closes it early; that is not our failure.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');

    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code, killedBy) => {
      options.signal.removeEventListener('abort', onAbort);
      // The leader exited; make sure nothing it started lingers after a timeout.
      if (aborted || overflow) killGroup('SIGKILL');
      if (killTimer) clearTimeout(killTimer);
      const bytes = Buffer.concat(stdout);
      const text = overflow ? '' : decodeAnswer(bytes);
      const binary = text === undefined ? { stdoutBinary: describeBinary(bytes) } : {};
      resolve({ code, killedBy, stdout: text ?? '', stdoutOverflow: overflow, ...binary, stderr, aborted, ...(spawnError ? { spawnError } : {}) });
    });
  });
}
