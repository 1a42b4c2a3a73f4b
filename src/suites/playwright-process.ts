// One Playwright process through the one child runner (src/shared/child-process.ts): its own process
// group, its output kept as a bounded tail, stopped on timeout or abort (SIGTERM to the group, then
// SIGKILL), and not given up on until every marked process of the run is gone.
import type { Log } from '../shared/log.ts';
import { runChild } from '../shared/child-process.ts';
import { createLineTail } from './output-tail.ts';

const STDERR_TAIL_LINES = 20;
const KILL_GRACE_MS = 5000;

export interface PlaywrightProcessOptions {
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** VIGIL_RUN_MARKER in the environment of every process of the run, to find the ones left behind. */
  marker: string;
  timeoutMs: number;
  signal?: AbortSignal;
  log: Log;
  /** Applied to Playwright's output before it reaches the debug log. */
  redact: (text: string) => string;
  /** Reporter events as they arrive on fd 3. */
  onEvents: (chunk: string) => void;
}

export interface ProcessEnd {
  exit: { code: number | null; signal: NodeJS.Signals | null; spawnError?: Error };
  /** Set when Vigil stopped the process. */
  stopReason?: 'timeout' | 'interrupted';
  /** The last meaningful lines of its output, prefixed with a newline ('' when none). */
  tail: string;
}

export async function runPlaywrightProcess(o: PlaywrightProcessOptions): Promise<ProcessEnd> {
  const { log } = o;
  // Playwright's own output never reaches our stdout: debug log and a bounded tail for diagnostics.
  const output = createLineTail(200, (line) => log.debug({ line: o.redact(line) }, 'playwright'));
  const stderr = createLineTail(200);
  const end = await runChild({
    command: [process.execPath, ...o.args],
    cwd: o.cwd,
    env: o.env,
    timeoutMs: o.timeoutMs,
    signal: o.signal,
    graceMs: KILL_GRACE_MS,
    // A browser or worker it left behind must not outlive the run, even one that left the group.
    leftovers: 'kill',
    marker: o.marker,
    onStdout: (c) => output.write(c),
    onStderr: (c) => {
      output.write(c);
      stderr.write(c);
    },
    extraPipes: [o.onEvents],
    drainMs: 2000,
  });
  if (end.stopped) log.info({ cwd: o.cwd, reason: end.stopped }, 'stopped playwright');
  output.end();
  stderr.end();

  // Stack frames crowd out the one line that says what went wrong; the tail keeps the messages.
  const source = stderr.lines().length ? stderr.lines() : output.lines();
  const lines = source.filter((l) => !/^\s+at /.test(l)).slice(-STDERR_TAIL_LINES);
  const stopReason = end.stopped === 'timeout' ? 'timeout' : end.stopped === 'aborted' ? 'interrupted' : undefined;
  return {
    exit: { code: end.code, signal: end.signal, ...(end.spawnError ? { spawnError: end.spawnError } : {}) },
    ...(stopReason ? { stopReason } : {}),
    tail: lines.length ? `\n${lines.join('\n')}` : '',
  };
}
