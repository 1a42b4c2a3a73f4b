// The whole life of one Playwright process (the shape of Playwright's own processHost): spawned in its
// own process group, its output kept as a bounded tail, stopped on timeout or abort (SIGTERM to the
// group, then SIGKILL), and not given up on until every marked process of the run is gone.
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Log } from '../shared/log.ts';
import { createLineTail } from './output-tail.ts';
import { findMarkedProcesses, killRun } from './process-tree.ts';

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
  const child = spawn(process.execPath, o.args, {
    cwd: o.cwd,
    env: o.env,
    detached: true, // own process group: the whole run can be signalled at once
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });

  const events = child.stdio[3] as Readable;
  events.setEncoding('utf8');
  events.on('data', (chunk: string) => o.onEvents(chunk));

  // Playwright's own output never reaches our stdout: debug log and a bounded tail for diagnostics.
  const output = createLineTail(200, (line) => log.debug({ line: o.redact(line) }, 'playwright'));
  const stderr = createLineTail(200);
  child.stdout!.setEncoding('utf8').on('data', (c: string) => output.write(c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => {
    output.write(c);
    stderr.write(c);
  });

  let stopReason: ProcessEnd['stopReason'];
  let killing: Promise<void> | undefined;
  const stop = (reason: 'timeout' | 'interrupted') => {
    if (stopReason || child.pid === undefined) return;
    stopReason = reason;
    log.info({ cwd: o.cwd, reason }, 'stopping playwright');
    killing = killRun(child.pid, o.marker, KILL_GRACE_MS);
  };
  const timer = setTimeout(() => stop('timeout'), o.timeoutMs);
  const onAbort = () => stop('interrupted');
  o.signal?.addEventListener('abort', onAbort, { once: true });

  const exit = await new Promise<ProcessEnd['exit']>((resolve) => {
    child.once('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  clearTimeout(timer);
  o.signal?.removeEventListener('abort', onAbort);
  await killing;
  // The main process is gone; a browser or worker it left behind must not outlive the run.
  if (child.pid !== undefined && findMarkedProcesses(o.marker).length > 0) await killRun(child.pid, o.marker, 1000);
  await waitForStreams([child.stdout!, child.stderr!, events], 2000);
  output.end();
  stderr.end();

  // Stack frames crowd out the one line that says what went wrong; the tail keeps the messages.
  const source = stderr.lines().length ? stderr.lines() : output.lines();
  const lines = source.filter((l) => !/^\s+at /.test(l)).slice(-STDERR_TAIL_LINES);
  return { exit, ...(stopReason ? { stopReason } : {}), tail: lines.length ? `\n${lines.join('\n')}` : '' };
}

async function waitForStreams(streams: Readable[], maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline && streams.some((s) => !s.readableEnded && !s.destroyed)) await sleep(20);
  for (const s of streams) s.destroy();
}
