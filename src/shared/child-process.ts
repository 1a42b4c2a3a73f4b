// The one way Vigil runs a child process (a Playwright run, a tenant provisioner's command, a scenario's
// command or action): its whole life, in the shape of execa's contract (forceKillAfterDelay,
// cancelSignal, cleanup), but over a process group, which execa does not do.
//   - argv, or a string for `sh -c`; its own process group, so a stop ends the shell *and* what it started;
//   - a timeout and an abort signal both stop it: SIGTERM to the group, SIGKILL after a grace — a child
//     that ignores TERM cannot hold its caller past timeout + grace;
//   - the leader's exit ends the run, not the end of its pipes: a daemon it started in the background
//     may hold them for ever. What is left of its group then follows `leftovers`: 'kill' (nothing it
//     started outlives it) or 'leave' (a daemon it started on purpose keeps running; its output is no
//     longer read — redirect it);
//   - stdout and stderr kept as bounded tails (or stdout in full up to a limit that stops the run);
//   - one wording of how it ended (describeEnd): "exited 2", "was killed by SIGKILL", "timed out after 3s".
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { findMarkedProcesses, groupAlive, killGroup } from './process-tree.ts';

export type Leftovers = 'kill' | 'leave';

export interface ChildOptions {
  /** An argv (no shell), or a string run by `sh -c`. */
  command: string | readonly string[];
  cwd?: string;
  /** The whole environment of the child (nothing is inherited implicitly). */
  env: Record<string, string | undefined>;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
  /** From the start; stops the group (reason 'timeout'). */
  timeoutMs?: number;
  /** Aborting stops the group (reason 'aborted'). */
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL when Vigil stops the group. Default 5 s. */
  graceMs?: number;
  /** What happens to processes of its group still alive after the leader exited on its own. Default 'kill'. */
  leftovers?: Leftovers;
  /** Processes carrying `VIGIL_RUN_MARKER=<marker>` count as the run's even when they left its group. */
  marker?: string;
  /** Keep stdout whole up to this many bytes; past it the group is stopped (reason 'overflow'). Default: a tail. */
  stdoutLimit?: number;
  /** Bytes kept of each stream's end. Default 16 KiB. */
  tailBytes?: number;
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Extra pipes as fds 3, 4, … (Playwright's reporter events): each chunk as text. */
  extraPipes?: Array<(chunk: string) => void>;
  /** After the leader exits, how long its pipes may still deliver what was written. Default 500 ms. */
  drainMs?: number;
}

export type StopReason = 'timeout' | 'aborted' | 'overflow';

export interface ChildEnd {
  /** The leader's pid, which is also its process group's id; undefined when it did not start. */
  pid?: number;
  /** Exit code, or null when killed by a signal or not started. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It could not start (ENOENT, EACCES). */
  spawnError?: Error;
  /** Set when Vigil stopped it. */
  stopped?: StopReason;
  /** Whole (up to stdoutLimit) or the tail. Empty after an overflow. */
  stdout: Buffer;
  stderr: string;
  durationMs: number;
}

const DEFAULT_GRACE_MS = 5_000;
const DEFAULT_TAIL = 16 * 1024;
const DEFAULT_DRAIN_MS = 500;
// Leftovers of a leader that exited on its own get a short TERM before KILL: they were not asked to stop yet.
const LEFTOVER_GRACE_MS = 1_000;

/** How it ended, in words: "exited 2", "was killed by SIGKILL", "timed out after 3s", "was interrupted". */
export function describeEnd(end: ChildEnd, opts: { timeoutMs?: number; stdoutLimit?: number } = {}): string {
  if (end.spawnError) return `could not start: ${end.spawnError.message}`;
  if (end.stopped === 'timeout') return `timed out after ${formatMs(opts.timeoutMs)}`;
  if (end.stopped === 'aborted') return 'was interrupted';
  if (end.stopped === 'overflow') return `printed more than ${opts.stdoutLimit ?? '?'} bytes on stdout and was stopped`;
  return end.code === null ? `was killed by ${end.signal}` : `exited ${end.code}`;
}

const formatMs = (ms: number | undefined) => (ms === undefined ? '?' : ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`);

function tailBuffer(limit: number) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  return {
    push(chunk: Buffer) {
      chunks.push(chunk);
      bytes += chunk.length;
      while (bytes - chunks[0].length >= limit) bytes -= chunks.shift()!.length;
    },
    value(): Buffer {
      const all = Buffer.concat(chunks);
      return all.length > limit ? all.subarray(all.length - limit) : all;
    },
  };
}

/** Runs the command to its end (see the file's head); never rejects: how it ended is in the result. */
export async function runChild(o: ChildOptions): Promise<ChildEnd> {
  const started = performance.now();
  const child = spawnGroup(o);
  const stopper = createStopper(child, o.graceMs ?? DEFAULT_GRACE_MS, o.marker);
  const output = collectOutput(child, o, stopper);
  if (o.stdin !== undefined) {
    // A command that ignores stdin closes it early; that is not its failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(o.stdin);
  }
  const disarm = armStops(o, stopper.stop);

  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((resolve) => {
    child.once('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  disarm();
  await settleGroup(child, o, stopper);
  await drain([child.stdout!, child.stderr!, ...extraPipes(child, o)], o.drainMs ?? DEFAULT_DRAIN_MS);

  const { stopped } = stopper;
  return {
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    code: exit.code,
    signal: exit.signal,
    ...(exit.spawnError ? { spawnError: exit.spawnError } : {}),
    ...(stopped ? { stopped } : {}),
    stdout: output.stdout(),
    stderr: output.stderr(),
    durationMs: Math.round(performance.now() - started),
  };
}

/** The command as the leader of its own process group (detached), with a pipe per stream and per extra pipe. */
function spawnGroup(o: ChildOptions): ChildProcess {
  const argv = typeof o.command === 'string' ? ['sh', '-c', o.command] : o.command;
  return spawn(argv[0], argv.slice(1), {
    cwd: o.cwd,
    env: o.env,
    detached: true,
    stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(o.extraPipes ?? []).map(() => 'pipe' as const)],
  });
}

const extraPipes = (child: ChildProcess, o: ChildOptions): Readable[] => (o.extraPipes ?? []).map((_, i) => child.stdio[3 + i] as Readable);

type Stopper = ReturnType<typeof createStopper>;

/** Stops the group once, for the first reason given; remembers why, and the stop under way. */
function createStopper(child: ChildProcess, graceMs: number, marker: string | undefined) {
  let stopped: StopReason | undefined;
  let stopping: Promise<void> | undefined;
  return {
    stop(reason: StopReason): void {
      if (stopped || child.pid === undefined) return;
      stopped = reason;
      stopping = killGroup(child.pid, graceMs, marker);
    },
    get stopped() {
      return stopped;
    },
    get stopping() {
      return stopping;
    },
  };
}

/** The timeout and the abort signal, armed; returns what disarms them once the leader has exited. */
function armStops(o: ChildOptions, stop: (reason: StopReason) => void): () => void {
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), o.timeoutMs);
  const onAbort = () => stop('aborted');
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  return () => {
    clearTimeout(timer);
    o.signal?.removeEventListener('abort', onAbort);
  };
}

/** Reads stdout, stderr and the extra pipes as they come: to the callbacks, and kept as tails (or stdout whole). */
function collectOutput(child: ChildProcess, o: ChildOptions, stopper: Stopper) {
  const stdoutTail = tailBuffer(o.tailBytes ?? DEFAULT_TAIL);
  const stdoutWhole: Buffer[] = [];
  let stdoutBytes = 0;
  const stderrTail = tailBuffer(o.tailBytes ?? DEFAULT_TAIL);

  // A decoder per stream: a character split across two chunks reaches the callback whole.
  const text = (onText: ((chunk: string) => void) | undefined) => {
    if (!onText) return () => {};
    const decoder = new StringDecoder('utf8');
    return (chunk: Buffer) => onText(decoder.write(chunk));
  };
  const toStdout = text(o.onStdout);
  const toStderr = text(o.onStderr);
  child.stdout!.on('data', (chunk: Buffer) => {
    toStdout(chunk);
    if (o.stdoutLimit === undefined) return stdoutTail.push(chunk);
    if (stopper.stopped === 'overflow') return;
    stdoutBytes += chunk.length;
    if (stdoutBytes <= o.stdoutLimit) return void stdoutWhole.push(chunk);
    // A command printing without end (`yes`, a log dump) is stopped now, not at its timeout.
    stdoutWhole.length = 0;
    stopper.stop('overflow');
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    toStderr(chunk);
    stderrTail.push(chunk);
  });
  (o.extraPipes ?? []).forEach((onChunk, i) => {
    const pipe = child.stdio[3 + i] as Readable;
    pipe.setEncoding('utf8');
    pipe.on('data', onChunk);
  });
  return {
    stdout: (): Buffer => (o.stdoutLimit === undefined ? stdoutTail.value() : Buffer.concat(stdoutWhole)),
    stderr: (): string => stderrTail.value().toString('utf8'),
  };
}

/** After the leader's exit: the stop under way finishes, or what is left of its group follows `leftovers`. */
async function settleGroup(child: ChildProcess, o: ChildOptions, stopper: Stopper): Promise<void> {
  if (stopper.stopping) await stopper.stopping;
  else if (
    child.pid !== undefined &&
    (o.leftovers ?? 'kill') === 'kill' &&
    (groupAlive(child.pid) || (o.marker !== undefined && findMarkedProcesses(o.marker).length > 0))
  ) {
    // The leader is gone; nothing it started (a browser, a worker, a stray daemon) outlives it.
    await killGroup(child.pid, LEFTOVER_GRACE_MS, o.marker);
  }
}

/** Reads what the pipes still hold, for at most `maxMs`; then lets go of them (a daemon may keep them open). */
async function drain(streams: Readable[], maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline && streams.some((s) => !s.readableEnded && !s.destroyed)) await sleep(10);
  for (const s of streams) s.destroy();
}
