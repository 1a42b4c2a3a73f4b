// A step's command as a child process with its whole life handled: its own process group (so a
// timeout or an interrupt ends the shell *and* what it started), output kept for the message, and a
// non-zero exit turned into a StepFailure that shows the tail of that output.
import { spawn } from 'node:child_process';
import { StepFailure } from './errors.ts';

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const KEEP = 4_000;
const tail = (text: string) => (text.length > KEEP ? `…${text.slice(-KEEP)}` : text);
const shown = (argv: readonly string[]) => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');

/** A string runs under `sh -c` (a step's text is one string); an array is an argv. */
export function runCommand(command: string | readonly string[], opts: CommandOptions = {}): Promise<{ stdout: string; stderr: string }> {
  const argv = typeof command === 'string' ? ['sh', '-c', command] : command;
  const name = typeof command === 'string' ? command : shown(argv);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = tail(stdout + d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = tail(stderr + d)));
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    const timer = opts.timeoutMs ? setTimeout(() => stop(`timed out after ${opts.timeoutMs! / 1000}s`), opts.timeoutMs) : undefined;
    const onAbort = () => stop('interrupted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    const done = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (err) => {
      done();
      reject(new StepFailure(`command ${name} could not start: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      done();
      if (opts.signal?.aborted) return reject(opts.signal.reason);
      if (code === 0 && !stopped) return resolve({ stdout, stderr });
      const output = (stderr.trim() || stdout.trim()).split('\n');
      const how = stopped ?? (signal ? `was killed by ${signal}` : `exited ${code}`);
      reject(new StepFailure(`command ${name} ${how}`, output[0] ? output : []));
    });
  });
}
