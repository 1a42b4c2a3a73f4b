// One server process of the stack, from start to a guaranteed end. Each runs as the leader of its own
// process group, so stopping it also stops whatever it forked (Nagios' check workers and the plugins
// they run), and the guardian can kill the group if we die first.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Guardian } from './guardian.ts';

export interface Child {
  name: string;
  pid: number;
  /** The last few KB of its stdout and stderr, for error messages. */
  output(): string;
  exited(): boolean;
  /** Resolves when the process has exited (with its code, or null after a signal). */
  exit: Promise<number | null>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; then SIGKILL to any straggler of the group. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the group at once: a machine that is switched off, not shut down. */
  kill(): Promise<void>;
}

export interface ChildOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  guardian: Guardian;
  /** Called with each chunk of stdout (readiness lines). */
  onStdout?: (text: string) => void;
}

const TAIL = 8192;

const signalGroup = (pgid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already empty.
  }
};

// Groups alive in this process: killed synchronously if the process exits without stopping them.
const live = new Set<number>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const pgid of live) signalGroup(pgid, 'SIGKILL');
  });
}

export function startChild(opts: ChildOptions): Child {
  installExitHook();
  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env ?? { PATH: process.env.PATH },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-TAIL);
  };
  child.stdout!.on('data', (d: Buffer) => {
    keep(d);
    opts.onStdout?.(d.toString());
  });
  child.stderr!.on('data', keep);
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
    output += `\n${err.message}`;
  });
  let done = false;
  const exit = new Promise<number | null>((resolve) =>
    child.once('close', (code) => {
      done = true;
      resolve(code);
    }),
  );
  const pgid = child.pid;
  if (pgid !== undefined) {
    live.add(pgid);
    opts.guardian.watch(pgid);
  }

  // Even after the leader exited its group may hold stragglers, so the group is always SIGKILLed before
  // the guardian is told to forget it.
  const finish = () => {
    if (pgid === undefined) return;
    signalGroup(pgid, 'SIGKILL');
    live.delete(pgid);
    opts.guardian.forget(pgid);
  };

  return {
    name: opts.name,
    pid: pgid ?? -1,
    output: () => output,
    exited: () => done || spawnError !== undefined,
    exit,
    async stop(graceMs = 3000) {
      if (pgid === undefined) return;
      if (!done) {
        signalGroup(pgid, 'SIGTERM');
        const ended = await Promise.race([exit.then(() => true), sleep(graceMs).then(() => false)]);
        if (!ended) {
          signalGroup(pgid, 'SIGKILL');
          await exit;
        }
      }
      finish();
    },
    async kill() {
      if (pgid === undefined) return;
      signalGroup(pgid, 'SIGKILL');
      await exit;
      finish();
    },
  };
}

/** Polls `ready` until it returns true; fails with the child's output if it exits or `timeoutMs` passes. */
export async function waitReady(child: Child, what: string, ready: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exited()) throw new Error(`${child.name} exited before ${what}:\n${child.output().slice(-2000)}`);
    if (await ready()) return;
    if (Date.now() > until) throw new Error(`${child.name}: no ${what} within ${timeoutMs / 1000}s:\n${child.output().slice(-2000)}`);
    await sleep(100);
  }
}
